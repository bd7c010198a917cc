/**
 * Budget caps (config `budget.perRunUsd`, `budget.totalUsd`) on every paid call, checked before
 * the call is made: each batch (its high estimate: cache hits in batches are best-effort) and each synchronous call (`refine`, the llm
 * planner; its ceiling: the input estimate with every cacheable token as a cache write, plus
 * `max_tokens` of output, at standard prices: a synchronous call can never cost more).
 *
 * - per run: what this command has committed so far (synchronous calls it made, batches it
 *   submitted) plus the next call must stay within `perRunUsd`;
 * - total: what the repo has spent (the journal: collected batches and synchronous calls, on any
 *   machine) plus the high estimates of batches in flight plus the next call must stay within `totalUsd`.
 */
import { plural } from '../shared/plural.js';
import type { ModelInfo } from '../models/models.js';
import { pricesOf } from '../models/models.js';
import { HarnessError } from '../shared/errors.js';
import { inFlight, readJournal, spentUsd, type JournalState } from '../state/journal.js';
import type { IntentEvent } from '../state/journal-events.js';
import { requestTokens, type EstimableRequest, type Estimate } from './estimate.js';
import { costUsd, formatUsd, zeroUsage } from './usage.js';

/** The config and identity a budget check needs (a Workspace is one). */
export interface BudgetScope {
  repoDir: string;
  config: { budget: { perRunUsd?: number | undefined; totalUsd?: number | undefined } };
  configLabel: string;
}

/** What a run has committed, as the continuation pass keeps it. */
export interface BudgetState {
  /** Estimated USD committed by this run's batches so far. */
  runUsd: number;
  /** USD already spent (journal) plus estimates of batches still in flight. */
  committedUsd: number;
}

/** USD spent (journal) plus the high estimates of batches still in flight (the expected one in older journals). */
export function committedUsd(journal: JournalState): number {
  return spentUsd(journal) + inFlight(journal).reduce((s, b) => s + (b.intent.range?.highUsd ?? b.intent.estimateUsd), 0);
}

/** The journal's record of an estimate's low and high figures (intent `range`). */
export function estimateRange(e: Estimate): NonNullable<IntentEvent['range']> {
  return { lowUsd: e.usdLow, highUsd: e.usdHigh, hitRate: e.hitRate, low: e.usageLow, high: e.usageHigh };
}

/**
 * What the repo had committed when this command first checked a synchronous call, per workspace:
 * the journal grows by what the command spends, so spend since then is "this run's" spend. The
 * continuation pass, which starts from the journal after the planner call, counts it this way.
 */
const baselines = new WeakMap<object, number>();

export interface SyncCeiling {
  usd: number;
  inputTokens: number;
  maxTokens: number;
}

/** The most a synchronous call with these params can cost (local input estimate, no cache read). */
export function syncCallCeiling(model: ModelInfo, params: EstimableRequest['params'] & { max_tokens: number }, source = 'config'): SyncCeiling {
  const { cacheable, uncached } = requestTokens({ params });
  const usage = zeroUsage();
  usage.input_tokens = uncached;
  usage.cache_creation_input_tokens = cacheable;
  usage.cache_creation_1h_input_tokens = cacheable;
  usage.output_tokens = params.max_tokens;
  return { usd: costUsd(usage, pricesOf(model, source), 'sync'), inputTokens: cacheable + uncached, maxTokens: params.max_tokens };
}

/**
 * Before a synchronous call that can cost up to `ceilingUsd`: BUDGET_EXCEEDED (exit 2) when it
 * could cross either cap. `what` names the call in the message (`refine of src/a.ts`).
 */
export async function checkSyncBudget(ws: BudgetScope, ceilingUsd: number, what = 'the synchronous call'): Promise<void> {
  const committed = committedUsd(await readJournal(ws.repoDir));
  const base = baselines.get(ws) ?? committed;
  baselines.set(ws, base);
  checkCaps(ws, { runUsd: Math.max(0, committed - base), committedUsd: committed }, ceilingUsd, {
    doing: what,
    next: `${what} can cost up to $${formatUsd(ceilingUsd)} (input estimate + max_tokens at standard prices)`,
    hint: "lower syncMaxTokens (the call's output ceiling) in the config",
  });
}

/**
 * Before a batch is created: BUDGET_EXCEEDED (exit 2) when its high estimate (every request writing
 * the cache and using all of `max_tokens`) could cross either cap.
 */
export function checkBatchBudget(
  ws: BudgetScope,
  state: BudgetState,
  estimate: Pick<Estimate, 'usd' | 'usdLow' | 'usdHigh'>,
  requests: number,
): void {
  // Synchronous calls this command made before the pass began (the llm planner) count as this
  // run's: the pass's starting total is what the repo had committed then, calls included.
  const base = baselines.get(ws);
  const passStart = state.committedUsd - state.runUsd;
  const earlier = base === undefined ? 0 : Math.max(0, passStart - base);
  const figures = `high estimate $${formatUsd(estimate.usdHigh)} for ${plural(requests, 'request')} (expected $${formatUsd(estimate.usd)}, low $${formatUsd(estimate.usdLow)}); caps are checked against the high figure: every request writing the cache and using all of max_tokens`;
  checkCaps(ws, { runUsd: state.runUsd + earlier, committedUsd: state.committedUsd }, estimate.usdHigh, {
    doing: 'submitting',
    next: `next batch ${figures}`,
    hint: 'tick (skip) some tasks in task-list.md, or lower maxTokens (the high figure counts all of it for every request)',
  });
}

function checkCaps(ws: BudgetScope, state: BudgetState, nextUsd: number, text: { doing: string; next: string; hint: string }): void {
  const { perRunUsd, totalUsd } = ws.config.budget;
  if (perRunUsd !== undefined && state.runUsd + nextUsd > perRunUsd) {
    throw new HarnessError(
      'BUDGET_EXCEEDED',
      `${text.doing} would cross budget.perRunUsd $${formatUsd(perRunUsd)}: this run has committed $${formatUsd(state.runUsd)}, ${text.next}`,
      { file: ws.configLabel, hint: `raise budget.perRunUsd, or ${text.hint}` },
    );
  }
  if (totalUsd !== undefined && state.committedUsd + nextUsd > totalUsd) {
    throw new HarnessError(
      'BUDGET_EXCEEDED',
      `${text.doing} would cross budget.totalUsd $${formatUsd(totalUsd)}: spent or in flight $${formatUsd(state.committedUsd)}, ${text.next}`,
      { file: ws.configLabel, hint: `raise budget.totalUsd, or ${text.hint}` },
    );
  }
}
