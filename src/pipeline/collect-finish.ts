/**
 * The end of a collect, once its `collected` event is recorded: apply the event to task-list.md and
 * commit `harness: collect <id> (<n> files)` with the recorded files. Idempotent (the event holds
 * absolute values), so the same code finishes a collect right after it is recorded and replays one
 * a crash interrupted (recover.ts). taskListChanges decides what changes; finishCollected applies it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatUsd, type Usage } from '../cost/usage.js';
import { failpoint } from '../shared/failpoint.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { plural } from '../shared/plural.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import { JOURNAL_FILE, type CollectedEvent } from '../state/journal.js';
import type { Task } from '../tasks/task.js';
import { readTaskListFile, type TaskChange, type TaskList, writeTaskList, writeTaskListFile } from '../tasks/task-list.js';
import { sha256 } from './targets.js';
import type { Workspace } from './workspace.js';

export interface CollectOutcome {
  batchId: string;
  files: number;
  costUsd: number;
  usage: Usage;
  counts: Record<string, number>;
}

/** The slice of the workspace finishing a collect uses. */
export type FinishWorkspace = Pick<Workspace, 'repoDir' | 'repoPath' | 'git' | 'reporter'>;

/**
 * Applies a recorded collect to task-list.md and commits it. With `verify` (the default, as a
 * replay needs it), each recorded file is checked against its recorded hash first: one that
 * differs or is gone (a person changed it after the crash) is not committed as the batch's output;
 * it is reported and left to the person, and its task fails with a reason that says so.
 */
export async function finishCollected(
  ws: FinishWorkspace,
  event: CollectedEvent,
  options: { verify?: boolean; list?: TaskList } = {},
): Promise<CollectOutcome> {
  const changed = options.verify === false ? new Set<string>() : new Set(await changedRecordedFiles(ws.repoDir, event));
  // task-list.md as it is now (a person may have edited it while the batch was collected): the
  // list read before (`options.list`) when the file still holds the same text.
  const list = await readTaskListFile(ws.repoDir, TASK_LIST_FILE, options.list);
  const { changes, orphaned } = taskListChanges(event, list.tasks, changed, (p) => ws.repoPath(p));
  const text = writeTaskList(list, changes);
  if (text !== list.source) await writeTaskListFile(ws.repoDir, text);
  failpoint('collect:task-list-written');
  for (const p of changed)
    ws.reporter.warn(`${p} changed after the interrupted collect of ${event.batchId} wrote it: left as it is, not committed as the batch's output`);
  if (orphaned > 0)
    ws.reporter.warn(`${plural(orphaned, 'task')} marked submitted in ${event.batchId} had no result (renamed since?): back to pending`);
  const present = [...new Set(event.files.map((f) => f.path))].filter((p) => !changed.has(p) && existsSync(path.join(ws.repoDir, p)));
  const files = event.files.length - event.files.filter((f) => changed.has(f.path)).length;
  const cost = formatUsd(event.costUsd);
  await ensureStateGitignore(ws.repoDir);
  await ws.git.commit([...present, TASK_LIST_FILE, JOURNAL_FILE, STATE_GITIGNORE], `harness: collect ${event.batchId} (${files} files)`, {
    'Harness-Batch': event.batchId,
    'Harness-Cost-USD': cost,
  });
  const done = [...changes.values()].filter((c) => c.status === 'done').length;
  const conflicts = event.conflicts?.length ?? 0;
  ws.reporter.info(
    `collected ${event.batchId}: ${plural(files, 'file')}, ${plural(done, 'task')} done` +
      (conflicts + changed.size > 0 ? `, ${plural(conflicts + changed.size, 'conflict')}` : '') +
      `, $${cost}`,
  );
  return { batchId: event.batchId, files, costUsd: event.costUsd, usage: event.usage, counts: event.counts };
}

/**
 * What a recorded collect changes in task-list.md (`tasks`, as it is now):
 * - a task the person ticked since is left alone unless the change is done (ticking is skipping);
 * - a done task whose file a person changed between a crashed collect and its replay
 *   (`changedFiles`, repo-relative) fails, with a reason that says so: that file is theirs now;
 * - tasks still marked submitted in this batch that the event does not decide (renamed in
 *   task-list.md while the batch ran, so no result maps to them) go back to pending, so this run
 *   submits them again (`orphaned` counts them).
 */
export function taskListChanges(
  event: Pick<CollectedEvent, 'batchId' | 'taskChanges'>,
  tasks: readonly Task[],
  changedFiles: ReadonlySet<string>,
  repoPath: (taskPath: string) => string,
): { changes: Map<string, TaskChange>; orphaned: number } {
  const current = new Map(tasks.map((t) => [t.path, t]));
  const changes = new Map<string, TaskChange>();
  for (const [p, change] of Object.entries(event.taskChanges)) {
    const t = current.get(p);
    if (!t) continue;
    if (t.checked && change.status !== 'done') continue; // ticked by the person since: skip wins
    const repoRelPath = repoPath(p);
    if (changedFiles.has(repoRelPath) && change.status === 'done') {
      const reason = changedAfterCrashReason(repoRelPath, event.batchId);
      changes.set(p, { status: 'failed', checked: false, attempts: change.attempts, batch: event.batchId, reason });
      continue;
    }
    changes.set(p, change);
  }
  let orphaned = 0;
  for (const t of tasks) {
    if (t.status === 'submitted' && t.batch === event.batchId && !changes.has(t.path) && !(t.path in event.taskChanges)) {
      changes.set(t.path, { status: 'pending' });
      orphaned++;
    }
  }
  return { changes, orphaned };
}

/** The reason of a task whose file a person changed between a crashed collect and its replay. */
function changedAfterCrashReason(repoRelPath: string, batchId: string): string {
  return (
    `conflict: ${repoRelPath} changed after the interrupted collect of ${batchId} wrote it; left as it is, not committed as the batch's output. ` +
    `To keep this version, tick the task; to generate the file again, retry the task`
  );
}

/** Recorded files that are gone or no longer hold the recorded content (the last record of a path counts). */
async function changedRecordedFiles(repoDir: string, event: Pick<CollectedEvent, 'files'>): Promise<string[]> {
  const expected = new Map(event.files.map((f) => [f.path, f.sha256]));
  const changed: string[] = [];
  for (const [p, hash] of expected) {
    const bytes = await readFile(path.join(repoDir, p)).catch(() => null);
    if (bytes === null || sha256(bytes) !== hash) changed.push(p);
  }
  return changed;
}
