/**
 * The continuation pass as a loop: set up (preflight, recovery, mirror refresh, dirty check), then
 * ask `nextStep` what to do, apply it (run-effects.ts), and ask again until it says stop. Every
 * stage and port comes in through `RunDeps`, so a test drives the loop with fakes and an in-memory
 * journal; run.ts passes the real ones (`defaultRunDeps`).
 */
import { committedUsd } from '../cost/budget.js';
import { HarnessError } from '../shared/errors.js';
import type { BatchRecord, JournalState, JournalStore } from '../state/journal.js';
import type { Task } from '../tasks/task.js';
import type { TaskList } from '../tasks/task-list.js';
import type { CollectOutcome } from './collect-finish.js';
import type { DryRunSummary } from './dry-run.js';
import type { MirrorRefreshResult } from './mirror-refresh.js';
import { advance, nextStep, type RunView, type Step, startProgress, type TaskCounts, taskCounts } from './next-step.js';
import type { PlannedBatch } from './plan-requests.js';
import type { RecoverOptions } from './recover.js';
import { applyStep, type RunContext } from './run-effects.js';
import type { Snapshot } from './snapshot.js';
import { type StageState, stageState } from './stages.js';
import type { BudgetState } from './submit.js';
import type { WarmUpDeps, WarmUpWorkspace } from './warmup.js';
import { type RepairNeed, repairsPending } from '../verify/repair-state.js';
import { lastVerified, verifyDue, type VerifyResult, verifyResultOf } from '../verify/verify-decision.js';
import type { Workspace } from './workspace.js';

export interface RunOptions {
  once?: boolean;
  detach?: boolean;
  dryRun?: boolean;
  allowDirty?: boolean;
  /** Skip recovery and the dirty check (init has just done both). */
  fresh?: boolean;
  /** Put every failed task back to pending (attempts from zero) before the pass. */
  retryFailed?: boolean;
}

export interface RunResult {
  exitCode: 0 | 3;
  collected: CollectOutcome[];
  submitted: string[];
  dryRun: DryRunSummary | null;
  counts: TaskCounts;
  /** Where the stages stand at the end (null: nothing pending or submitted). */
  stage: StageState | null;
  /** Why the run stopped before the stage in progress (a failed task of an earlier stage), or null. */
  held: string | null;
  /** The last run of the verify command (this run's, or an earlier one's), or null when it never ran. */
  verify: VerifyResult | null;
}

/** What the loop itself uses of the workspace; its stages get the workspace they are given. */
export type LoopWorkspace = WarmUpWorkspace & Pick<Workspace, 'repoDir' | 'stop' | 'config'>;

/** The stages and ports of a run, each taking the workspace the run was given. */
export interface RunDeps<W> extends Omit<WarmUpDeps<W>, 'journal'> {
  /** The journal of the repo at `repoDir` (the real one: this process's store of its file). */
  openJournal(repoDir: string): JournalStore;
  readTaskList(repoDir: string): Promise<TaskList>;
  /** Checks, before any side effect, that the API can be used (when the run will call it). */
  preflight(ws: W, options: Pick<RunOptions, 'dryRun'>): Promise<void>;
  retryFailedTasks(ws: W): Promise<unknown>;
  recover(ws: W, options: RecoverOptions): Promise<JournalState>;
  refreshMirror(ws: W): Promise<MirrorRefreshResult | null>;
  assertClean(ws: W, list: TaskList, journal: JournalState): Promise<void>;
  collectIfEnded(ws: W, record: BatchRecord): Promise<{ outcome: CollectOutcome | null }>;
  assertTargetsWritable(ws: W, tasks: readonly Task[]): Promise<void>;
  takeSnapshot(ws: W, options: { reuse: boolean }): Promise<Snapshot>;
  planBatches(ws: W, tasks: readonly Task[], snapshot: Snapshot): Promise<PlannedBatch[]>;
  writeDryRun(ws: W, planned: readonly PlannedBatch[]): Promise<DryRunSummary>;
  checkBudget(ws: W, batch: PlannedBatch, budget: BudgetState): void;
  /** Runs the verify command, records `verified`, writes the task changes, commits (verify-effect.ts). */
  verify(ws: W, journal: JournalStore): Promise<unknown>;
  /** `verify.repairWith: 'sync'`: asks the tasks under repair again with synchronous calls (repair-sync.ts). */
  repairSync(ws: W, needs: readonly RepairNeed[]): Promise<unknown>;
}

/** Steps after which task-list.md may have changed (written by a stage, or by a person during a wait). */
const CHANGE_TASKS: ReadonlySet<Step['kind']> = new Set(['collect', 'warm-up', 'submit', 'verify', 'repair-sync', 'wait']);

export async function runLoop<W extends LoopWorkspace>(ws: W, options: RunOptions, deps: RunDeps<W>): Promise<RunResult> {
  if (options.once && options.detach) {
    throw new HarnessError('BAD_USAGE', '--once and --detach cannot be used together', {
      hint: '--once waits for one cycle to end; --detach never waits: pick one',
    });
  }
  const journal = deps.openJournal(ws.repoDir);
  await deps.preflight(ws, options);
  ws.stop.throwIfRequested();
  if (options.retryFailed) await deps.retryFailedTasks(ws);
  // --detach never waits, also not for a batch that may be a crashed create of this repo.
  const start = options.fresh || options.dryRun ? await journal.read() : await deps.recover(ws, { waitForCandidates: !options.detach });
  // A mirror-planned repo picks up new and changed sources on every run (config mirror.refresh);
  // before the dirty check, so that the tasks it adds are checked too.
  const refreshed = !options.dryRun && !options.fresh ? await deps.refreshMirror(ws) : null;
  if (!options.allowDirty && !options.dryRun && !options.fresh) {
    await deps.assertClean(ws, await deps.readTaskList(ws.repoDir), start);
  }
  const run: RunContext<W> = {
    ws,
    deps,
    journal,
    refreshed,
    budget: { runUsd: 0, committedUsd: committedUsd(start) },
    snapshot: null,
    collected: [],
    submitted: [],
    dryRun: null,
  };
  let progress = startProgress();
  let tasks = await deps.readTaskList(ws.repoDir);
  for (;;) {
    const stage = stageState(tasks);
    const state = await journal.read();
    const { command, repairWith } = ws.config.verify;
    const syncRepairs = repairWith === 'sync' ? [...repairsPending(state).values()] : [];
    const verify = command !== undefined ? { due: verifyDue(state), last: lastVerified(state), syncRepairs } : null;
    const view: RunView = { journal: state, tasks, options, stopRequested: ws.stop.requested, stage, verify };
    const step = nextStep(view, progress);
    if (step.kind === 'stop') {
      const { collected, submitted, dryRun } = run;
      if (options.dryRun && stage && stage.waiting > 0) {
        ws.reporter.info(`dry run of stage ${stage.current} only: ${stage.waiting} pending task(s) of later stages wait for it`);
      }
      const verified = verifyResultOf(lastVerified(state));
      return { exitCode: step.exitCode, collected, submitted, dryRun, counts: taskCounts(tasks), stage, held: step.held ?? null, verify: verified };
    }
    progress = advance(progress, step, await applyStep(run, step));
    if (CHANGE_TASKS.has(step.kind)) tasks = await deps.readTaskList(ws.repoDir);
  }
}
