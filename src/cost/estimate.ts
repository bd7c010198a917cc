/**
 * What submitting some requests will cost, before any spend. Input tokens come from the shared
 * token estimate (or from count_tokens when the caller has it); cache writes vs reads follow the
 * request order, breakpoint by breakpoint as the API does: each breakpoint's prefix (the codebase;
 * then the earlier stages' files; then the plan) is a cache entry; a request reads the longest
 * prefix an earlier request (or a warm-up) wrote and writes the rest up to its last breakpoint
 * (1h TTL). Output comes from the per-task estimates, with a low/high range.
 */
import { createHash } from 'node:crypto';
import { pricesOf, type ModelInfo } from '../models/models.js';
import { estimateTokens } from '../shared/tokens.js';
import { addUsage, costUsd, sumUsage, zeroUsage, type Usage } from './usage.js';

/** The shape of a batch request the estimator needs (a subset of the SDK params). */
export interface EstimableRequest {
  params: {
    system?: unknown;
    messages: { content: unknown }[];
  };
}

export interface RequestTokens {
  /** Tokens up to and including the last cache breakpoint. */
  cacheable: number;
  /** Tokens after it. */
  uncached: number;
}

/**
 * The cost of some requests as three figures (docs/costs.md#three-figures). Cache hits inside a
 * batch are best-effort, so the cache is the biggest unknown:
 * - low: every request after the first write of each prefix reads it (the order the requests are
 *   sent in), output from the per-task estimates;
 * - expected: of what the low case reads, the share `hitRate` (config `cache.expectedHitRate`) is
 *   read and the rest written again; output from the per-task estimates;
 * - high: every request writes its whole cacheable prefix and writes `max_tokens` of output (a
 *   thinking budget comes out of `max_tokens`, so it is inside this bound too).
 */
export interface Estimate {
  requests: number;
  /** The expected tokens. */
  usage: Usage;
  usageLow: Usage;
  usageHigh: Usage;
  /** Expected cost. */
  usd: number;
  usdLow: number;
  usdHigh: number;
  /** requests × max_tokens: the output of the high figure. */
  outputTokensHigh: number;
  /** The cache hit rate the expected figure assumes. */
  hitRate: number;
  inputSource: 'local-estimate' | 'count_tokens';
}

/** Splits a request's input tokens at its last cache_control breakpoint (tools → system → messages). */
export function requestTokens(req: EstimableRequest): RequestTokens {
  const { cacheable, uncached } = requestPrefixes(req);
  return { cacheable, uncached };
}

interface RequestPrefixes extends RequestTokens {
  /** Each breakpoint's prefix: a key for its exact bytes, and its tokens from the start. */
  points: { key: string; tokens: number }[];
}

function requestPrefixes(req: EstimableRequest): RequestPrefixes {
  const blocks: { text: string; breakpoint: boolean }[] = [];
  const pushContent = (content: unknown) => {
    if (typeof content === 'string') {
      blocks.push({ text: content, breakpoint: false });
      return;
    }
    if (Array.isArray(content)) {
      for (const b of content as { type?: string; text?: string; cache_control?: unknown }[]) {
        blocks.push({ text: typeof b.text === 'string' ? b.text : '', breakpoint: b.cache_control != null });
      }
    }
  };
  if (req.params.system !== undefined) pushContent(req.params.system);
  for (const m of req.params.messages) pushContent(m.content);
  let last = -1;
  blocks.forEach((b, i) => {
    if (b.breakpoint) last = i;
  });
  let cacheable = 0;
  let uncached = 0;
  const points: RequestPrefixes['points'] = [];
  const hash = createHash('sha256');
  blocks.forEach((b, i) => {
    const t = estimateTokens(b.text);
    hash.update(`${b.text.length}:${b.text}`);
    if (i <= last) cacheable += t;
    else uncached += t;
    if (b.breakpoint) points.push({ key: hash.copy().digest('hex'), tokens: cacheable });
  });
  return { cacheable, uncached, points };
}

export interface EstimateInput {
  requests: readonly EstimableRequest[];
  /** Expected output tokens per request (same order). */
  expectedOutput: readonly number[];
  maxTokens: number;
  model: ModelInfo;
  /** Share (0 to 1) of the possible cache reads the expected figure counts as reads (config `cache.expectedHitRate`). */
  hitRate: number;
  /**
   * What is already in the cache: `true`, the first request's whole prefix (a warm-up of this
   * batch ran); a number n, the first request's first n breakpoints (a warm-up of the same
   * codebase ran for an earlier batch: 1, the codebase only); `false`/absent, nothing.
   */
  warm?: boolean | number;
  /** Input tokens per request from count_tokens, when available (same order). */
  countedInput?: readonly number[];
}

