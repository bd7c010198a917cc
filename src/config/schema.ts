/**
 * The one source of truth for configuration: the zod schema types `defineConfig` (z.input: every
 * field optional) and the pipeline (z.output: every field filled with its default).
 */
import path from 'node:path';
import { z } from 'zod';
import { defaultBatchMaxTokens, defaultSyncMaxTokens, type ModelInfo, resolveModel } from '../models/models.js';

const usd = z.number().nonnegative();
const positiveInt = z.number().int().positive();
/** Most bytes of request JSON in one batch (`batch.maxBytes` default and cap). */
const BATCH_MAX_BYTES = 256_000_000;

const prices = z.strictObject({ input: usd, output: usd });

const modelOverride = z.strictObject({
  label: z.string().optional().describe('Display name.'),
  contextWindow: positiveInt.optional().describe('Input context window in tokens.'),
  maxOutput: positiveInt.optional().describe('Standard output ceiling (sync calls, batches without the beta).'),
  extendedMaxOutput: positiveInt.nullable().optional().describe('Output ceiling with the 300K beta; null when it does not apply.'),
  prices: prices.optional().describe('USD per million tokens at standard rates: `{input, output}`.'),
  minCacheTokens: positiveInt.optional().describe('Shortest prefix the prompt cache keeps.'),
});

const mirrorRule = z.strictObject({
  from: z.string().min(1).describe('Glob of source files, e.g. `src/**/*.ts`.'),
  to: z
    .string()
    .min(1)
    .describe(
      "Target path template: `{dir}` (directory of the source below the glob's static base), `{name}` (file name without extension), `{ext}`, `{path}` (the source path). E.g. `test/{dir}/{name}.test.ts`.",
    ),
  description: z.string().default('Tests for `{path}`').describe('Description of each task; `{path}` is the source path.'),
  group: z.string().optional().describe('Heading the tasks go under (default: the source directory).'),
});

const taskEstimate = z.strictObject({
  match: z.string().min(1).describe('Glob on the task path.'),
  tokens: positiveInt.describe('Expected output tokens for one such file.'),
});

