/** Token usage as the API reports it, summed over requests, and its price in USD. */
import { z } from 'zod';
import { PRICE_FACTORS, type Prices } from '../models/models.js';

export const usageSchema = z.object({
  input_tokens: z.number().nonnegative().default(0),
  output_tokens: z.number().nonnegative().default(0),
  cache_creation_input_tokens: z.number().nonnegative().default(0),
  cache_read_input_tokens: z.number().nonnegative().default(0),
  /** Split of cache_creation_input_tokens by TTL (1h writes cost more). */
  cache_creation_5m_input_tokens: z.number().nonnegative().default(0),
  cache_creation_1h_input_tokens: z.number().nonnegative().default(0),
  /** Of output_tokens, those the API reports as thinking (`output_tokens_details.thinking_tokens`); 0 when it does not say. */
  thinking_output_tokens: z.number().nonnegative().default(0),
});
export type Usage = z.output<typeof usageSchema>;

export const zeroUsage = (): Usage => usageSchema.parse({});

/** Normalises an API `usage` object (any extra fields ignored, nulls as 0). */
export function usageFromApi(u: unknown): Usage {
  const o = (u ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const creation = num(o.cache_creation_input_tokens);
  const split = (o.cache_creation ?? {}) as Record<string, unknown>;
  let w5 = num(split.ephemeral_5m_input_tokens);
  let w1 = num(split.ephemeral_1h_input_tokens);
  // Without a split, count every write at the dearer 1h rate: estimates err on the safe side.
  if (w5 + w1 !== creation) {
    w5 = 0;
    w1 = creation;
  }
  return {
    input_tokens: num(o.input_tokens),
    output_tokens: num(o.output_tokens),
    cache_creation_input_tokens: creation,
    cache_read_input_tokens: num(o.cache_read_input_tokens),
    cache_creation_5m_input_tokens: w5,
    cache_creation_1h_input_tokens: w1,
    thinking_output_tokens: num(((o.output_tokens_details ?? {}) as Record<string, unknown>).thinking_tokens),
  };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_creation_input_tokens: a.cache_creation_input_tokens + b.cache_creation_input_tokens,
    cache_read_input_tokens: a.cache_read_input_tokens + b.cache_read_input_tokens,
    cache_creation_5m_input_tokens: a.cache_creation_5m_input_tokens + b.cache_creation_5m_input_tokens,
    cache_creation_1h_input_tokens: a.cache_creation_1h_input_tokens + b.cache_creation_1h_input_tokens,
    thinking_output_tokens: a.thinking_output_tokens + b.thinking_output_tokens,
  };
}

export const sumUsage = (list: Iterable<Usage>): Usage => {
  let total = zeroUsage();
  for (const u of list) total = addUsage(total, u);
  return total;
};

/**
 * The one price function: usage → USD. Cache multipliers apply to the input price, and the batch
 * discount applies to every token kind (they stack, as the reference says).
 */
export function costUsd(usage: Usage, prices: Prices, mode: 'batch' | 'sync'): number {
  const m = mode === 'batch' ? PRICE_FACTORS.batch : 1;
  const input = prices.input * m;
  const output = prices.output * m;
  const uncategorisedWrites = usage.cache_creation_input_tokens - usage.cache_creation_5m_input_tokens - usage.cache_creation_1h_input_tokens;
  const micro =
    usage.input_tokens * input +
    usage.output_tokens * output +
    usage.cache_creation_5m_input_tokens * input * PRICE_FACTORS.cacheWrite5m +
    (usage.cache_creation_1h_input_tokens + Math.max(0, uncategorisedWrites)) * input * PRICE_FACTORS.cacheWrite1h +
    usage.cache_read_input_tokens * input * PRICE_FACTORS.cacheRead;
  return micro / 1_000_000;
}

/** What the same tokens would cost as synchronous calls with no caching at all. */
export function naiveSyncCostUsd(usage: Usage, prices: Prices): number {
  const allInput = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens;
  return (allInput * prices.input + usage.output_tokens * prices.output) / 1_000_000;
}

/**
 * What the same files would cost generated the naive way: one synchronous call per file, each
 * sending the whole prompt (codebase included) uncached. The prompt of one call is taken as the
 * batch's average input per request; the output is the same.
 */
export function naivePerFileCostUsd(usage: Usage, requests: number, files: number, prices: Prices): number {
  if (requests === 0) return 0;
  const inputPerRequest = (usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens) / requests;
  return (inputPerRequest * Math.max(files, requests) * prices.input + usage.output_tokens * prices.output) / 1_000_000;
}

/** Share of context (cacheable input) tokens that were read from the cache. */
export function cacheReadShare(usage: Usage): number {
  const cacheable = usage.cache_creation_input_tokens + usage.cache_read_input_tokens;
  return cacheable === 0 ? 0 : usage.cache_read_input_tokens / cacheable;
}

/** USD rounded for display and trailers (micro-dollars kept). */
export const formatUsd = (usd: number): string => usd.toFixed(usd < 1 ? 4 : 2);
