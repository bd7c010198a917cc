/**
 * Cache warm-up. Requests of one batch run concurrently, and every request that starts before the
 * first cache write has landed pays the write again (2× the input price for a 1h write, instead of
 * 0.1× for a read). For a batch of many requests sharing the codebase prefix, one tiny synchronous
 * call with exactly that prefix writes the cache first, so every batch request reads it.
 *
 * It pays when the batch has more than a few requests: the call costs one sync 1h write of the
 * prefix (2 × input, standard rate); without it the first wave of W concurrent requests pays
 * W × 1.0 × input (a 1h write at the batch discount) where reads would cost 0.05 × input each.
 * `cache.warmupMinRequests` sets the threshold; the emulator's cache accounting measures it.
 */
import { apiError } from '../batch/retry.js';
import { costUsd, usageFromApi, zeroUsage, type Usage } from '../cost/usage.js';
import { requestTokens } from '../cost/estimate.js';
import { pricesOf } from '../models/models.js';
import type { BatchRequest } from '../requests/build.js';
import { appendJournal, calls, nowIso, type JournalState } from '../state/journal.js';
import type { Workspace } from './workspace.js';

type Params = BatchRequest['params'];
type Block = { type: string; text?: string; cache_control?: unknown };

/** A warm-up younger than this still holds the 1h cache (reads refresh it; keep a margin). */
const WARM_FOR_MS = 50 * 60_000;

export type CacheState = 'warm' | 'warm-up' | 'cold';

/**
 * What the cache will look like for this batch: `warm` when a synchronous call with the same
 * codebase snapshot (a warm-up, the llm planner, a refine) ran recently, so a resumed run does not
 * pay a warm-up again; `warm-up` when a call should run first (warm-ups on, enough requests, a
 * prefix long enough to be cached); else `cold` (the first request writes the cache).
 */
export function cacheStateFor(ws: Workspace, requests: readonly BatchRequest[], contextSha: string, journal: JournalState): CacheState {
  const first = requests[0];
  if (!first || warmupUsage(first).cache_creation_input_tokens < ws.model.minCacheTokens) return 'cold';
  const now = ws.now();
  if (calls(journal).some((c) => c.context === contextSha && now - Date.parse(c.at) < WARM_FOR_MS)) return 'warm';
  return ws.config.cache.warmup && requests.length >= ws.config.cache.warmupMinRequests ? 'warm-up' : 'cold';
}

/**
 * The warm-up call's params: the request's system prompt and content up to and including its last
 * cache breakpoint (byte for byte, so the cache key is the same), then a one-word question.
 * Null when the request has no breakpoint in its first message.
 */
export function warmupParams(first: BatchRequest): Params | null {
  const message = first.params.messages[0];
  if (!message || !Array.isArray(message.content)) return null;
  const blocks = message.content as Block[];
  let last = -1;
  blocks.forEach((b, i) => {
    if (b.cache_control != null) last = i;
  });
  if (last < 0) return null;
  return {
    ...first.params,
    max_tokens: 1,
    messages: [{ role: 'user', content: [...blocks.slice(0, last + 1), { type: 'text', text: 'Reply with the word: ready' }] }],
  } as Params;
}

/** Expected usage of the warm-up call (a write of the whole cacheable prefix). */
export function warmupUsage(first: BatchRequest): Usage {
  const params = warmupParams(first);
  if (!params) return zeroUsage();
  const t = requestTokens({ params });
  return { ...zeroUsage(), input_tokens: t.uncached, output_tokens: 1, cache_creation_input_tokens: t.cacheable, cache_creation_1h_input_tokens: t.cacheable };
}

/** Sends the warm-up call and records what it cost; failures only warn (the batch still works). */
export async function warmCache(ws: Workspace, first: BatchRequest, contextSha: string): Promise<Usage | null> {
  const params = warmupParams(first);
  if (!params) return null;
  try {
    const message = await ws.client().messages.create(params as Parameters<ReturnType<Workspace['client']>['messages']['create']>[0] & { stream?: false });
    const usage = usageFromApi(message.usage);
    const cost = costUsd(usage, pricesOf(ws.model, ws.configLabel), 'sync');
    await appendJournal(ws.repoDir, { type: 'call', purpose: 'warmup', at: nowIso(), context: contextSha, usage, costUsd: cost });
    ws.reporter.info(
      `cache warm-up: ${usage.cache_creation_input_tokens} tokens written, ${usage.cache_read_input_tokens} read ($${cost.toFixed(4)})`,
    );
    return usage;
  } catch (error) {
    ws.reporter.warn(`cache warm-up failed (${apiError('warm-up', error).message}); submitting without it`);
    return null;
  }
}
