/**
 * The continuation pass, in a loop: collect what has ended, submit what is pending, wait, repeat,
 * until nothing is pending or in flight. `once`: one submit-wait-collect cycle. `detach`: collect
 * what has ended, submit what is pending, return without waiting (cron / CI).
 */
import { pollDelay, pollSchedule } from '../batch/poll.js';
import { apiError, isTransient } from '../batch/retry.js';
import type { BatchInfo } from '../batch/api.js';
import { HarnessError } from '../shared/errors.js';
import { busyPaths, inFlight, readJournal, spentUsd, type BatchRecord, type JournalState } from '../state/journal.js';
import { pendingTasks, readTaskListFile } from '../tasks/taskList.js';
import { collectEnded, collectIfEnded, type CollectOutcome } from './collect.js';
import { assertClean } from './dirty.js';
import { writeDryRun, type DryRunSummary } from './dry-run.js';
import { planBatches, warmupEstimate, type PlannedBatch } from './plan-requests.js';
import { refreshMirror } from './mirror-refresh.js';
import { recover } from './recover.js';
import { retryFailedTasks } from './retry.js';
import { assertTargetsWritable } from './validate-targets.js';
import { takeSnapshot, type Snapshot } from './snapshot.js';
import { checkBudget, submitBatch, type BudgetState } from './submit.js';
import { WARMUP_CUSTOM_ID, warmupRequest } from './warmup.js';
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
  counts: { pending: number; submitted: number; done: number; failed: number };
}

export async function runPasses(ws: Workspace, options: RunOptions = {}): Promise<RunResult> {
  if (options.once && options.detach) {
    throw new HarnessError('BAD_USAGE', '--once and --detach cannot be used together', {
      hint: '--once waits for one cycle to end; --detach never waits: pick one',
    });
  }
  await runPreflight(ws, options);
  ws.stop.throwIfRequested();
  if (options.retryFailed) await retryFailedTasks(ws);
  // --detach never waits, also not for a batch that may be a crashed create of this repo.
  let journal = options.fresh || options.dryRun ? await readJournal(ws.repoDir) : await recover(ws, { waitForCandidates: !options.detach });
  // A mirror-planned repo picks up new and changed sources on every run (config mirror.refresh);
  // before the dirty check, so that the tasks it adds are checked too.
  const refreshed = !options.dryRun && !options.fresh ? await refreshMirror(ws) : null;
  if (!options.allowDirty && !options.dryRun && !options.fresh) {
    await assertClean(ws, await readTaskListFile(ws.repoDir), journal);
  }
  const collected: CollectOutcome[] = [];
  const submitted: string[] = [];
  const budget: BudgetState = {
    runUsd: 0,
    committedUsd: spentUsd(journal) + inFlight(journal).reduce((s, b) => s + b.intent.estimateUsd, 0),
  };
  let snapshot: Snapshot | null = null;
  let cycles = 0;

  for (;;) {
    // 1. Collect whatever has ended.
    const waiting: BatchInfo[] = [];
    if (!options.dryRun) {
      for (const record of inFlight(journal)) {
        ws.stop.throwIfRequested(); // safe point: between two batches, never inside a collect
        const { outcome, batch } = await collectIfEnded(ws, record);
        if (outcome) collected.push(outcome);
        else waiting.push(batch);
      }
      journal = await readJournal(ws.repoDir);
    }

    // 2. Submit what is pending (and not already in a batch in flight).
    const busy = busyPaths(journal);
    const pending = pendingTasks(await readTaskListFile(ws.repoDir)).filter((t) => !busy.has(t.path));
    await assertTargetsWritable(ws, pending);
    if (pending.length > 0 && !(options.once && cycles > 0)) {
      // Sources changed under a mirror plan: the requests must see them as they are now.
      snapshot ??= await takeSnapshot(ws, { reuse: !refreshed || (refreshed.added === 0 && refreshed.requeued.length === 0) });
      const planned = await planBatches(ws, pending, snapshot);
      if (options.dryRun) {
        const dryRun = await writeDryRun(ws, planned);
        return { exitCode: 0, collected, submitted, dryRun, counts: await counts(ws) };
      }
      for (const batch of planned) {
        checkBudget(ws, batch, budget);
        ws.stop.throwIfRequested(); // safe point: before a submit (never between create and record)
        if (batch.cache === 'warm-up') {
          const warm = await warmUp(ws, batch, snapshot.context.sha256, options.detach === true);
          if (warm.outcome) collected.push(warm.outcome);
          journal = await readJournal(ws.repoDir);
          if (!warm.proceed) continue; // --detach: the next run submits it once the warm-up has ended
          ws.stop.throwIfRequested();
        }
        submitted.push(await submitBatch(ws, batch, journal, { context: snapshot.context.sha256 }));
        budget.runUsd += batch.estimate.usd;
        budget.committedUsd += batch.estimate.usd;
        journal = await readJournal(ws.repoDir);
      }
    } else if (options.dryRun) {
      return { exitCode: 0, collected, submitted, dryRun: await writeDryRun(ws, []), counts: await counts(ws) };
    }

    if (options.detach) break;
    if (options.once && cycles > 0) break;
    if (inFlight(journal).length === 0) break;

    // 3. Wait until a batch ends (with --once: until all of this cycle's have ended).
    await waitForEnd(ws, inFlight(journal), options.once ? 'all' : 'any');
    cycles++;
  }

  const c = await counts(ws);
  const workLeft = c.pending + c.submitted > 0;
  const exitCode = c.failed > 0 || ((options.once || options.detach) && workLeft) ? 3 : 0;
  return { exitCode, collected, submitted, dryRun: null, counts: c };
}

