/**
 * Cache warm-up. Requests of one batch run concurrently, and every request that starts before the
 * first cache write has landed pays the write again (a 1h write costs 2× the input price, a read
 * 0.1×). Before a batch of many requests sharing the codebase prefix, the harness submits a
 * one-request batch carrying exactly that prefix (max_tokens 1) and waits for it, so every request
 * of the real batch reads the cache. `run --detach` never waits: it submits the warm-up and leaves
 * the batch to a later run, which submits it once the warm-up has ended (or `cache.warmupMaxWaitMs`
 * after the warm-up was submitted); see `warmUp` below.
 *
 * A batch, not a synchronous call: whether a cache written by a synchronous call is read by batch
 * requests is not confirmed, and the batch price halves the write. It pays when the batch has more
 * than a few requests: one 1h write at the batch rate (1 × input) instead of W of them for a first
 * wave of W concurrent requests. `cache.warmupMinRequests` sets the threshold; the emulator's cache
 * accounting (requests run in waves) measures it.
 */
import { type Estimate, estimateRequests, requestTokens } from '../cost/estimate.js';
import { type BatchRequest, requestFingerprint } from '../requests/build.js';
import { type BatchRecord, inFlight, type JournalState, type JournalStore } from '../state/journal.js';
import type { CollectOutcome } from './collect-finish.js';
import type { PlannedBatch } from './plan-requests.js';
import { type SubmitOptions, withNonce } from './submit.js';
import type { Workspace } from './workspace.js';

/** A warm-up collected this recently still holds the 1h cache (reads refresh it; keep a margin). */
const WARM_FOR_MS = 50 * 60_000;

const WARMUP_CUSTOM_ID = 'cache-warmup';

export type CacheState = 'warm' | 'warm-up' | 'cold';

/**
 * What the cache will look like for this batch: `warm` when a warm-up batch of the same codebase
 * snapshot ended recently (a resumed run does not pay it again); `warm-up` when one should run
 * first (warm-ups on, enough requests, a prefix long enough to be cached); else `cold` (the first
 * requests write the cache).
 */
export function cacheStateFor(
  ws: Pick<Workspace, 'config' | 'model' | 'now'>,
  requests: readonly BatchRequest[],
  contextSha: string,
  journal: JournalState,
): CacheState {
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
function warmupRequest(first: BatchRequest): BatchRequest {
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
      max_tokens: warmupMaxTokens(first),
      messages: [{ role: 'user', content: [...blocks.slice(0, last + 1), { type: 'text', text: 'Reply with the word: ready' }] }],
    },
  };
}

/**
 * Whether a warm-up of exactly `first`'s prefix (the codebase, the earlier stages' files, the plan)
 * ended recently: its recorded fingerprint is that of the warm-up request built from `first`, with
 * the warm-up's own nonce. A recent warm-up of the same snapshot for an earlier stage, or before a
 * description was edited, warmed the codebase only.
 */
export function prefixWarmedUp(ws: Pick<Workspace, 'now'>, first: BatchRequest, contextSha: string, journal: JournalState): boolean {
  const request = warmupRequest(first);
  const packed = [{ customId: WARMUP_CUSTOM_ID, tasks: [], expectedOutputTokens: 1 }];
  return journal.batches.some(
    (b) =>
      b.intent.purpose === 'warmup' &&
      b.intent.context === contextSha &&
      b.collected &&
      ws.now() - Date.parse(b.collected.at) < WARM_FOR_MS &&
      b.intent.nonce !== undefined &&
      requestFingerprint(withNonce([request], packed, b.intent.nonce).requests) === b.intent.fingerprint,
  );
}

/**
 * 1, or with a thinking budget the least the API accepts (budget + 1): the thinking param stays as
 * the batch sends it, since a change of thinking params invalidates the cached message blocks.
 */
function warmupMaxTokens(first: BatchRequest): number {
  const t = first.params.thinking;
  return t && t.type === 'enabled' ? t.budget_tokens + 1 : 1;
}

/** Estimated tokens of the cacheable prefix (what the warm-up writes). */
const prefixTokens = (first: BatchRequest): number => requestTokens(first).cacheable;

/** The warm-up batch of a batch whose first request is `first`: one write of the prefix. */
export function warmupEstimate(ws: Pick<Workspace, 'model'>, first: BatchRequest): Estimate {
  const max = warmupMaxTokens(first);
  return estimateRequests({ requests: [warmupRequest(first)], expectedOutput: [max], maxTokens: max, model: ws.model, hitRate: 0 });
}

