/**
 * `harness run`: the continuation pass, in a loop: collect what has ended, submit what is pending,
 * wait, repeat, until nothing is pending or in flight. `once`: one submit-wait-collect cycle.
 * `detach`: collect what has ended, submit what is pending, return without waiting (cron / CI).
 *
 * The loop is run-loop.ts (what to do next: next-step.ts; doing it: run-effects.ts); this module
 * gives it the real stages (`defaultRunDeps`), any of which a caller may replace.
 */
import { HarnessError } from '../shared/errors.js';
import { busyPaths, inFlight, type JournalState, journalStore, readJournal } from '../state/journal.js';
import { pendingTasks, readTaskListFile } from '../tasks/task-list.js';
import { collectEnded, collectIfEnded } from './collect.js';
import { assertClean } from './dirty.js';
import { writeDryRun } from './dry-run.js';
import { refreshMirror } from './mirror-refresh.js';
import { planBatches } from './plan-requests.js';
import { recover } from './recover.js';
import { retryFailedTasks } from './retry-tasks.js';
import { type RunDeps, type RunOptions, type RunResult, runLoop } from './run-loop.js';
import { takeSnapshot } from './snapshot.js';
import { checkBudget, submitBatch } from './submit.js';
import { assertTargetsWritable } from './validate-targets.js';
import { waitForEnd } from './wait-for-end.js';
import { verifyNow } from '../verify/verify-effect.js';
import { repairSync } from './repair-sync.js';
import type { Workspace } from './workspace.js';

export type { RunDeps, RunOptions, RunResult } from './run-loop.js';

/**
 * `run --json`: what the run did, as one snake_case document (docs/json.md). `verify` is the last
 * run of the verify command (this run's or an earlier one's); null when it never ran.
 */
export function runResultJson(r: RunResult) {
  return {
    exit_code: r.exitCode,
    collected: r.collected.map((c) => ({ batch_id: c.batchId, files: c.files, cost_usd: c.costUsd, usage: c.usage })),
    submitted: r.submitted,
    counts: r.counts,
    stage: r.stage?.current ?? null,
    stage_held: r.held,
    verify: r.verify,
    dry_run: r.dryRun && {
      dir: r.dryRun.dir,
      batches: r.dryRun.batches.map((b) => ({
        file: b.file,
        requests: b.requests,
        tasks: b.tasks,
        bytes: b.bytes,
        input_tokens: b.inputTokens,
        output_tokens: b.outputTokens,
        estimate_usd: b.estimateUsd,
        cost_usd_low: b.usdLow,
        cost_usd_high: b.usdHigh,
      })),
    },
  };
}

/** The `run --json` document of a run that failed before it had a result (with `error` added). */
export const emptyRunJson = (): ReturnType<typeof runResultJson> => ({
  exit_code: 0,
  collected: [],
  submitted: [],
  counts: { pending: 0, submitted: 0, done: 0, failed: 0 },
  stage: null,
  stage_held: null,
  verify: null,
  dry_run: null,
});

const defaultRunDeps: RunDeps<Workspace> = {
  openJournal: journalStore,
  readTaskList: readTaskListFile,
  preflight: runPreflight,
  retryFailedTasks,
  recover,
  refreshMirror,
  assertClean,
  collectIfEnded,
  collectEnded,
  assertTargetsWritable,
  takeSnapshot,
  planBatches,
  writeDryRun,
  checkBudget,
  submitBatch,
  waitForEnd,
  verify: (ws, journal) => verifyNow(ws, journal),
  repairSync,
};

export function runPasses(ws: Workspace, options: RunOptions = {}, overrideDeps: Partial<RunDeps<Workspace>> = {}): Promise<RunResult> {
  return runLoop(ws, options, { ...defaultRunDeps, ...overrideDeps });
}

/**
 * Before any side effect (recovery may adopt or close intents, a submit records one; the CLI calls
 * it before taking the lock too): the key is there and the API answers. Not needed when there is
 * nothing to collect or submit. The check itself runs once per workspace.
 */
export async function runPreflight(ws: Pick<Workspace, 'config' | 'repoDir' | 'preflight'>, options: Pick<RunOptions, 'dryRun'> = {}): Promise<void> {
  if (!options.dryRun && (await needsApi(ws))) await ws.preflight();
}

/** Whether this run will call the API: something to collect or resolve, or tasks to submit. */
async function needsApi(ws: Pick<Workspace, 'config' | 'repoDir'>): Promise<boolean> {
  // A mirror refresh may add tasks to submit: check before it commits anything.
  if (ws.config.planner === 'mirror' && ws.config.mirror.refresh !== 'off') return true;
  const journal = await readJournal(ws.repoDir);
  if (inFlight(journal).length > 0 || journal.batches.some((b) => b.batchId === null && !b.abandoned)) return true;
  const busy = busyPaths(journal);
  return pendingTasks(await readTaskListFile(ws.repoDir)).some((t) => !busy.has(t.path));
}

export function assertNothingInFlight(journal: JournalState): void {
  const busy = inFlight(journal);
  if (busy.length > 0) {
    throw new HarnessError('BAD_USAGE', `batches are in flight: ${busy.map((b) => b.batchId).join(', ')}`, {
      hint: 'wait for them with `harness run`, or cancel them with `harness cancel`',
    });
  }
}
