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
import { costUsd, sumUsage, zeroUsage, type Usage } from './usage.js';

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

export interface Estimate {
  requests: number;
  usage: Usage;
  /** Expected cost (expected output); low/high bound the output between half and the full max_tokens. */
  usd: number;
  usdLow: number;
  usdHigh: number;
  outputTokensLow: number;
  outputTokensHigh: number;
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
  const usages: Usage[] = [];
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
    const u = zeroUsage();
    u.output_tokens = Math.min(input.maxTokens, input.expectedOutput[i] ?? 0);
    u.cache_read_input_tokens = read;
    u.cache_creation_input_tokens = end - read;
    u.cache_creation_1h_input_tokens = end - read;
    u.input_tokens = total - end;
    usages.push(u);
  });
  const usage = sumUsage(usages);
  const outputLow = Math.round(usage.output_tokens / 2);
  const outputHigh = input.requests.length * input.maxTokens;
  const at = (output: number) => costUsd({ ...usage, output_tokens: output }, prices, 'batch');
  return {
    requests: input.requests.length,
    usage,
    usd: at(usage.output_tokens),
    usdLow: at(outputLow),
    usdHigh: at(outputHigh),
    outputTokensLow: outputLow,
    outputTokensHigh: outputHigh,
    inputSource: input.countedInput ? 'count_tokens' : 'local-estimate',
  };
}