/**
 * Writes the codebase cache before `batch`: a one-request batch with the same prefix (or the one a
 * crashed run already submitted), waited for and collected. If it has not ended
 * `cache.warmupMaxWaitMs` after it was submitted, the batch goes ahead anyway and the warm-up is
 * collected later. With `detach` nothing waits: the warm-up is submitted and the batch is left for
 * a later run (`proceed: false`), which submits it once the warm-up has ended (collected at the
 * start of that run) or once the longest wait has passed.
 */
async function warmUp(
  ws: Workspace,
  batch: PlannedBatch,
  contextSha: string,
  detach: boolean,
): Promise<{ outcome: CollectOutcome | null; proceed: boolean }> {
  let journal = await readJournal(ws.repoDir);
  const running = (j: JournalState) => inFlight(j).find((b) => b.intent.purpose === 'warmup' && b.intent.context === contextSha);
  const maxWaitMs = ws.config.cache.warmupMaxWaitMs;
  if (!running(journal)) {
    const request = warmupRequest(batch.requests[0]!);
    const warm = {
      requests: [request],
      packed: [{ customId: WARMUP_CUSTOM_ID, tasks: [], expectedOutputTokens: 1 }],
      estimate: warmupEstimate(ws, batch.requests[0]!),
    };
    const id = await submitBatch(ws, warm, journal, { purpose: 'warmup', context: contextSha });
    journal = await readJournal(ws.repoDir);
    if (detach) {
      ws.reporter.info(`cache warm-up ${id} submitted; the next \`harness run\` (or --detach) submits the batch once it has ended`);
      return { outcome: null, proceed: false };
    }
  }
  const record = running(journal)!;
  const since = Date.parse(record.submittedAt ?? record.intent.at);
  const leftMs = Number.isFinite(since) ? maxWaitMs - (ws.now() - since) : maxWaitMs;
  if (detach && leftMs > 0) {
    ws.reporter.info(
      `cache warm-up ${record.batchId} still running; the batch waits for it (at most ${Math.ceil(leftMs / 1000)} s more, cache.warmupMaxWaitMs)`,
    );
    return { outcome: null, proceed: false };
  }
  const ended = !detach && leftMs > 0 && (await waitForEnd(ws, [record], 'all', leftMs));
  if (!ended) {
    ws.reporter.warn(`cache warm-up ${record.batchId} still running after ${Math.round(maxWaitMs / 1000)} s: submitting without waiting longer`);
    return { outcome: null, proceed: true };
  }
  return { outcome: await collectEnded(ws, record), proceed: true };
}

