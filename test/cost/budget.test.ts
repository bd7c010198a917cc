/** Budget caps on every paid call: batches (their estimate) and synchronous calls (their ceiling). */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBatchBudget, checkSyncBudget, syncCallCeiling, type BudgetScope } from '../../src/cost/budget.js';
import { zeroUsage } from '../../src/cost/usage.js';
import { resolveModel } from '../../src/models/models.js';
import { HarnessError } from '../../src/shared/errors.js';
import { appendJournal } from '../../src/state/journal.js';

async function scope(budget: { perRunUsd?: number; totalUsd?: number }): Promise<BudgetScope> {
  return { repoDir: await mkdtemp(path.join(os.tmpdir(), 'harness-budget-')), config: { budget }, configLabel: 'harness.config.mjs' };
}

const spend = (repoDir: string, usd: number, purpose: 'plan' | 'refine' = 'plan') =>
  appendJournal(repoDir, { type: 'call', purpose, at: new Date().toISOString(), usage: zeroUsage(), costUsd: usd });

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<HarnessError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('expected a HarnessError');
}

/** A batch estimate whose high figure (the one the caps are checked against) is `high`. */
const estimate = (high: number) => ({ usd: high / 2, usdLow: high / 4, usdHigh: high });

describe('synchronous calls', () => {
  it('the ceiling is the input estimate (cacheable part as a 1h write) plus max_tokens, at standard prices', () => {
    const opus = resolveModel('claude-opus-4-8'); // $5 in, $25 out per million
    const text = 'word '.repeat(2_000);
    const plain = syncCallCeiling(opus, { max_tokens: 1_000, messages: [{ content: [{ type: 'text', text }] }] });
    const cached = syncCallCeiling(opus, {
      max_tokens: 1_000,
      messages: [{ content: [{ type: 'text', text, cache_control: { type: 'ephemeral' } }] }],
    });
    expect(plain.maxTokens).toBe(1_000);
    expect(plain.usd).toBeCloseTo((plain.inputTokens * 5 + 1_000 * 25) / 1e6, 9);
    expect(cached.usd).toBeCloseTo((cached.inputTokens * 5 * 2 + 1_000 * 25) / 1e6, 9);
  });

  it('refused (exit 2, naming the cap and the config) when the ceiling could cross perRunUsd or totalUsd; nothing else happens', async () => {
    const perRun = await scope({ perRunUsd: 1 });
    await checkSyncBudget(perRun, 0.9, 'refine of a.ts');
    const e = await refusal(checkSyncBudget(perRun, 1.5, 'refine of a.ts'));
    expect(e.code).toBe('BUDGET_EXCEEDED');
    expect(e.exitCode).toBe(2);
    expect(e.file).toBe('harness.config.mjs');
    expect(e.message).toMatch(
      /^refine of a\.ts would cross budget\.perRunUsd \$1\.00: this run has committed \$0\.0000, refine of a\.ts can cost up to \$1\.50/,
    );
    expect(e.hint).toMatch(/syncMaxTokens/);

    const total = await scope({ totalUsd: 2 });
    await spend(total.repoDir, 1.5); // spent by earlier runs, any machine
    expect((await refusal(checkSyncBudget(total, 0.6))).message).toMatch(/budget\.totalUsd \$2\.00: spent or in flight \$1\.50/);
    await checkSyncBudget(total, 0.4);
  });

  it('a call this command already made counts against perRunUsd; earlier commands do not', async () => {
    const s = await scope({ perRunUsd: 1 });
    await spend(s.repoDir, 5); // an earlier run
    await checkSyncBudget(s, 0.6);
    await spend(s.repoDir, 0.6); // this command's call, billed
    const e = await refusal(checkSyncBudget(s, 0.6));
    expect(e.message).toMatch(/this run has committed \$0\.6000/);
  });
});

describe('batches', () => {
  it("the planner call made before the pass counts as this run's commitment", async () => {
    const s = await scope({ perRunUsd: 1 });
    await checkSyncBudget(s, 0.5, 'the planner call'); // init checks the planner call...
    await spend(s.repoDir, 0.4); // ...and it costs $0.40
    // The pass starts from the journal: committed $0.40, nothing of its own yet.
    const state = { runUsd: 0, committedUsd: 0.4 };
    const e = await refusal(() => checkBatchBudget(s, state, estimate(0.7), 3));
    expect(e.message).toBe(
      'submitting would cross budget.perRunUsd $1.00: this run has committed $0.4000, next batch high estimate $0.7000 for 3 requests (expected $0.3500, low $0.1750); caps are checked against the high figure: every request writing the cache and using all of max_tokens',
    );
    checkBatchBudget(s, state, estimate(0.6), 3);
  });

  it("without a synchronous call, only the pass's own batches count (the journal's earlier spend is the total cap's)", async () => {
    const s = await scope({ perRunUsd: 1, totalUsd: 10 });
    checkBatchBudget(s, { runUsd: 0.2, committedUsd: 8.2 }, estimate(0.8), 1);
    expect((await refusal(() => checkBatchBudget(s, { runUsd: 0.3, committedUsd: 8.3 }, estimate(0.8), 1))).message).toMatch(/perRunUsd/);
    expect((await refusal(() => checkBatchBudget(s, { runUsd: 0, committedUsd: 9.5 }, estimate(0.8), 1))).message).toMatch(
      /^submitting would cross budget\.totalUsd \$10\.00: spent or in flight \$9\.50, next batch high estimate \$0\.8000/,
    );
  });
});