export function estimateRequests(input: EstimateInput): Estimate {
  const prices = pricesOf(input.model);
  const hitRate = Math.min(1, Math.max(0, input.hitRate));
  const low: Usage[] = [];
  const expected: Usage[] = [];
  const high: Usage[] = [];
  const cached = new Set<string>();
  const first = input.requests[0];
  if (first && input.warm) {
    const points = requestPrefixes(first).points;
    for (const p of points.slice(0, input.warm === true ? points.length : input.warm)) cached.add(p.key);
  }
  input.requests.forEach((req, i) => {
    const t = requestPrefixes(req);
    const counted = input.countedInput?.[i];
    // count_tokens gives the total; keep the local split between cached and uncached parts.
    const scale = counted !== undefined && t.cacheable + t.uncached > 0 ? counted / (t.cacheable + t.uncached) : 1;
    // Breakpoints whose prefix is too short to be cached are no cache entries (the API ignores them).
    const points = t.points.map((p) => ({ key: p.key, tokens: Math.round(p.tokens * scale) })).filter((p) => p.tokens >= input.model.minCacheTokens);
    const total = Math.round(t.cacheable * scale) + Math.round(t.uncached * scale);
    let read = 0;
    for (const p of points) if (cached.has(p.key)) read = p.tokens;
    const end = points.length > 0 ? points[points.length - 1]!.tokens : 0;
    for (const p of points) cached.add(p.key);
    const output = Math.min(input.maxTokens, Math.max(0, input.expectedOutput[i] ?? 0));
    low.push(cacheUsage(total, end, read, output));
    expected.push(cacheUsage(total, end, Math.round(read * hitRate), output));
    high.push(cacheUsage(total, end, 0, input.maxTokens));
  });
  const usage = sumUsage(expected);
  const usageLow = sumUsage(low);
  const usageHigh = sumUsage(high);
  const at = (u: Usage) => costUsd(u, prices, 'batch');
  return {
    requests: input.requests.length,
    usage,
    usageLow,
    usageHigh,
    usd: at(usage),
    usdLow: at(usageLow),
    usdHigh: at(usageHigh),
    outputTokensHigh: usageHigh.output_tokens,
    hitRate,
    inputSource: input.countedInput ? 'count_tokens' : 'local-estimate',
  };
}

/** One request's usage: `total` input tokens, its prefix of `end` tokens cacheable (1h), `read` of them read. */
function cacheUsage(total: number, end: number, read: number, output: number): Usage {
  const u = zeroUsage();
  u.output_tokens = output;
  u.cache_read_input_tokens = read;
  u.cache_creation_input_tokens = end - read;
  u.cache_creation_1h_input_tokens = end - read;
  u.input_tokens = total - end;
  return u;
}

/** What submitting a planned batch costs: its estimate plus its warm-up batch's, figure by figure. */
export const batchCost = (b: { estimate: Estimate; warmup: Estimate | null }): Estimate => (b.warmup ? withWarmup(b.estimate, b.warmup) : b.estimate);

/** A batch's estimate with its warm-up batch's added to each figure (the warm-up's requests not counted). */
function withWarmup(batch: Estimate, warmup: Estimate): Estimate {
  return {
    ...batch,
    usage: addUsage(batch.usage, warmup.usage),
    usageLow: addUsage(batch.usageLow, warmup.usageLow),
    usageHigh: addUsage(batch.usageHigh, warmup.usageHigh),
    usd: batch.usd + warmup.usd,
    usdLow: batch.usdLow + warmup.usdLow,
    usdHigh: batch.usdHigh + warmup.usdHigh,
    outputTokensHigh: batch.outputTokensHigh + warmup.outputTokensHigh,
  };
}

/** Several batches' estimates as one (requests, tokens and each figure added; the hit rate of the first). */
export function sumEstimates(list: readonly Estimate[]): Estimate | null {
  if (list.length === 0) return null;
  const add = (key: 'usage' | 'usageLow' | 'usageHigh') => sumUsage(list.map((e) => e[key]));
  const total = (key: 'requests' | 'usd' | 'usdLow' | 'usdHigh' | 'outputTokensHigh') => list.reduce((s, e) => s + e[key], 0);
  return {
    requests: total('requests'),
    usage: add('usage'),
    usageLow: add('usageLow'),
    usageHigh: add('usageHigh'),
    usd: total('usd'),
    usdLow: total('usdLow'),
    usdHigh: total('usdHigh'),
    outputTokensHigh: total('outputTokensHigh'),
    hitRate: list[0]!.hitRate,
    inputSource: list.every((e) => e.inputSource === 'count_tokens') ? 'count_tokens' : 'local-estimate',
  };
}
