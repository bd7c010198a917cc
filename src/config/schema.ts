/**
 * The one source of truth for configuration: the zod schema types `defineConfig` (z.input: every
 * field optional) and the pipeline (z.output: every field filled with its default).
 */
import { z } from 'zod';

const usd = z.number().nonnegative();
const positiveInt = z.number().int().positive();

const prices = z.strictObject({ input: usd, output: usd });

const modelOverride = z.strictObject({
  label: z.string().optional(),
  contextWindow: positiveInt.optional(),
  maxOutput: positiveInt.optional(),
  extendedMaxOutput: positiveInt.nullable().optional(),
  prices: prices.optional(),
  minCacheTokens: positiveInt.optional(),
});

const mirrorRule = z.strictObject({
  /** Glob of source files, e.g. `src/**\/*.ts`. */
  from: z.string().min(1),
  /**
   * Target path template. Placeholders: `{dir}` (directory of the source relative to the glob's
   * static base), `{name}` (file name without extension), `{ext}` (extension without dot), `{path}`
   * (the full source path). E.g. `test/{dir}/{name}.test.ts`.
   */
  to: z.string().min(1),
  /** Description template for each task; `{path}` is the source path. */
  description: z.string().default('Tests for `{path}`'),
  /** Heading the tasks are grouped under; default: the source directory. */
  group: z.string().optional(),
});

const taskEstimate = z.strictObject({
  /** Glob on the task path. */
  match: z.string().min(1),
  /** Expected output tokens for one such file. */
  tokens: positiveInt,
});

export const configSchema = z.strictObject({
  /** Model id from the models table (or one described under `models`). */
  model: z.string().min(1).default('claude-opus-4-8'),
  /** `max_tokens` of each batch request; above the model's standard ceiling the 300K beta is added. */
  maxTokens: positiveInt.default(128_000),
  /** Globs of files that form the codebase context (relative to the repo). */
  include: z.array(z.string()).default(['**/*']),
  /** Globs excluded from the context, on top of .gitignore, .harnessignore and the default excludes. */
  exclude: z.array(z.string()).default([]),
  /** Directory generated files are written under, relative to the repo. */
  outputRoot: z.string().min(1).default('.'),
  /** Attempts per task before it is marked failed. */
  attempts: positiveInt.default(3),
  poll: z
    .strictObject({
      /** First wait between polls of a batch. */
      initialMs: positiveInt.default(30_000),
      /** Longest wait between polls (HARNESS_POLL_MS caps it further). */
      maxMs: positiveInt.default(300_000),
      /** Growth of the wait after each poll. */
      factor: z.number().min(1).default(1.5),
    })
    .prefault({}),
  budget: z
    .strictObject({
      /** Most USD one `run`/`init` may commit to (estimated before each submit). */
      perRunUsd: usd.optional(),
      /** Most USD the repo may have spent in total (from the journal) plus what a submit would add. */
      totalUsd: usd.optional(),
    })
    .prefault({}),
  /** How `init` makes the task list. */
  planner: z.enum(['list', 'mirror', 'llm']).default('list'),
  mirror: z.strictObject({ rules: z.array(mirrorRule).default([]) }).prefault({}),
  /** Directory with prompt templates overriding the built-in ones (system.md, request.md, planner.md). */
  templatesDir: z.string().optional(),
  scan: z
    .strictObject({
      /** Files larger than this are left out of the context. */
      maxFileBytes: positiveInt.default(512 * 1024),
      /** Files read at once while scanning. */
      concurrency: positiveInt.default(32),
    })
    .prefault({}),
  secrets: z
    .strictObject({
      /**
       * Findings to allow, as `path` (a glob: every finding in it) or `path:line`, or a secretlint
       * rule id (e.g. `@secretlint/secretlint-rule-basicauth`).
       */
      allow: z.array(z.string()).default([]),
    })
    .prefault({}),
  packing: z
    .strictObject({
      /** Share of maxTokens kept free in every request, for estimates that run short. */
      safetyMargin: z.number().min(0).max(0.9).default(0.25),
      /** Expected output tokens of a task when no estimate below matches. */
      defaultTaskTokens: positiveInt.default(4_000),
      /** Per-glob expected output tokens, first match wins. */
      estimates: z.array(taskEstimate).default([]),
    })
    .prefault({}),
  batch: z
    .strictObject({
      maxRequests: positiveInt.max(100_000).default(100_000),
      maxBytes: positiveInt.max(256 * 1024 * 1024).default(256 * 1024 * 1024),
    })
    .prefault({}),
  cache: z
    .strictObject({
      /** Warm the prompt cache with one small request before a batch of at least `warmupMinRequests`. */
      warmup: z.boolean().default(true),
      warmupMinRequests: positiveInt.default(4),
    })
    .prefault({}),
  /** `max_tokens` of synchronous calls (`refine`, the llm planner): must fit the standard ceiling. */
  syncMaxTokens: positiveInt.default(16_000),
  /** Prices and limits overriding or extending the models table, keyed by model id. */
  models: z.record(z.string(), modelOverride).default({}),
});

export type HarnessConfigInput = z.input<typeof configSchema>;
export type HarnessConfig = z.output<typeof configSchema>;
export type MirrorRule = z.output<typeof mirrorRule>;

export const defaultConfig: HarnessConfig = configSchema.parse({});

/** Identity, for typed `harness.config.ts` files. */
export const defineConfig = (config: HarnessConfigInput): HarnessConfigInput => config;
