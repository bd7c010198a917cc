/**
 * Before any command that acts, bring the journal, task-list.md and git back into agreement after
 * whatever happened last time (a crash at any instant, hand edits):
 * - an intent with no batch id: adopt the batch its create made (orphan), or abandon it;
 * - a collect recorded but not committed: finish it (replay);
 * - tasks of in-flight batches not marked submitted (crash before the task list was written): mark them;
 * - tasks marked submitted in a batch nobody tracks (hand edits, lost state): back to pending.
 */
import { withRetry } from '../batch/retry.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import { appendJournal, inFlight, JOURNAL_FILE, nowIso, readJournal, type JournalState } from '../state/journal.js';
import { readTaskListFile, writeTaskList, writeTaskListFile, type TaskChange } from '../tasks/taskList.js';
import { finishCollected } from './collect.js';
import { findOrphan } from './orphans.js';
import { markSubmitted } from './submit.js';
import type { Workspace } from './workspace.js';

export async function recover(ws: Workspace): Promise<JournalState> {
  let journal = await readJournal(ws.repoDir);
  const known = new Set(journal.batches.map((b) => b.batchId).filter((id): id is string => id !== null));
  for (const record of journal.batches) {
    if (record.abandoned) continue;
    if (record.batchId === null) {
      const orphan = await withRetry('listing batches', () => findOrphan(ws.api(), record.intent, known), { sleep: ws.sleep });
      if (orphan) {
        known.add(orphan.id);
        await appendJournal(ws.repoDir, { type: 'submitted', at: nowIso(), intentId: record.intent.intentId, batchId: orphan.id, adopted: true });
        ws.reporter.warn(`adopted batch ${orphan.id}: it was created before a crash and never recorded`);
      } else {
        await appendJournal(ws.repoDir, { type: 'abandoned', at: nowIso(), intentId: record.intent.intentId, reason: 'no batch was created for this intent' });
      }
      continue;
    }
    if (record.collected && !(await ws.git.findCommitWithTrailer('Harness-Batch', record.batchId))) {
      ws.reporter.warn(`finishing the interrupted collect of ${record.batchId}`);
      await finishCollected(ws, record.collected);
    }
  }
  journal = await readJournal(ws.repoDir);

  // Bookkeeping the journal implies but the task list lost.
  for (const record of journal.batches) {
    if (record.batchId === null || record.abandoned || record.collected || record.forgotten) continue;
    const before = (await readTaskListFile(ws.repoDir)).source;
    await markSubmitted(ws, record.intent, record.batchId);
    const after = (await readTaskListFile(ws.repoDir)).source;
    const journalDirty = (await ws.git.dirtyPaths([JOURNAL_FILE])).length > 0;
    if (before !== after || journalDirty) {
      const n = record.intent.requests.reduce((s, r) => s + r.paths.length, 0);
      await ensureStateGitignore(ws.repoDir);
      await ws.git.commit([TASK_LIST_FILE, JOURNAL_FILE, STATE_GITIGNORE], `harness: submit ${record.batchId} (${n} tasks)`);
    }
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
  // Journal-only changes (abandoned intents) are committed with the next harness commit.
  return journal;
}
