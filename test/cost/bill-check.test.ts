/** The estimate against the bill: the range, the hit rate, the account's rate, the warm-up's effect. */
import { describe, expect, it } from 'vitest';
import { accountHitRate, billInRange, hitRate, type JudgedBatch, possibleReadShare, warmupEffects } from '../../src/cost/bill-check.js';
import { zeroUsage } from '../../src/cost/usage.js';

const usage = (input: number, write: number, read: number, output = 0) => ({
  ...zeroUsage(),
  input_tokens: input,
  cache_creation_input_tokens: write,
  cache_creation_1h_input_tokens: write,
  cache_read_input_tokens: read,
  output_tokens: output,
});

const batch = (over: Partial<JudgedBatch>): JudgedBatch => ({
  id: 'b',
  purpose: 'tasks',
  context: 'ctx',
  created_at: '2026-11-27T10:00:00Z',
  estimate_usd: 1,
  estimate_usd_low: 0.5,
  estimate_usd_high: 4,
  possible_read_share: 0.75,
  usage: null,
  cost_usd: null,
  ...over,
});

describe('one batch', () => {
  it('where the bill fell in the range', () => {
    expect(billInRange(batch({ cost_usd: 0.4 }))).toBe('below');
    expect(billInRange(batch({ cost_usd: 0.5 }))).toBe('within');
    expect(billInRange(batch({ cost_usd: 4 }))).toBe('within');
    expect(billInRange(batch({ cost_usd: 4.01 }))).toBe('above');
    expect(billInRange(batch({ cost_usd: null }))).toBeNull();
    expect(billInRange(batch({ cost_usd: 1, estimate_usd_low: null }))).toBeNull();
  });

  it('the possible read share comes from the low figure; the hit rate sets the billed share against it', () => {
    expect(possibleReadShare(usage(100, 100, 800))).toBe(0.8);
    expect(possibleReadShare(undefined)).toBeNull();
    expect(possibleReadShare(zeroUsage())).toBeNull();
    // Could read 3/4 of its input; read 3/8 of it: half the reads it could make hit.
    expect(hitRate(batch({ usage: usage(100, 400, 300) }))).toBe(0.5);
    // The estimator counted tokens 20 % high: the shares do not care.
    expect(hitRate(batch({ usage: usage(120, 480, 360) }))).toBe(0.5);
    expect(hitRate(batch({ usage: null }))).toBeNull();
    expect(hitRate(batch({ usage: usage(1, 1, 0), possible_read_share: 0 }))).toBeNull();
    expect(hitRate(batch({ usage: usage(1, 1, 0), possible_read_share: null }))).toBeNull();
  });
});

describe('the account', () => {
  it('all billed reads over all reads possible, warm-ups and unjudged batches left out', () => {
    const rate = accountHitRate([
      batch({ usage: usage(100, 400, 300) }), // possible 600, read 300
      batch({ usage: usage(100, 0, 300), possible_read_share: 0.75 }), // possible 300, read 300
      batch({ purpose: 'warmup', usage: usage(0, 1000, 0) }),
      batch({ purpose: 'repair', usage: usage(100, 300, 0), possible_read_share: 0.5 }), // possible 200, read 0
      batch({ usage: null }),
    ]);
    expect(rate).toEqual({ rate: 600 / 1100, batches: 3 });
    expect(accountHitRate([batch({ purpose: 'warmup', usage: usage(0, 1, 0) })])).toBeNull();
  });
});

describe('warm-ups', () => {
  const prices = { input: 5, output: 25 }; // batch input $2.50 per million
  const warmup = batch({ id: 'w', purpose: 'warmup', created_at: '2026-11-27T09:00:00Z', usage: usage(10, 10_000, 0, 1), cost_usd: 0.05 });

  it('the batch after it: what it read, what that would have cost as writes, and the net saving between the two cases', () => {
    const later = batch({ id: 'late', created_at: '2026-11-27T11:00:00Z', usage: usage(0, 0, 40_000) });
    const next = batch({ id: 'next', created_at: '2026-11-27T10:00:00Z', usage: usage(600, 0, 50_000) });
    const other = batch({ id: 'other', context: 'another', created_at: '2026-11-27T09:30:00Z', usage: usage(0, 0, 1) });
    const before = batch({ id: 'before', created_at: '2026-11-27T08:00:00Z', usage: usage(0, 0, 1) });
    const [e] = warmupEffects([warmup, later, next, other, before], prices);
    expect(e).toMatchObject({
      warmup: 'w',
      batch: 'next',
      cost_usd: 0.05,
      written_tokens: 10_000,
      batch_read_tokens: 50_000,
      batch_written_tokens: 0,
    });
    expect(e!.reads_usd).toBeCloseTo(50_000 * 2.5e-6 * 0.1, 12);
    expect(e!.as_writes_usd).toBeCloseTo(50_000 * 2.5e-6 * 2, 12);
    expect(e!.saved_usd_high).toBeCloseTo(50_000 * 2.5e-6 * 1.9 - 0.05, 12);
    expect(e!.saved_usd_low).toBeCloseTo(10_000 * 2.5e-6 * 1.9 - 0.05, 12);
  });

  it('none collected after it yet: no batch, no saving; no prices: no saving either', () => {
    expect(warmupEffects([warmup], prices)[0]).toMatchObject({ batch: null, saved_usd_low: null, saved_usd_high: null, batch_read_tokens: 0 });
    const next = batch({ id: 'next', usage: usage(0, 0, 50_000) });
    expect(warmupEffects([warmup, next], null)[0]).toMatchObject({ batch: 'next', saved_usd_low: null, saved_usd_high: null, reads_usd: 0 });
    expect(warmupEffects([batch({ id: 'w', purpose: 'warmup' })], prices)).toEqual([]); // not collected
  });
});
