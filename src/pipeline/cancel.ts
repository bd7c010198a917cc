/**
 * `harness cancel`: cancel every batch in flight, wait for each to end (requests already running
 * may still finish, and are paid), collect what succeeded, and put the rest back to pending.
 *
 * `harness cancel --forget BATCH`: the way out when the API does not know a batch (another
 * workspace's key, deleted, archived): the journal records it as forgotten, its tasks go back to
 * pending, and it no longer counts as in flight; the API is never asked about it, then or later.
 */
import { withRetry } from '../batch/retry.js';
import { pollDelay, pollSchedule } from '../batch/poll.js';
import { HarnessError } from '../shared/errors.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import { appendJournal, inFlight, JOURNAL_FILE, nowIso, readJournal } from '../state/journal.js';
import { readTaskListFile, writeTaskList, writeTaskListFile, type TaskChange } from '../tasks/task-list.js';
import { collectEnded } from './collect.js';
import type { CollectOutcome } from './collect-finish.js';
import { recover } from './recover.js';
import type { Workspace } from './workspace.js';

export async function cancelInFlight(ws: Workspace): Promise<{ canceled: string[]; collected: CollectOutcome[] }> {
  await recover(ws, { waitForCandidates: false });
  const journal = await readJournal(ws.repoDir);
  const records = inFlight(journal);
  const canceled: string[] = [];
  const collected: CollectOutcome[] = [];
  const schedule = pollSchedule({ ...ws.config.poll, initialMs: Math.min(ws.config.poll.initialMs, 5_000) }, ws.env);
  for (const record of records) {
    const id = record.batchId!;
    let batch = await withRetry(`retrieving ${id}`, () => ws.api().retrieve(id), { sleep: ws.sleep });
    if (batch.processing_status === 'in_progress') {
      if (!record.cancelRequested) await appendJournal(ws.repoDir, { type: 'cancel', at: nowIso(), batchId: id });
      batch = await withRetry(`canceling ${id}`, () => ws.api().cancel(id), { sleep: ws.sleep });
      canceled.push(id);
      ws.reporter.info(`canceling ${id}`);
    }
    for (let n = 0; batch.processing_status !== 'ended'; n++) {
      await ws.sleep(pollDelay(schedule, n));
      batch = await withRetry(`retrieving ${id}`, () => ws.api().retrieve(id), { sleep: ws.sleep });
    }
    const fresh = (await readJournal(ws.repoDir)).batches.find((b) => b.batchId === id)!;
    collected.push(await collectEnded(ws, fresh));
  }
  return { canceled, collected };
}

export interface ForgetResult {
  batchId: string;
  /** Task paths put back to pending. */
  tasks: string[];
  /** It was forgotten before: nothing changed. */
  already: boolean;
}

/** Gives up a batch the journal tracks, without calling the API; commits `harness: forget <id> (…)`. */
export async function forgetBatch(ws: Workspace, batchId: string): Promise<ForgetResult> {
  const journal = await readJournal(ws.repoDir);
  const record = journal.batches.find((b) => b.batchId === batchId);
  if (!record) {
    const known = inFlight(journal).map((b) => b.batchId!);
    throw new HarnessError('BAD_USAGE', `no batch ${batchId} in the journal`, {
      hint: known.length > 0 ? `batches in flight: ${known.join(', ')}` : 'no batch is in flight (`harness status` lists every batch)',
    });
  }
  if (record.collected) throw new HarnessError('BAD_USAGE', `batch ${batchId} was collected already: there is nothing to forget`);
  if (record.forgotten) return { batchId, tasks: [], already: true };

  await appendJournal(ws.repoDir, { type: 'forgotten', at: nowIso(), batchId });
  const list = await readTaskListFile(ws.repoDir);
  const paths = new Set(record.intent.requests.flatMap((r) => r.paths));
  const changes = new Map<string, TaskChange>();
  for (const t of list.tasks) {
    if (t.status === 'submitted' && (t.batch === batchId || (t.batch === null && paths.has(t.path))))
      changes.set(t.path, { status: 'pending', reason: null });
  }
  const text = writeTaskList(list, changes);
  if (text !== list.source) await writeTaskListFile(ws.repoDir, text);
  await ensureStateGitignore(ws.repoDir);
  await ws.git.commit([TASK_LIST_FILE, JOURNAL_FILE, STATE_GITIGNORE], `harness: forget ${batchId} (${changes.size} tasks back to pending)`);
  ws.reporter.warn(
    `forgot ${batchId}: its ${changes.size} task(s) are pending again and the next run submits them; if the batch still exists somewhere, its results are not collected and its cost is not counted`,
  );
  return { batchId, tasks: [...changes.keys()], already: false };
}
