/**
 * The run loop's decision, apart from its effects: given the journal, the task list, the run
 * options, whether a stop was asked for, and how far this run has got (`Progress`), the one step
 * to take next. `run-loop.ts` applies it (run-effects.ts) and asks again, until a `stop`.
 *
 * A run is a series of cycles; each one:
 * 1. collect: every batch in flight is looked at once, and collected if it has ended (not with
 *    --dry-run);
 * 2. the pending tasks (not held by a batch in flight or an unresolved intent) have their targets
 *    checked, are planned into batches and, for each batch in turn: budget check, warm-up (when
 *    the plan says so), submit. --dry-run writes the plan instead and stops. --once submits in its
 *    first cycle only;
 * 3. --detach stops here, and so does --once after its second cycle and a run with nothing in
 *    flight; otherwise it waits until a batch (--once: every batch) in flight has ended.
 * A stop request ends the run at a safe point: before a collect, before a warm-up or a submit.
 *
 * Stages: only the pending tasks of the stage in progress are planned (`stage`, see stages.ts), so
 * no batch holds two stages and a later stage starts in the cycle after the earlier one was
 * collected. While a failed task of an earlier stage holds the stage back, nothing is planned and
 * the run stops (exit 3) with `held` saying which task.
 *
 * Verify (`verify`: null unless `verify.command` is set): once every batch in flight
 * was looked at and before anything is planned, when files were written since the last
 * verification, the command runs (`verify`); the tasks it marks are pending again and go out in
 * this cycle's plan. A failure no repair can answer (names no task, timed out, killed) ends the
 * run with exit 3; a new run runs the command again first. Repairs are capped per task, so the
 * loop always ends.
 *
 * Pure: no I/O, no clock.
 */
import { busyPaths, inFlight, type BatchRecord, type JournalState } from '../state/journal.js';
import type { VerifiedEvent } from '../state/journal-events.js';
import type { Task } from '../tasks/task.js';
import type { TaskList } from '../tasks/task-list.js';
import type { PlannedBatch } from './plan-requests.js';
import type { RepairNeed } from '../verify/repair-state.js';
import { verifyUnanswerable } from '../verify/verify-decision.js';
import { heldMessage, pendingOfStage, type StageState } from './stages.js';

/** What the decision knows of verification (verify-decision.ts: verifyDue, lastVerified). */
export interface VerifyView {
  /** Files were written since the last verification. */
  due: boolean;
  last: VerifiedEvent | null;
  /** With `verify.repairWith: 'sync'`: the tasks under repair (repairsPending), else empty. */
  syncRepairs?: readonly RepairNeed[];
}

export interface RunView {
  journal: JournalState;
  tasks: TaskList;
  options: { once?: boolean; detach?: boolean; dryRun?: boolean };
  stopRequested: boolean;
  /** The stage in progress (`stageState(tasks)`); null: nothing pending or submitted, or no gating. */
  stage: StageState | null;
  /** null: no `verify.command` configured. */
  verify: VerifyView | null;
}

export type Step =
  /** Look at one batch in flight; collect it if it has ended. */
  | { kind: 'collect'; record: BatchRecord }
  /** Every target of these tasks must be one the harness can write and commit (else exit 2). */
  | { kind: 'check-targets'; tasks: Task[] }
  /** Pack these tasks into requests and batches (after the codebase snapshot). */
  | { kind: 'plan'; tasks: Task[] }
  /** --dry-run: write these batches' requests, spend nothing. */
  | { kind: 'dry-run'; batches: readonly PlannedBatch[] }
  | { kind: 'check-budget'; batch: PlannedBatch }
  /** Write the codebase cache before `batch` (a one-request batch); with `detach`, never wait for it. */
  | { kind: 'warm-up'; batch: PlannedBatch; detach: boolean }
  | { kind: 'submit'; batch: PlannedBatch }
  /** Run the verify command, record `verified`, mark the tasks it names for repair, commit. */
  | { kind: 'verify' }
  /** `verify.repairWith: 'sync'`: ask these tasks again with synchronous calls (once per verification). */
  | { kind: 'repair-sync'; needs: readonly RepairNeed[] }
  | { kind: 'wait'; records: BatchRecord[]; until: 'any' | 'all' }
  /** A stop was asked for and this is a safe point: stop now (StopRequested). */
  | { kind: 'stop-requested' }
  /** `held`: the stage in progress is held back by a failed task of an earlier stage (why). */
  | { kind: 'stop'; exitCode: 0 | 3; held?: string };

/** How far the run has got: what the journal and the task list cannot tell. */
export interface Progress {
  /** Waits done: each ends a cycle. */
  cycles: number;
  /** `collect` until this cycle has looked at every batch in flight. */
  phase: 'collect' | 'submit';
  /** Batches this cycle has looked at (collected, or still running). */
  looked: ReadonlySet<string>;
  targetsChecked: boolean;
  /** This cycle's batches once planned, the next one to submit and where it is. */
  plan: { batches: readonly PlannedBatch[]; next: number; at: 'budget' | 'warm-up' | 'submit' } | null;
  /** --dry-run: the plan was written; the run is over. */
  dryRunWritten: boolean;
  /** The verify command ran in this run (kept across cycles). */
  verified: boolean;
  /** The repairs of the last verification were asked for synchronously: what is left goes by batch. */
  syncRepaired?: boolean;
}

