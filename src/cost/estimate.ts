/**
 * What submitting some requests will cost, before any spend. Input tokens come from the shared
 * token estimate (or from count_tokens when the caller has it); cache writes vs reads follow the
 * request order: the first request with the codebase prefix writes it (1h TTL), the others read
 * it; output comes from the per-task estimates, with a low/high range.
 */
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
  blocks.forEach((b, i) => {
    const t = estimateTokens(b.text);
    if (i <= last) cacheable += t;
    else uncached += t;
  });
  return { cacheable, uncached };
}

export interface EstimateInput {
  requests: readonly EstimableRequest[];
  /** Expected output tokens per request (same order). */
  expectedOutput: readonly number[];
  maxTokens: number;
  model: ModelInfo;
  /** The prefix is already in the cache (a warm-up ran, or an earlier batch within the TTL). */
  warm?: boolean;
  /** Input tokens per request from count_tokens, when available (same order). */
  countedInput?: readonly number[];
}

export function estimateRequests(input: EstimateInput): Estimate {
  const prices = pricesOf(input.model);
  const usages: Usage[] = [];
  let written = input.warm ?? false;
  input.requests.forEach((req, i) => {
    const t = requestTokens(req);
    const counted = input.countedInput?.[i];
    // count_tokens gives the total; keep the local split between cached and uncached parts.
    const scale = counted !== undefined && t.cacheable + t.uncached > 0 ? counted / (t.cacheable + t.uncached) : 1;
    const cacheable = Math.round(t.cacheable * scale);
    const uncached = Math.round(t.uncached * scale);
    const cacheHit = cacheable >= input.model.minCacheTokens;
    const u = zeroUsage();
    u.output_tokens = Math.min(input.maxTokens, input.expectedOutput[i] ?? 0);
    u.input_tokens = uncached;
    if (!cacheHit) u.input_tokens += cacheable;
    else if (written) u.cache_read_input_tokens = cacheable;
    else {
      u.cache_creation_input_tokens = cacheable;
      u.cache_creation_1h_input_tokens = cacheable;
      written = true;
    }
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
