import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../src/models/models.js';
import { cacheReadShare, costUsd, naivePerFileCostUsd, naiveSyncCostUsd, usageFromApi, zeroUsage, type Usage } from '../../src/cost/usage.js';

const M = 1_000_000;
const u = (over: Partial<Usage>): Usage => ({ ...zeroUsage(), ...over });

describe('pricing: usage → USD', () => {
  // Hand-computed: batch = 50 % of every kind; cache write 1.25× (5m) / 2× (1h), read 0.1× of the batch input price.
  const cases: [string, Partial<Usage>, number][] = [
    ['claude-opus-4-8', { input_tokens: M }, 2.5],
    ['claude-opus-4-8', { output_tokens: M }, 12.5],
    ['claude-opus-4-8', { cache_creation_input_tokens: M, cache_creation_5m_input_tokens: M }, 3.125],
    ['claude-opus-4-8', { cache_creation_input_tokens: M, cache_creation_1h_input_tokens: M }, 5],
    ['claude-opus-4-8', { cache_read_input_tokens: M }, 0.25],
    ['claude-opus-4-7', { input_tokens: M, output_tokens: M }, 2.5 + 12.5],
    ['claude-opus-4-6', { output_tokens: 2 * M }, 25],
    ['claude-sonnet-4-6', { input_tokens: M, cache_read_input_tokens: 10 * M, output_tokens: M }, 1.5 + 1.5 + 7.5],
    ['claude-haiku-4-5', { output_tokens: M, cache_creation_input_tokens: M, cache_creation_1h_input_tokens: M }, 2.5 + 1],
  ];
  it.each(cases)('%s %j', (model, usage, expected) => {
    expect(costUsd(u(usage), resolveModel(model).prices!, 'batch')).toBeCloseTo(expected, 9);
  });

  it('sync prices are twice the batch prices', () => {
    const usage = u({ input_tokens: 123_456, output_tokens: 7_890, cache_read_input_tokens: 1_000_000 });
    const p = resolveModel('claude-opus-4-8').prices!;
    expect(costUsd(usage, p, 'sync')).toBeCloseTo(2 * costUsd(usage, p, 'batch'), 12);
  });

  it('counts cache writes without a TTL split at the 1h rate', () => {
    const usage = usageFromApi({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: M, cache_read_input_tokens: 0 });
    expect(usage.cache_creation_1h_input_tokens).toBe(M);
    expect(costUsd(usage, { input: 5, output: 25 }, 'batch')).toBeCloseTo(5, 9);
    const split = usageFromApi({ cache_creation_input_tokens: 10, cache_creation: { ephemeral_5m_input_tokens: 4, ephemeral_1h_input_tokens: 6 } });
    expect(split.cache_creation_5m_input_tokens).toBe(4);
    expect(split.cache_creation_1h_input_tokens).toBe(6);
  });

  it("naive per-file cost sends each request's average prompt once per file, uncached, at sync prices", () => {
    // 2 requests, 3 M input tokens in all (1.5 M each), 8 files, 1 M output: 8 × 1.5 M × $5 + 1 M × $25.
    const usage = u({ input_tokens: M, cache_creation_input_tokens: M, cache_read_input_tokens: M, output_tokens: M });
    expect(naivePerFileCostUsd(usage, 2, 8, { input: 5, output: 25 })).toBeCloseTo(8 * 1.5 * 5 + 25, 9);
    // Never fewer calls than requests; nothing for no requests.
    expect(naivePerFileCostUsd(usage, 2, 0, { input: 5, output: 25 })).toBeCloseTo(2 * 1.5 * 5 + 25, 9);
    expect(naivePerFileCostUsd(usage, 0, 8, { input: 5, output: 25 })).toBe(0);
  });

  it('naive sync cost counts every input token at the full price', () => {
    const usage = u({ input_tokens: M, cache_creation_input_tokens: M, cache_read_input_tokens: 8 * M, output_tokens: M });
    expect(naiveSyncCostUsd(usage, { input: 5, output: 25 })).toBeCloseTo(10 * 5 + 25, 9);
    expect(cacheReadShare(usage)).toBeCloseTo(8 / 9, 12);
  });

  it('keeps the thinking share of the output when the API reports it (output_tokens_details.thinking_tokens), else 0', () => {
    expect(usageFromApi({ output_tokens: 900, output_tokens_details: { thinking_tokens: 400 } })).toMatchObject({
      output_tokens: 900,
      thinking_output_tokens: 400,
    });
    expect(usageFromApi({ output_tokens: 900, output_tokens_details: null }).thinking_output_tokens).toBe(0);
    expect(usageFromApi({ output_tokens: 900 }).thinking_output_tokens).toBe(0);
  });
});
