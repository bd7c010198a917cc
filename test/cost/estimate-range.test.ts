/** The three figures of an estimate (low / expected / high) and the budget check at the high one. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBatchBudget } from '../../src/cost/budget.js';
import { batchCost, estimateRequests, sumEstimates } from '../../src/cost/estimate.js';
import { costUsd } from '../../src/cost/usage.js';
import { PRICE_FACTORS, resolveModel } from '../../src/models/models.js';
import { HarnessError } from '../../src/shared/errors.js';
import { estimateTokens } from '../../src/shared/tokens.js';

const model = { ...resolveModel('claude-opus-4-8'), minCacheTokens: 100 };
const codebase = 'export const a = 1;\n'.repeat(300);
const cached = (text: string) => ({ type: 'text', text, cache_control: { type: 'ephemeral', ttl: '1h' } });
const req = (ask: string, base = codebase) => ({ params: { system: 'sys', messages: [{ content: [cached(base), { type: 'text', text: ask }] }] } });
const prefix = estimateTokens('sys') + estimateTokens(codebase);

describe('estimateRequests: three figures', () => {
  const requests = [req('write a.ts'), req('write b.ts'), req('write c.ts'), req('write d.ts')];
  const e = estimateRequests({ requests, expectedOutput: [100, 200, 300, 400], maxTokens: 1000, model, hitRate: 0.5 });

  it('low: the first request writes the prefix, the three others read it; output from the per-task estimates', () => {
    expect(e.usageLow.cache_creation_input_tokens).toBe(prefix);
    expect(e.usageLow.cache_read_input_tokens).toBe(3 * prefix);
    expect(e.usageLow.output_tokens).toBe(1000);
    expect(e.usdLow).toBeCloseTo(costUsd(e.usageLow, model.prices!, 'batch'), 12);
  });

  it('expected: half of those reads hit (hitRate 0.5), the other half write the prefix again', () => {
    expect(e.usage.cache_read_input_tokens).toBe(3 * Math.round(prefix * 0.5));
    expect(e.usage.cache_creation_input_tokens).toBe(4 * prefix - e.usage.cache_read_input_tokens);
    expect(e.usage.output_tokens).toBe(1000);
    expect(e.hitRate).toBe(0.5);
  });

  it('high: every request writes the whole prefix (1h) and uses all of max_tokens', () => {
    expect(e.usageHigh.cache_read_input_tokens).toBe(0);
    expect(e.usageHigh.cache_creation_1h_input_tokens).toBe(4 * prefix);
    expect(e.usageHigh.output_tokens).toBe(4000);
    expect(e.outputTokensHigh).toBe(4000);
    const batchIn = (model.prices!.input * PRICE_FACTORS.batch) / 1e6;
    const batchOut = (model.prices!.output * PRICE_FACTORS.batch) / 1e6;
    const uncached = e.usageHigh.input_tokens;
    expect(e.usdHigh).toBeCloseTo(4 * prefix * batchIn * PRICE_FACTORS.cacheWrite1h + uncached * batchIn + 4000 * batchOut, 12);
  });

  it('every figure counts the same input tokens; only their split and the output differ', () => {
    const total = (u: typeof e.usage) => u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
    expect(total(e.usageLow)).toBe(total(e.usage));
    expect(total(e.usageHigh)).toBe(total(e.usage));
  });

  it('hitRate 1 makes expected equal low; hitRate 0 makes its input equal high', () => {
    const one = estimateRequests({ requests, expectedOutput: [1, 1, 1, 1], maxTokens: 10, model, hitRate: 1 });
    expect(one.usd).toBe(one.usdLow);
    const zero = estimateRequests({ requests, expectedOutput: [10, 10, 10, 10], maxTokens: 10, model, hitRate: 0 });
    expect(zero.usd).toBeCloseTo(zero.usdHigh, 12);
  });

  it("a warm-up's cost is added to each figure of its batch; sums add batch by batch", () => {
    const warm = estimateRequests({ requests: [req('ready')], expectedOutput: [1], maxTokens: 1, model, hitRate: 0 });
    const both = batchCost({ estimate: e, warmup: warm });
    expect(both.usdLow).toBeCloseTo(e.usdLow + warm.usdLow, 12);
    expect(both.usdHigh).toBeCloseTo(e.usdHigh + warm.usdHigh, 12);
    expect(batchCost({ estimate: e, warmup: null })).toBe(e);
    const sum = sumEstimates([e, e])!;
    expect(sum.requests).toBe(8);
    expect(sum.usdHigh).toBeCloseTo(2 * e.usdHigh, 12);
    expect(sumEstimates([])).toBeNull();
  });
});

describe('property: low ≤ expected ≤ high', () => {
  const text = fc.string({ minLength: 0, maxLength: 400 });
  const request = fc.record({ base: fc.constantFrom(codebase, codebase + 'x', 'tiny'), ask: text, cachedAsk: fc.boolean() });
  it('for any requests, outputs, max_tokens, hit rate, warm state and token counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ r: request, out: fc.nat(5000), counted: fc.nat(500_000) }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 300_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.oneof(fc.boolean(), fc.nat(3)),
        fc.boolean(),
        (items, maxTokens, hitRate, warm, counted) => {
          const requests = items.map(({ r }) => ({
            params: { system: 'sys', messages: [{ content: [cached(r.base), r.cachedAsk ? cached(r.ask) : { type: 'text', text: r.ask }] }] },
          }));
          const e = estimateRequests({
            requests,
            expectedOutput: items.map((i) => i.out),
            maxTokens,
            model,
            hitRate,
            warm,
            ...(counted ? { countedInput: items.map((i) => i.counted) } : {}),
          });
          const eps = 1e-9;
          expect(e.usdLow).toBeLessThanOrEqual(e.usd + eps);
          expect(e.usd).toBeLessThanOrEqual(e.usdHigh + eps);
          expect(e.usdLow).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('budget caps hold at the high figure', () => {
  const scope = (budget: { perRunUsd?: number; totalUsd?: number }) => ({
    repoDir: '/nonexistent',
    config: { budget },
    configLabel: 'harness.config.mjs',
  });
  const figures = { usd: 0.4, usdLow: 0.1, usdHigh: 2 };

  it('a batch whose expected figure fits but whose high figure does not is refused, and the message says why', () => {
    let error: unknown;
    try {
      checkBatchBudget(scope({ perRunUsd: 1 }), { runUsd: 0, committedUsd: 0 }, figures, 3);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HarnessError);
    const e = error as HarnessError;
    expect(e.code).toBe('BUDGET_EXCEEDED');
    expect(e.message).toMatch(/high estimate \$2\.00 for 3 requests \(expected \$0\.4000, low \$0\.1000\); caps are checked against the high figure/);
    expect(() => checkBatchBudget(scope({ totalUsd: 1.9 }), { runUsd: 0, committedUsd: 0 }, figures, 3)).toThrow(/budget\.totalUsd/);
  });

  it('passes when the high figure fits', () => {
    expect(() => checkBatchBudget(scope({ perRunUsd: 2, totalUsd: 2.5 }), { runUsd: 0, committedUsd: 0.5 }, figures, 3)).not.toThrow();
  });
});
