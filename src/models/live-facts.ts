/**
 * Live model facts: what the Models API (`GET /v1/models/{id}`) says of the configured model, over
 * what the models table believes. The pure half, `judgeModelFacts`, decides what to use and what to
 * refuse or warn about; the thin effect half, `fetchModelFacts`, asks the API through the same
 * client (and base URL) as every other call, and caches the answer in `.harness/model-facts.json`
 * for a day, keyed by base URL and model id (only when that directory exists). Offline or on an error it falls back (to a stale cache
 * entry, else the table) and says why; it never throws for the network.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { writeFileAtomic } from '../shared/atomic-write.js';
import type { ModelInfo } from './models.js';

const MODEL_FACTS_FILE = 'model-facts.json';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The facts the harness reads from the Models API (SDK 1.13 `ModelInfo`). */
export interface LiveModelFacts {
  id: string;
  displayName: string;
  /** `max_input_tokens`: the context window (null when the API does not say). */
  contextWindow: number | null;
  /** `max_tokens`: the standard output ceiling (null when the API does not say). */
  maxOutput: number | null;
  lifecycle: 'active' | 'deprecated' | 'retired';
  deprecatedAt: string | null;
  retiresAt: string | null;
  /** `capabilities.batch.supported`; null when the API gives no capabilities. */
  batch: boolean | null;
  /** `capabilities.thinking.types`: `enabled` (budgeted) and `adaptive`; null when not given. */
  thinking: { budget: boolean; adaptive: boolean } | null;
}

const supported = z.object({ supported: z.boolean() }).loose();
const modelInfoSchema = z
  .object({
    id: z.string().min(1),
    display_name: z.string().default(''),
    max_input_tokens: z.number().int().positive().nullable().default(null),
    max_tokens: z.number().int().positive().nullable().default(null),
    lifecycle: z.enum(['active', 'deprecated', 'retired']).default('active'),
    deprecated_at: z.string().nullable().default(null),
    retires_at: z.string().nullable().default(null),
    capabilities: z
      .object({
        batch: supported.optional(),
        thinking: z
          .object({ types: z.object({ enabled: supported.optional(), adaptive: supported.optional() }).loose() })
          .loose()
          .optional(),
      })
      .loose()
      .nullable()
      .default(null),
  })
  .loose();

/** The facts of a Models API answer; throws (zod) when it is not one. */
function factsFromApi(body: unknown): LiveModelFacts {
  const m = modelInfoSchema.parse(body);
  const types = m.capabilities?.thinking?.types;
  return {
    id: m.id,
    displayName: m.display_name || m.id,
    contextWindow: m.max_input_tokens,
    maxOutput: m.max_tokens,
    lifecycle: m.lifecycle,
    deprecatedAt: m.deprecated_at,
    retiresAt: m.retires_at,
    batch: m.capabilities?.batch ? m.capabilities.batch.supported : null,
    thinking: types ? { budget: types.enabled?.supported ?? false, adaptive: types.adaptive?.supported ?? false } : null,
  };
}

export interface ModelJudgement {
  /** The table's row with the live window, ceiling and thinking types over it. */
  use: ModelInfo;
  /** Reasons to refuse the model (exit 2 before anything is sent): retired, or no batch support. */
  problems: string[];
  /** Things to say and go on (deprecated, where the table was wrong). */
  warnings: string[];
}

export interface JudgeOptions {
  /** Batches need `capabilities.batch`; synchronous calls do not. Default 'batch'. */
  mode?: 'batch' | 'sync';
  /** The Models API answered 404 for this id. */
  notFound?: boolean;
  /**
   * Figures the config sets for this model (`models[id]`): a person's own limit, kept when it is
   * the tighter one (the API's figure wins only when it is lower).
   */
  configured?: { contextWindow?: number | undefined; maxOutput?: number | undefined } | undefined;
}