export const configSchema = z.strictObject({
  model: z.string().min(1).default('claude-opus-4-8').describe('Model id from the models table, or one described under `models`.'),
  maxTokens: positiveInt
    .optional()
    .describe(
      "`max_tokens` of each batch request; above the model's standard ceiling the 300K beta is added. Default: the model's ceiling (with the beta when the model supports it, e.g. 300000 for Opus 4.8; else its standard ceiling, e.g. 64000 for Haiku 4.5).",
    ),
  thinking: z
    .union([
      z.literal('off'),
      z.literal('adaptive'),
      z.strictObject({ budgetTokens: z.number().int().min(1024).describe('Thinking tokens per request (≥ 1024, below maxTokens).') }),
    ])
    .default('off')
    .describe(
      "Extended thinking of batch requests: `'off'`, `'adaptive'` (the model decides how much; models that have it) or `{ budgetTokens }` (sent as `budget_tokens`; it comes out of `maxTokens`, and the packer and the estimates count it). Billed as output.",
    ),
  include: z.array(z.string()).default(['**/*']).describe('Globs of the files that form the codebase context (relative to the repo).'),
  exclude: z
    .array(z.string())
    .default([])
    .describe('Globs left out of the context, on top of `.gitignore`, `.harnessignore` and the default excludes.'),
  outputRoot: z
    .string()
    .min(1)
    .refine((root) => outputRootProblem(root) === null, { error: (issue) => outputRootProblem(String(issue.input)) ?? 'invalid' })
    .default('.')
    .describe('Directory generated files are written under, relative to the repo (inside it: no absolute path, no `..`).'),
  ignoredTargets: z
    .enum(['refuse', 'write-uncommitted'])
    .default('refuse')
    .describe(
      'A task whose target git ignores (`.gitignore`, `.git/info/exclude`): `refuse` stops before anything is submitted (exit 2, naming the line); `write-uncommitted` generates and writes it but leaves it out of harness commits.',
    ),
  attempts: positiveInt.default(3).describe('Attempts per task before it is marked failed.'),
  poll: z
    .strictObject({
      initialMs: positiveInt.default(30_000).describe('First wait between polls of a batch.'),
      maxMs: positiveInt.default(300_000).describe('Longest wait between polls (`HARNESS_POLL_MS` caps it further).'),
      factor: z.number().min(1).default(1.5).describe('Growth of the wait after each poll.'),
    })
    .prefault({})
    .describe('How often a running batch is polled.'),
  budget: z
    .strictObject({
      perRunUsd: usd.optional().describe('Most USD one `run`/`init` may commit to (estimated before each submit).'),
      totalUsd: usd.optional().describe('Most USD the repo may spend in total: spent (journal) + in flight + the next submit.'),
    })
    .prefault({})
    .describe('Spending caps: a submit that would cross one stops before the create call (exit 2).'),
  planner: z.enum(['list', 'mirror', 'llm']).default('list').describe('How `init` makes the task list: `list`, `mirror` or `llm`.'),
  mirror: z
    .strictObject({
      rules: z.array(mirrorRule).default([]).describe('Rules of the mirror planner: `{from, to, description?, group?}`.'),
      refresh: z
        .enum(['off', 'new', 'new-and-changed'])
        .default('new-and-changed')
        .describe(
          "With `planner: 'mirror'`, every `run` first applies the rules to today's sources: `new` adds tasks for new sources; `new-and-changed` also re-queues a done target whose source changed (unless the target was edited since it was generated); `off` leaves the task list alone.",
        ),
    })
    .prefault({}),
  templatesDir: z
    .string()
    .optional()
    .describe('Directory of prompt templates replacing the built-in ones (`system.md`, `request.md`, `planner.md`).'),
  scan: z
    .strictObject({
      maxFileBytes: positiveInt.default(512 * 1024).describe('Files larger than this are left out of the context.'),
      concurrency: positiveInt
        .default(128)
        .describe(
          'Files read per turn of the event loop while scanning: the scan reads ranges of this many files, on two threads when there is more than one.',
        ),
    })
    .prefault({}),
  secrets: z
    .strictObject({
      allow: z.array(z.string()).default([]).describe('Secret findings to allow: a path glob, `path:line`, or a secretlint rule id.'),
    })
    .prefault({}),
  packing: z
    .strictObject({
      safetyMargin: z.number().min(0).max(0.9).default(0.25).describe('Share of `maxTokens` kept free in every request.'),
      defaultTaskTokens: positiveInt.default(4_000).describe('Expected output tokens of a task no estimate matches.'),
      estimates: z.array(taskEstimate).default([]).describe('Expected output tokens per path glob `{match, tokens}`; first match wins.'),
    })
    .prefault({}),
  batch: z
    .strictObject({
      maxRequests: positiveInt.max(100_000).default(100_000).describe('Requests per batch (the API allows 100,000).'),
      // The API's limit is "256 MB", not stated to be 2^28 bytes: the decimal figure cannot be refused.
      maxBytes: positiveInt
        .max(BATCH_MAX_BYTES)
        .default(BATCH_MAX_BYTES)
        .describe('Bytes of request JSON per batch: at most 256,000,000 (the API allows "256 MB"; the decimal figure, so no batch is refused).'),
    })
    .prefault({}),
  cache: z
    .strictObject({
      warmup: z
        .boolean()
        .default(true)
        .describe('Write the prompt cache with a one-request batch before a large batch, so its requests all read it.'),
      warmupMinRequests: positiveInt.default(4).describe('Smallest batch that gets a warm-up.'),
      expectedHitRate: z
        .number()
        .min(0)
        .max(1)
        .default(0.3)
        .describe(
          "Share (0 to 1) of the cache reads a batch could make that the expected estimate counts as reads (the rest as writes). Cache hits in batches are best-effort (the official guide: roughly 30–98 %); the default is the guide's low end. `harness status` shows your account's real rate: set it from there.",
        ),
      warmupMaxWaitMs: positiveInt
        .default(15 * 60_000)
        .describe(
          'Longest wait for the warm-up batch, from its submission; after it the batch is submitted anyway. `run --detach` never waits: it submits the warm-up and exits, and a later run submits the batch once the warm-up has ended or this long after it was submitted.',
        ),
    })
    .prefault({}),
  git: z
    .strictObject({
      hooks: z
        .boolean()
        .default(false)
        .describe(
          "Run the repo's git hooks (pre-commit, commit-msg, ...) on harness commits. Off by default: a hook that lints or formats generated code, or checks commit messages, would reject the harness's commits and stop the run after each batch was paid for; lint or review generated code after the run instead. When on, a hook that rejects a commit stops the run (exit 1) with its output and nothing left staged; fix it and `harness run` finishes the step.",
        ),
    })
    .prefault({})
    .describe('How the harness commits.'),
  verify: z
    .strictObject({
      command: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Shell command that checks the generated code (e.g. `npx tsc --noEmit`), run with the system shell in the repo root after every collect that wrote files. It executes generated code: set it only for code you would run. Nothing runs unless it is set.',
        ),
      timeoutMs: positiveInt
        .default(600_000)
        .describe('Longest run of the verify command; past it the process group is killed and the run ends (exit 3).'),
      repairs: z
        .number()
        .int()
        .min(0)
        .default(2)
        .describe('Repair attempts per task named by a failing verify command; past them the task is failed (exit 3).'),
      repairWith: z
        .enum(['batch', 'sync'])
        .default('batch')
        .describe('How repairs are asked for: `batch` (one batch per round) or `sync` (streaming synchronous calls, for a person waiting).'),
      maxOutputBytes: positiveInt.default(65_536).describe("Bytes of the verify command's output kept (its head and tail)."),
    })
    .prefault({})
    .describe('Verify and repair: a command the generated code must pass.'),
  context: z
    .strictObject({
      mode: z
        .enum(['auto', 'full', 'map'])
        .default('auto')
        .describe(
          "What each request sees of the codebase: `full` (the whole codebase, one cached block), `map` (a map of every file plus, in full, the files of the request's group and the files most related to them), `auto` (`full` when every request fits the window with it, else `map`).",
        ),
      groupBudgetTokens: positiveInt
        .optional()
        .describe(
          "Most tokens of a group's own context in `map` mode (its files in full). Default: what is left of the window after the map, the plan, the request and `maxTokens`. A group's own files are always sent, even past it.",
        ),
    })
    .prefault({})
    .describe('Codebases larger than the window: the repo map and a context per group (docs/context.md).'),
  syncMaxTokens: positiveInt
    .optional()
    .describe(
      "`max_tokens` of synchronous calls (`refine`, the llm planner); within the model's standard ceiling. Default: that ceiling (e.g. 128000 for Opus 4.8, 8000 for Haiku 4.5).",
    ),
  models: z
    .record(z.string(), modelOverride)
    .default({})
    .describe('Per-model overrides of the models table (prices, limits), or new models, keyed by id.'),
});

