/**
 * The run loop's effects: each step `nextStep` decides is applied here, through the run's stages
 * (`RunDeps`), and what it found out goes back to the decision (`StepOutcome`). What the run has
 * done so far (collected, submitted, budget committed, the snapshot taken) lives in `RunContext`.
 */
import type { JournalStore } from '../state/journal.js';
import type { CollectOutcome } from './collect-finish.js';
import type { DryRunSummary } from './dry-run.js';
import type { MirrorRefreshResult } from './mirror-refresh.js';
import type { Step, StepOutcome } from './next-step.js';
import type { LoopWorkspace, RunDeps } from './run-loop.js';
import type { Snapshot } from './snapshot.js';
import type { BudgetState } from './submit.js';
import { warmUp } from './warmup.js';
import { batchCost } from '../cost/estimate.js';

export interface RunContext<W> {
  ws: W;
  deps: RunDeps<W>;
  journal: JournalStore;
  /** What the mirror refresh at the start changed (null: none ran). */
  refreshed: MirrorRefreshResult | null;
  budget: BudgetState;
  /** Taken at the first plan, then kept for the run. */
  snapshot: Snapshot | null;
  collected: CollectOutcome[];
  submitted: string[];
  dryRun: DryRunSummary | null;
}

export async function applyStep<W extends LoopWorkspace>(run: RunContext<W>, step: Exclude<Step, { kind: 'stop' }>): Promise<StepOutcome> {
  const { ws, deps } = run;
  switch (step.kind) {
    case 'collect': {
      const { outcome } = await deps.collectIfEnded(ws, step.record);
      if (outcome) run.collected.push(outcome);
      return {};
    }
    case 'check-targets':
      await deps.assertTargetsWritable(ws, step.tasks);
      return {};
    case 'plan': {
      // Sources changed under a mirror plan: the requests must see them as they are now.
      const r = run.refreshed;
      run.snapshot ??= await deps.takeSnapshot(ws, { reuse: !r || (r.added === 0 && r.requeued.length === 0) });
      return { batches: await deps.planBatches(ws, step.tasks, run.snapshot) };
    }
    case 'dry-run':
      run.dryRun = await deps.writeDryRun(ws, step.batches);
      return {};
    case 'check-budget':
      deps.checkBudget(ws, step.batch, run.budget);
      return {};
    case 'warm-up': {
      const warmUpDeps = { journal: run.journal, submitBatch: deps.submitBatch, waitForEnd: deps.waitForEnd, collectEnded: deps.collectEnded };
      const warm = await warmUp(ws, warmUpDeps, step.batch, contextSha(run), step.detach);
      if (warm.outcome) run.collected.push(warm.outcome);
      return { proceed: warm.proceed };
    }
    case 'submit':
      run.submitted.push(await deps.submitBatch(ws, step.batch, await run.journal.read(), { context: contextSha(run) }));
      // Committed at the high figure (the caps hold at the pessimistic end), its warm-up's included.
      run.budget.runUsd += batchCost(step.batch).usdHigh;
      run.budget.committedUsd += batchCost(step.batch).usdHigh;
      return {};
    case 'verify':
      await deps.verify(ws, run.journal);
      return {};
    case 'repair-sync':
      await deps.repairSync(ws, step.needs);
      return {};
    case 'wait':
      await deps.waitForEnd(ws, step.records, step.until);
      return {};
    case 'stop-requested':
      ws.stop.throwIfRequested();
      throw new Error('the run loop was told to stop, but no stop was requested');
  }
}

function contextSha(run: RunContext<unknown>): string {
  if (!run.snapshot) throw new Error('a batch was planned without a snapshot');
  return run.snapshot.context.sha256;
}
