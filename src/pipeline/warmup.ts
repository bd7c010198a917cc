/**
 * Cache warm-up. Requests of one batch run concurrently, and every request that starts before the
 * first cache write has landed pays the write again (a 1h write costs 2× the input price, a read
 * 0.1×). Before a batch of many requests sharing the codebase prefix, the harness submits a
 * one-request batch carrying exactly that prefix (max_tokens 1) and waits for it, so every request
 * of the real batch reads the cache. `run --detach` never waits: it submits the warm-up and leaves
 * the batch to a later run, which submits it once the warm-up has ended (or `cache.warmupMaxWaitMs`
 * after the warm-up was submitted); see `warmUp` in run.ts.
 *
 * A batch, not a synchronous call: whether a cache written by a synchronous call is read by batch
 * requests is not confirmed, and the batch price halves the write. It pays when the batch has more
 * than a few requests: one 1h write at the batch rate (1 × input) instead of W of them for a first
 * wave of W concurrent requests. `cache.warmupMinRequests` sets the threshold; the emulator's cache
 * accounting (requests run in waves) measures it.
 */
import { requestTokens } from '../cost/estimate.js';
import type { BatchRequest } from '../requests/build.js';
import type { BatchRecord, JournalState } from '../state/journal.js';
import type { Workspace } from './workspace.js';

/** A warm-up collected this recently still holds the 1h cache (reads refresh it; keep a margin). */
const WARM_FOR_MS = 50 * 60_000;

export const WARMUP_CUSTOM_ID = 'cache-warmup';

export type CacheState = 'warm' | 'warm-up' | 'cold';

/**
 * What the cache will look like for this batch: `warm` when a warm-up batch of the same codebase
 * snapshot ended recently (a resumed run does not pay it again); `warm-up` when one should run
 * first (warm-ups on, enough requests, a prefix long enough to be cached); else `cold` (the first
 * requests write the cache).
 */
export function cacheStateFor(ws: Workspace, requests: readonly BatchRequest[], contextSha: string, journal: JournalState): CacheState {
  const first = requests[0];
  if (!first || prefixTokens(first) < ws.model.minCacheTokens) return 'cold';
  if (recentWarmup(journal, contextSha, ws.now())) return 'warm';
  return ws.config.cache.warmup && requests.length >= ws.config.cache.warmupMinRequests ? 'warm-up' : 'cold';
}

function recentWarmup(journal: JournalState, contextSha: string, now: number): BatchRecord | undefined {
  return journal.batches.find(
    (b) => b.intent.purpose === 'warmup' && b.intent.context === contextSha && b.collected && now - Date.parse(b.collected.at) < WARM_FOR_MS,
  );
}

/**
 * The warm-up request: the batch request's system prompt and content up to and including its last
 * cache breakpoint, byte for byte (so the cache key is the same), then a one-word question.
 */
export function warmupRequest(first: BatchRequest): BatchRequest {
  const message = first.params.messages[0];
  const blocks = message && Array.isArray(message.content) ? message.content : [];
  let last = -1;
  blocks.forEach((b, i) => {
    if ('cache_control' in b && b.cache_control != null) last = i;
  });
  return {
    custom_id: WARMUP_CUSTOM_ID,
    params: {
      ...first.params,
      max_tokens: 1,
      messages: [{ role: 'user', content: [...blocks.slice(0, last + 1), { type: 'text', text: 'Reply with the word: ready' }] }],
    },
  };
}

/** Estimated tokens of the cacheable prefix (what the warm-up writes). */
const prefixTokens = (first: BatchRequest): number => requestTokens(first).cacheable;
