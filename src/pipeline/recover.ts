/**
 * Before any command that acts, bring the journal, task-list.md and git back into agreement after
 * whatever happened last time (a crash at any instant, hand edits):
 * - a torn last journal line (a crash mid-append) is repaired (only here, by the lock holder);
 * - an intent with no batch id: adopt the batch its create made, proven by its results carrying
 *   the intent's custom_ids, or close it when no listed batch can be it (see orphans.ts);
 * - a verification recorded but not committed: write its task-list marks and commit, unless the task
 *   list was edited by hand since (verify-effect.ts `replayVerification`);
 * - a collect recorded but not committed: finish it (replay);
 * - tasks of in-flight batches not marked submitted (crash before the task list was written): mark
 *   them, and commit that record of the submit;
 * - tasks marked submitted in a batch nobody tracks (hand edits, lost state): back to pending;
 * - downloaded results of batches already collected: deleted.
 */
import { pruneDownloadedResults } from '../batch/download.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import { inFlight, JOURNAL_FILE, readJournal, repairJournal, unresolved, type BatchRecord, type JournalState } from '../state/journal.js';
import { readTaskListFile, writeTaskList, writeTaskListFile, type TaskChange } from '../tasks/task-list.js';
import { finishCollected } from './collect-finish.js';
import { type ResolveWorkspace, resolveIntent } from './orphans.js';
import { markSubmitted, SUBMIT_TRAILER } from './submit.js';
import { replayVerification } from '../verify/verify-effect.js';
import type { Workspace } from './workspace.js';

export interface RecoverOptions {
  /**
   * Wait for a batch that may be a crashed intent's until it ends and shows whose it is (default
   * true: a run that goes on would otherwise end with those tasks held). False: leave the intent
   * unresolved (its tasks held) for a later command; for commands that must not wait.
   */
  waitForCandidates?: boolean;
}

/** What recovery uses; finishing an interrupted collect needs what `finishCollected` takes. */
export type RecoverWorkspace = ResolveWorkspace & Pick<Workspace, 'git'> & Parameters<typeof finishCollected>[0];

export async function recover(ws: RecoverWorkspace, options: RecoverOptions = {}): Promise<JournalState> {
  if ((await repairJournal(ws.repoDir)) !== 'none') ws.reporter.warn('the journal ended in an event a crash cut short: repaired');
  let journal = await readJournal(ws.repoDir);
  // First: every later step may commit the journal, which would hide that this event was never committed.
  await replayVerification(ws, journal);
  const known = new Set(journal.batches.map((b) => b.batchId).filter((id): id is string => id !== null));
  for (const record of unresolved(journal)) {
    const resolution = await resolveIntent(ws, record, { known, search: true, wait: options.waitForCandidates ?? true, abandon: true });
    if (resolution.state === 'adopted') known.add(resolution.batchId);
    else if (resolution.state === 'unresolved') {
      ws.reporter.warn(
        `the tasks of an interrupted submit stay held until ${resolution.waitingFor.join(', ')} ends and shows whether it is this repo's`,
      );
    }
  }
  for (const record of journal.batches) {
    if (record.batchId === null || record.abandoned) continue;
    if (record.collected && !(await ws.git.findCommitWithTrailer('Harness-Batch', record.batchId))) {
      ws.reporter.warn(`finishing the interrupted collect of ${record.batchId}`);
      await finishCollected(ws, record.collected);
    }
  }
  journal = await readJournal(ws.repoDir);

  // Bookkeeping the journal implies but the task list lost.
  for (const record of journal.batches) {
    if (record.batchId === null || record.abandoned || record.collected || record.forgotten) continue;
    await recordSubmit(ws, record);
  }

  // Submitted tasks whose batch is not in flight go back to pending (the task list wins for what to do).
  const inFlightIds = new Set(inFlight(journal).map((b) => b.batchId!));
  const list = await readTaskListFile(ws.repoDir);
  const stale = new Map<string, TaskChange>();
  for (const t of list.tasks) {
    if (t.status === 'submitted' && (t.batch === null || !inFlightIds.has(t.batch))) stale.set(t.path, { status: 'pending' });
  }
  if (stale.size > 0) {
    await writeTaskListFile(ws.repoDir, writeTaskList(list, stale));
    ws.reporter.warn(`${stale.size} task(s) marked submitted in no batch in flight: back to pending`);
  }

  const collected = new Set(journal.batches.filter((b) => b.collected).map((b) => b.batchId!));
  await pruneDownloadedResults(ws.repoDir, (id) => collected.has(id));
  // Journal-only changes (abandoned intents, a collect begun) are committed with the next harness commit.
  return journal;
}

/**
 * Marks the tasks of an in-flight batch submitted. When its submit commit was never made (a crash
 * before it, or an adopted batch), commits it as `harness: submit <id> (<n> tasks)`; when it was,
 * and the task list had lost the marks, commits the repair under a subject that says so. Journal
 * events alone (a collect begun) wait for the next harness commit: no second submit commit.
 */
async function recordSubmit(ws: Pick<Workspace, 'repoDir' | 'git'>, record: BatchRecord): Promise<void> {
  const batchId = record.batchId!;
  const before = (await readTaskListFile(ws.repoDir)).source;
  await markSubmitted(ws, record.intent, batchId);
  const after = (await readTaskListFile(ws.repoDir)).source;
  const committed = await submitCommitted(ws, batchId);
  if (committed && before === after) return;
  if (!committed && before === after && (await ws.git.dirtyPaths([JOURNAL_FILE])).length === 0) return;
  const n = record.intent.requests.reduce((s, r) => s + r.paths.length, 0);
  const subject = committed ? `harness: record submit of ${batchId} (recovered after a crash)` : `harness: submit ${batchId} (${n} tasks)`;
  await ensureStateGitignore(ws.repoDir);
  await ws.git.commit([TASK_LIST_FILE, JOURNAL_FILE, STATE_GITIGNORE], subject, { [SUBMIT_TRAILER]: batchId });
}

/** Whether a submit commit of `batchId` exists (its trailer, or the subject of commits made before the trailer). */
async function submitCommitted(ws: Pick<Workspace, 'git'>, batchId: string): Promise<boolean> {
  if (await ws.git.findCommitWithTrailer(SUBMIT_TRAILER, batchId)) return true;
  return (await ws.git.log(200)).some((line) => line.includes(` harness: submit ${batchId} (`));
}