export const startProgress = (): Progress => ({
  cycles: 0,
  phase: 'collect',
  looked: new Set(),
  targetsChecked: false,
  plan: null,
  dryRunWritten: false,
  verified: false,
});

export function nextStep(view: RunView, progress: Progress): Step {
  const { journal, options } = view;
  if (progress.dryRunWritten) return { kind: 'stop', exitCode: 0 };
  if (progress.phase === 'collect' && !options.dryRun) {
    const record = inFlight(journal).find((r) => !progress.looked.has(r.batchId!));
    if (record) return view.stopRequested ? { kind: 'stop-requested' } : { kind: 'collect', record };
  }
  const plan = progress.plan;
  if (plan === null && view.verify && !options.dryRun) {
    const { due, last } = view.verify;
    const unanswered = last !== null && verifyUnanswerable(last);
    if (due || (unanswered && !progress.verified)) return view.stopRequested ? { kind: 'stop-requested' } : { kind: 'verify' };
    if (unanswered) return { kind: 'stop', exitCode: 3 };
    const sync = view.verify.syncRepairs ?? [];
    if (sync.length > 0 && !progress.syncRepaired) {
      return view.stopRequested ? { kind: 'stop-requested' } : { kind: 'repair-sync', needs: sync };
    }
  }
  if (plan === null) {
    const busy = busyPaths(journal);
    const pending = pendingOfStage(view.tasks, view.stage).filter((t) => !busy.has(t.path));
    if (pending.length > 0 && !progress.targetsChecked) return { kind: 'check-targets', tasks: pending };
    if (pending.length > 0 && !(options.once && progress.cycles > 0)) return { kind: 'plan', tasks: pending };
    if (options.dryRun) return { kind: 'dry-run', batches: [] };
  } else if (options.dryRun) {
    return { kind: 'dry-run', batches: plan.batches };
  } else if (plan.next < plan.batches.length) {
    const batch = plan.batches[plan.next]!;
    if (plan.at === 'budget') return { kind: 'check-budget', batch };
    if (view.stopRequested) return { kind: 'stop-requested' };
    if (plan.at === 'warm-up' && batch.cache === 'warm-up') return { kind: 'warm-up', batch, detach: options.detach === true };
    return { kind: 'submit', batch };
  }
  const held = view.stage && !options.dryRun ? heldMessage(view.stage) : null;
  const stop: Step = held ? { kind: 'stop', exitCode: 3, held } : { kind: 'stop', exitCode: exitCode(view) };
  if (options.detach || (options.once && progress.cycles > 0)) return stop;
  const flying = inFlight(journal);
  if (flying.length === 0) return stop;
  return { kind: 'wait', records: flying, until: options.once ? 'all' : 'any' };
}

/** What applying a step found out that the next decision needs. */
export interface StepOutcome {
  /** `plan`: the batches. */
  batches?: readonly PlannedBatch[];
  /** `warm-up`: whether its batch goes ahead now (false: --detach leaves it to a later run). */
  proceed?: boolean;
}

/** The progress after `step` was applied. */
export function advance(progress: Progress, step: Step, outcome: StepOutcome = {}): Progress {
  const plan = progress.plan;
  const nextBatch = (): Progress => ({ ...progress, plan: plan && { ...plan, next: plan.next + 1, at: 'budget' } });
  switch (step.kind) {
    case 'collect':
      return { ...progress, looked: new Set([...progress.looked, step.record.batchId!]) };
    case 'check-targets':
      return { ...progress, phase: 'submit', targetsChecked: true };
    case 'plan':
      return { ...progress, phase: 'submit', plan: { batches: outcome.batches ?? [], next: 0, at: 'budget' } };
    case 'dry-run':
      return { ...progress, dryRunWritten: true };
    case 'check-budget':
      return { ...progress, plan: plan && { ...plan, at: 'warm-up' } };
    case 'warm-up':
      return outcome.proceed === false ? nextBatch() : { ...progress, plan: plan && { ...plan, at: 'submit' } };
    case 'submit':
      return nextBatch();
    case 'verify':
      return { ...progress, verified: true, syncRepaired: false };
    case 'repair-sync':
      return { ...progress, syncRepaired: true };
    case 'wait':
      return { ...startProgress(), cycles: progress.cycles + 1, verified: progress.verified };
    case 'stop-requested':
    case 'stop':
      return progress;
  }
}

export interface TaskCounts {
  pending: number;
  submitted: number;
  done: number;
  failed: number;
}

export function taskCounts(list: TaskList): TaskCounts {
  const c = { pending: 0, submitted: 0, done: 0, failed: 0 };
  for (const t of list.tasks) c[t.status]++;
  return c;
}

/** 3 when a task failed, the last verification failed, or --once / --detach leave work pending or in flight; else 0. */
function exitCode(view: RunView): 0 | 3 {
  const c = taskCounts(view.tasks);
  const workLeft = c.pending + c.submitted > 0;
  const verifyFailed = view.verify?.last != null && !view.verify.last.passed;
  return c.failed > 0 || verifyFailed || ((view.options.once || view.options.detach) && workLeft) ? 3 : 0;
}