/**
 * Before any side effect (recovery may adopt or close intents, a submit records one; the CLI calls
 * it before taking the lock too): the key is there and the API answers. Not needed when there is
 * nothing to collect or submit. The check itself runs once per workspace.
 */
export async function runPreflight(ws: Workspace, options: Pick<RunOptions, 'dryRun'> = {}): Promise<void> {
  if (!options.dryRun && (await needsApi(ws))) await ws.preflight();
}

/** Whether this run will call the API: something to collect or resolve, or tasks to submit. */
async function needsApi(ws: Workspace): Promise<boolean> {
  // A mirror refresh may add tasks to submit: check before it commits anything.
  if (ws.config.planner === 'mirror' && ws.config.mirror.refresh !== 'off') return true;
  const journal = await readJournal(ws.repoDir);
  if (inFlight(journal).length > 0 || journal.batches.some((b) => b.batchId === null && !b.abandoned)) return true;
  const busy = busyPaths(journal);
  return pendingTasks(await readTaskListFile(ws.repoDir)).some((t) => !busy.has(t.path));
}

/** Polls until one (`any`) or every (`all`) batch has ended; false when `maxWaitMs` passed first. */
async function waitForEnd(ws: Workspace, records: BatchRecord[], until: 'any' | 'all', maxWaitMs = Number.POSITIVE_INFINITY): Promise<boolean> {
  const schedule = pollSchedule(ws.config.poll, ws.env);
  const started = ws.now();
  const remaining = new Set(records.map((r) => r.batchId!));
  // A poll that fails transiently (the SDK has already retried it) is tried again at the next
  // tick; after this many failures in a row, or at once for a permanent error, the run stops
  // (exit 1) and a later `harness run` resumes: nothing is lost by stopping.
  const MAX_FAILED_POLLS = 10;
  let failedPolls = 0;
  for (let n = 0; ; n++) {
    // Safe point: a stop requested meanwhile ends the wait at once (StopRequested); the batches
    // keep running on the server and the next run collects them.
    await ws.wait(pollDelay(schedule, n));
    ws.stop.throwIfRequested();
    for (const id of [...remaining]) {
      let batch: BatchInfo;
      try {
        batch = await ws.api().retrieve(id);
        failedPolls = 0;
      } catch (error) {
        failedPolls++;
        if (!isTransient(error) || failedPolls >= MAX_FAILED_POLLS) throw apiError(`polling ${id}`, error);
        ws.reporter.warn(`polling ${id} failed (${apiError('poll', error).message}); will retry`);
        continue;
      }
      const c = batch.request_counts;
      const finished = c.succeeded + c.errored + c.canceled + c.expired;
      const total = finished + c.processing;
      const elapsedMs = ws.now() - Date.parse(batch.created_at);
      ws.reporter.progress({
        batchId: id,
        status: batch.processing_status,
        succeeded: c.succeeded,
        errored: c.errored,
        processing: c.processing,
        canceled: c.canceled,
        expired: c.expired,
        elapsedMs: Math.max(elapsedMs, ws.now() - started),
        etaMs: finished > 0 && finished < total ? Math.round((elapsedMs / finished) * (total - finished)) : null,
      });
      if (batch.processing_status === 'ended') remaining.delete(id);
    }
    if (until === 'any' ? remaining.size < records.length : remaining.size === 0) return true;
    if (ws.now() - started >= maxWaitMs) return false;
  }
}

export async function counts(ws: Workspace): Promise<RunResult['counts']> {
  const list = await readTaskListFile(ws.repoDir);
  const c = { pending: 0, submitted: 0, done: 0, failed: 0 };
  for (const t of list.tasks) c[t.status]++;
  return c;
}

export function assertNothingInFlight(journal: JournalState): void {
  const busy = inFlight(journal);
  if (busy.length > 0) {
    throw new HarnessError('BAD_USAGE', `batches are in flight: ${busy.map((b) => b.batchId).join(', ')}`, {
      hint: 'wait for them with `harness run`, or cancel them with `harness cancel`',
    });
  }
}