export type HarnessConfigInput = z.input<typeof configSchema>;
/** The config as the schema parses it: output ceilings not yet resolved for the model. */
export type ParsedConfig = z.output<typeof configSchema>;
/** The config the pipeline uses: every field filled, output ceilings resolved for the model. */
export type HarnessConfig = Omit<ParsedConfig, 'maxTokens' | 'syncMaxTokens'> & { maxTokens: number; syncMaxTokens: number };
export type MirrorRule = z.output<typeof mirrorRule>;

/**
 * Unset output ceilings become what the chosen model allows (given values stay as given; they are
 * checked against the model when the workspace opens). An unknown model gets the figures of no
 * model: opening the workspace reports it.
 */
export function resolveConfig(parsed: ParsedConfig): HarnessConfig {
  let model: ModelInfo | null;
  try {
    model = resolveModel(parsed.model, parsed.models);
  } catch {
    model = null;
  }
  return {
    ...parsed,
    maxTokens: parsed.maxTokens ?? (model ? defaultBatchMaxTokens(model) : UNKNOWN_MODEL_MAX_TOKENS),
    syncMaxTokens: parsed.syncMaxTokens ?? (model ? defaultSyncMaxTokens(model) : UNKNOWN_MODEL_MAX_TOKENS),
  };
}

const UNKNOWN_MODEL_MAX_TOKENS = 8_000;

/** Why `root` cannot be the output root (outside the repo, or the repo's own state), or null. */
function outputRootProblem(root: string): string | null {
  const posix = root.replace(/\\/g, '/');
  if (path.posix.isAbsolute(posix) || path.win32.isAbsolute(root) || /^[A-Za-z]:/.test(root)) {
    return `must be a directory inside the repo, relative to it; got the absolute path ${JSON.stringify(root)}`;
  }
  const normal = path.posix.normalize(posix);
  if (normal === '..' || normal.startsWith('../')) return `must be a directory inside the repo; ${JSON.stringify(root)} leads outside it`;
  const first = normal.split('/')[0];
  if (first === '.git' || first === '.harness') return `must not be inside ${first}/; got ${JSON.stringify(root)}`;
  return null;
}

export const defaultConfig: HarnessConfig = resolveConfig(configSchema.parse({}));

/** Identity, for typed `harness.config.ts` files. */
export const defineConfig = (config: HarnessConfigInput): HarnessConfigInput => config;