/** Pure: what to use of the table and the live facts, what to refuse, what to warn about. */
export function judgeModelFacts(table: ModelInfo, live: LiveModelFacts | null, options: JudgeOptions = {}): ModelJudgement {
  if (options.notFound) {
    // Not a refusal: a model described in the config, or a gateway without the Models API, can
    // answer 404 here and still serve messages; the create call will say if it does not.
    return {
      use: table,
      problems: [],
      warnings: [
        `the Models API does not know model "${table.id}" (404): using the figures of the table or the config; requests naming it may be refused`,
      ],
    };
  }
  if (!live) return { use: table, problems: [], warnings: [] };
  const problems: string[] = [];
  const warnings: string[] = [];
  const name = `${table.label} (${table.id})`;
  if (live.lifecycle === 'retired') {
    problems.push(`${name} is retired${live.retiresAt ? ` (since ${live.retiresAt})` : ''}: the API refuses every request naming it`);
  } else if (live.lifecycle === 'deprecated') {
    warnings.push(
      `${name} is deprecated${live.retiresAt ? ` and retires at ${live.retiresAt}` : ' (no retirement date announced yet)'}: move to a current model before then`,
    );
  }
  if ((options.mode ?? 'batch') === 'batch' && live.batch === false) {
    problems.push(`${name} does not support the Message Batches API (capabilities.batch is false)`);
  }
  const use: ModelInfo = { ...table };
  const pinned = options.configured ?? {};
  const keepWindow = pinned.contextWindow !== undefined && live.contextWindow !== null && pinned.contextWindow <= live.contextWindow;
  const keepOutput = pinned.maxOutput !== undefined && live.maxOutput !== null && pinned.maxOutput <= live.maxOutput;
  if (live.contextWindow !== null && live.contextWindow !== table.contextWindow && !keepWindow) {
    warnings.push(`the Models API gives ${table.id} a window of ${live.contextWindow} tokens (the table: ${table.contextWindow}); using the API's`);
    use.contextWindow = live.contextWindow;
  }
  if (live.maxOutput !== null && live.maxOutput !== table.maxOutput && !keepOutput) {
    warnings.push(`the Models API gives ${table.id} an output ceiling of ${live.maxOutput} tokens (the table: ${table.maxOutput}); using the API's`);
    use.maxOutput = live.maxOutput;
    if (use.extendedMaxOutput !== null && use.extendedMaxOutput < live.maxOutput) use.extendedMaxOutput = null;
  }
  if (live.thinking) {
    use.thinking = { budget: live.thinking.budget ? 'yes' : 'no', adaptive: live.thinking.adaptive ? 'yes' : 'no' };
  }
  return { use, problems, warnings };
}

export interface FetchedModelFacts {
  /** `live`: the API answered now; `cache`: an answer from `.harness/` (fresh, or stale when the API failed); `table`: none. */
  source: 'live' | 'cache' | 'table';
  facts: LiveModelFacts | null;
  /** When the facts were fetched (RFC 3339), null for `table`. */
  fetchedAt: string | null;
  /** Why the live call failed, when it was tried and failed. */
  error: string | null;
  /** The API answered 404 for this id (then `facts` is null). */
  notFound: boolean;
}

export interface FetchOptions {
  /** The `.harness/` directory of the repo. */
  stateDir: string;
  now?: () => number;
  /** Refresh a cached answer older than this (default one day). */
  maxAgeMs?: number;
}

const cacheEntry = z.object({ fetchedAt: z.string(), body: z.unknown() });
const cacheFile = z.object({ version: z.literal(1), entries: z.record(z.string(), cacheEntry) });
type CacheFile = z.infer<typeof cacheFile>;

async function readCache(file: string): Promise<CacheFile> {
  try {
    return cacheFile.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return { version: 1, entries: {} }; // missing or damaged: it only costs a call
  }
}

/** The Models API's answer for `id`, from the cache when under a day old; never throws for the network or the API. */
export async function fetchModelFacts(client: Pick<Anthropic, 'models' | 'baseURL'>, id: string, options: FetchOptions): Promise<FetchedModelFacts> {
  const now = options.now ?? Date.now;
  const file = path.join(options.stateDir, MODEL_FACTS_FILE);
  const key = `${client.baseURL.replace(/\/+$/, '')} ${id}`;
  const cache = await readCache(file);
  const cached = cache.entries[key];
  let stale: { facts: LiveModelFacts; fetchedAt: string } | null = null;
  if (cached) {
    try {
      const facts = factsFromApi(cached.body);
      const age = now() - Date.parse(cached.fetchedAt);
      if (age >= 0 && age < (options.maxAgeMs ?? DAY_MS))
        return { source: 'cache', facts, fetchedAt: cached.fetchedAt, error: null, notFound: false };
      stale = { facts, fetchedAt: cached.fetchedAt };
    } catch {
      // a damaged entry is refetched
    }
  }
  let body: unknown;
  try {
    body = await client.models.retrieve(id, {}, { timeout: 30_000, maxRetries: 1 });
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status === 404) return { source: 'table', facts: null, fetchedAt: null, error: 'the Models API answered 404', notFound: true };
    const why = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return stale
      ? { source: 'cache', ...stale, error: why, notFound: false }
      : { source: 'table', facts: null, fetchedAt: null, error: why, notFound: false };
  }
  let facts: LiveModelFacts;
  try {
    facts = factsFromApi(body);
  } catch (error) {
    const why = `the Models API's answer is not a model (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    return stale
      ? { source: 'cache', ...stale, error: why, notFound: false }
      : { source: 'table', facts: null, fetchedAt: null, error: why, notFound: false };
  }
  const fetchedAt = new Date(now()).toISOString();
  cache.entries[key] = { fetchedAt, body };
  try {
    // Only into an existing state dir: asking about a model never creates `.harness/` in a repo.
    await writeFileAtomic(file, `${JSON.stringify(cache, null, 2)}\n`, { createParents: false });
  } catch {
    // no state dir yet, or an unwritable one: it only costs the next call
  }
  return { source: 'live', facts, fetchedAt, error: null, notFound: false };
}
