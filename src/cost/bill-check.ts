/**
 * The estimate set against the bill, batch by batch: where the bill fell in the estimate's range,
 * the cache hit rate the account really got, and what each cache warm-up batch earned. Pure: the
 * status report (pipeline/status.ts) feeds it the journal's batches.
 */
import { PRICE_FACTORS, type Prices } from '../models/models.js';
import { costUsd, type Usage } from './usage.js';

/** What this module needs of a batch (a subset of the status report's batch). */
export interface JudgedBatch {
  id: string;
  purpose: 'tasks' | 'warmup' | 'repair';
  /** sha256 of the codebase context its requests carried (null in older journals). */
  context: string | null;
  created_at: string | null;
  estimate_usd: number;
  estimate_usd_low: number | null;
  estimate_usd_high: number | null;
  /**
   * Share of the estimated input tokens the low figure read from the cache: every read the requests
   * could make. A share, not a count, so the estimator's token error (the same for all its input)
   * cancels out against the bill.
   */
  possible_read_share: number | null;
  usage: Usage | null;
  cost_usd: number | null;
}

/**
 * The hit rate a batch got, in the sense of `cache.expectedHitRate`: the share of its billed input
 * read from the cache over the share the low figure could read. Null before the bill, for older
 * journals (no range recorded) and when no request could read anything. Above 1 only when the
 * estimator missed a cacheable prefix; kept as measured.
 */
export function hitRate(b: Pick<JudgedBatch, 'possible_read_share' | 'usage'>): number | null {
  if (!b.usage || b.possible_read_share === null || b.possible_read_share <= 0) return null;
  const input = inputTokens(b.usage);
  return input === 0 ? null : b.usage.cache_read_input_tokens / input / b.possible_read_share;
}

const inputTokens = (u: Usage) => u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;

/** The share of an estimate's input the low figure reads (intent `range.low`). */
export function possibleReadShare(low: Usage | undefined): number | null {
  if (!low) return null;
  const input = inputTokens(low);
  return input === 0 ? null : low.cache_read_input_tokens / input;
}

/** Where the bill fell: `below`, `within` or `above` the low–high range; null without a bill or a range. */
export function billInRange(b: Pick<JudgedBatch, 'estimate_usd_low' | 'estimate_usd_high' | 'cost_usd'>): 'below' | 'within' | 'above' | null {
  if (b.cost_usd === null || b.estimate_usd_low === null || b.estimate_usd_high === null) return null;
  const eps = 1e-9;
  if (b.cost_usd < b.estimate_usd_low - eps) return 'below';
  return b.cost_usd > b.estimate_usd_high + eps ? 'above' : 'within';
}

/**
 * The account's hit rate over every collected batch (tasks, repairs) with a recorded range: their
 * billed cache reads over the reads they could have made (each batch's possible share of its billed
 * input). Warm-ups are left out: they write by design. Null when none.
 */
export function accountHitRate(batches: readonly JudgedBatch[]): { rate: number; batches: number } | null {
  let read = 0;
  let possible = 0;
  let n = 0;
  for (const b of batches) {
    if (b.purpose === 'warmup' || hitRate(b) === null) continue;
    read += b.usage!.cache_read_input_tokens;
    possible += inputTokens(b.usage!) * b.possible_read_share!;
    n++;
  }
  return n === 0 ? null : { rate: read / possible, batches: n };
}

/** What one warm-up batch earned, measured from `usage`. */
export interface WarmupEffect {
  warmup: string;
  /** The first batch (tasks or repairs) of the same codebase submitted after it; null while there is none collected. */
  batch: string | null;
  /** What the warm-up cost (its bill). */
  cost_usd: number;
  /** Tokens the warm-up wrote to the cache (the prefix). */
  written_tokens: number;
  /** Tokens the batch after it read from the cache, and wrote to it. */
  batch_read_tokens: number;
  batch_written_tokens: number;
  /** Those reads at the cache-read price, and the same tokens as 1-hour writes (what a miss costs). */
  reads_usd: number;
  as_writes_usd: number;
  /**
   * Net saving after the warm-up's cost, between the case where, without the warm-up, one request
   * would have written the prefix and the others read it (`saved_usd_low`, at most a little below 0)
   * and the case where every read would have been a write (`saved_usd_high`). Null without prices.
   */
  saved_usd_low: number | null;
  saved_usd_high: number | null;
}

/** Each collected warm-up batch, set against the task batch that came after it. */
export function warmupEffects(batches: readonly JudgedBatch[], prices: Prices | null): WarmupEffect[] {
  const out: WarmupEffect[] = [];
  const time = (b: JudgedBatch) => (b.created_at ? Date.parse(b.created_at) : Number.NaN);
  for (const w of batches) {
    if (w.purpose !== 'warmup' || !w.usage || w.cost_usd === null) continue;
    const next = batches
      .filter((b) => b.purpose !== 'warmup' && b.usage && b.context !== null && b.context === w.context && time(b) >= time(w))
      .sort((a, b) => time(a) - time(b))[0];
    const read = next?.usage?.cache_read_input_tokens ?? 0;
    const written = w.usage.cache_creation_input_tokens;
    const tokens = (n: number, kind: 'cache_read_input_tokens' | 'cache_creation_1h_input_tokens') => {
      const u: Usage = {
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: kind === 'cache_creation_1h_input_tokens' ? n : 0,
        cache_read_input_tokens: kind === 'cache_read_input_tokens' ? n : 0,
        cache_creation_5m_input_tokens: 0,
        cache_creation_1h_input_tokens: kind === 'cache_creation_1h_input_tokens' ? n : 0,
        thinking_output_tokens: 0,
      };
      return prices ? costUsd(u, prices, 'batch') : null;
    };
    const readsUsd = tokens(read, 'cache_read_input_tokens');
    const asWrites = tokens(read, 'cache_creation_1h_input_tokens');
    // Without the warm-up, at best one request writes what the others now read: the prefix once.
    const once = Math.min(read, written);
    const onceSaved = prices ? once * ((prices.input * PRICE_FACTORS.batch) / 1e6) * (PRICE_FACTORS.cacheWrite1h - PRICE_FACTORS.cacheRead) : null;
    out.push({
      warmup: w.id,
      batch: next?.id ?? null,
      cost_usd: w.cost_usd,
      written_tokens: written,
      batch_read_tokens: read,
      batch_written_tokens: next?.usage?.cache_creation_input_tokens ?? 0,
      reads_usd: readsUsd ?? 0,
      as_writes_usd: asWrites ?? 0,
      saved_usd_low: onceSaved === null || !next ? null : onceSaved - w.cost_usd,
      saved_usd_high: asWrites === null || readsUsd === null || !next ? null : asWrites - readsUsd - w.cost_usd,
    });
  }
  return out;
}