/** What to do about the warm-up of the snapshot `contextSha` before a batch. */
type WarmUpMove =
  /** None is in flight: submit one. */
  | { kind: 'submit' }
  /** --detach: one is running and may still be waited for; the batch is left to a later run. */
  | { kind: 'leave'; record: BatchRecord; leftMs: number }
  /** One is running: wait for it at most `leftMs` more, then go on. */
  | { kind: 'wait'; record: BatchRecord; leftMs: number }
  /** One is running and has been waited for long enough (`cache.warmupMaxWaitMs`): go without it. */
  | { kind: 'go'; record: BatchRecord };

function warmUpMove(journal: JournalState, contextSha: string, nowMs: number, maxWaitMs: number, detach: boolean): WarmUpMove {
  const record = inFlight(journal).find((b) => b.intent.purpose === 'warmup' && b.intent.context === contextSha);
  if (!record) return { kind: 'submit' };
  const since = Date.parse(record.submittedAt ?? record.intent.at);
  const leftMs = Number.isFinite(since) ? maxWaitMs - (nowMs - since) : maxWaitMs;
  if (leftMs <= 0) return { kind: 'go', record };
  return detach ? { kind: 'leave', record, leftMs } : { kind: 'wait', record, leftMs };
}

/** The stages a warm-up uses (the run loop's). */
export interface WarmUpDeps<W> {
  journal: JournalStore;
  submitBatch(ws: W, planned: Pick<PlannedBatch, 'requests' | 'packed' | 'estimate'>, journal: JournalState, options: SubmitOptions): Promise<string>;
  waitForEnd(ws: W, records: BatchRecord[], until: 'any' | 'all', maxWaitMs?: number): Promise<boolean>;
  collectEnded(ws: W, record: BatchRecord): Promise<CollectOutcome>;
}

export type WarmUpWorkspace = Pick<Workspace, 'config' | 'model' | 'now' | 'reporter'>;

/**
 * Writes the codebase cache before `batch`: a one-request batch with the same prefix (or the one a
 * crashed run already submitted), waited for and collected. If it has not ended
 * `cache.warmupMaxWaitMs` after it was submitted, the batch goes ahead anyway and the warm-up is
 * collected later. With `detach` nothing waits: the warm-up is submitted and the batch is left for
 * a later run (`proceed: false`), which submits it once the warm-up has ended (collected at the
 * start of that run) or once the longest wait has passed.
 */
export async function warmUp<W extends WarmUpWorkspace>(
  ws: W,
  deps: WarmUpDeps<W>,
  batch: PlannedBatch,
  contextSha: string,
  detach: boolean,
): Promise<{ outcome: CollectOutcome | null; proceed: boolean }> {
  const maxWaitMs = ws.config.cache.warmupMaxWaitMs;
  const move = async () => warmUpMove(await deps.journal.read(), contextSha, ws.now(), maxWaitMs, detach);
  let next = await move();
  if (next.kind === 'submit') {
    const first = batch.requests[0]!;
    const warm = {
      requests: [warmupRequest(first)],
      packed: [{ customId: WARMUP_CUSTOM_ID, tasks: [], expectedOutputTokens: 1 }],
      estimate: warmupEstimate(ws, first),
    };
    const id = await deps.submitBatch(ws, warm, await deps.journal.read(), { purpose: 'warmup', context: contextSha });
    if (detach) {
      ws.reporter.info(`cache warm-up ${id} submitted; the next \`harness run\` (or --detach) submits the batch once it has ended`);
      return { outcome: null, proceed: false };
    }
    next = await move();
  }
  if (next.kind === 'submit') throw new Error('the warm-up batch just submitted is not in the journal');
  if (next.kind === 'leave') {
    ws.reporter.info(
      `cache warm-up ${next.record.batchId} still running; the batch waits for it (at most ${Math.ceil(next.leftMs / 1000)} s more, cache.warmupMaxWaitMs)`,
    );
    return { outcome: null, proceed: false };
  }
  const ended = next.kind === 'wait' && (await deps.waitForEnd(ws, [next.record], 'all', next.leftMs));
  if (!ended) {
    ws.reporter.warn(`cache warm-up ${next.record.batchId} still running after ${Math.round(maxWaitMs / 1000)} s: submitting without waiting longer`);
    return { outcome: null, proceed: true };
  }
  return { outcome: await deps.collectEnded(ws, next.record), proceed: true };
}
