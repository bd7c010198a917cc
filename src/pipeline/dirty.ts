/**
 * CONTRACT section 8: refuse to start when a path the harness would write has uncommitted changes.
 * Paths of a batch whose collect was interrupted are the harness's own and are not counted.
 * task-list.md is not counted either: it is the person's input (edit it, then run) and the harness
 * rewrites only its bookkeeping, never their edits.
 */
import { HarnessError } from '../shared/errors.js';
import type { JournalState } from '../state/journal.js';
import type { TaskList } from '../tasks/taskList.js';
import type { Workspace } from './workspace.js';

export async function assertClean(ws: Workspace, list: TaskList, journal: JournalState): Promise<void> {
  const ours = new Set<string>();
  for (const b of journal.batches) {
    if (b.collectStarted && !b.collected) for (const r of b.intent.requests) for (const p of r.paths) ours.add(p);
  }
  const paths = list.tasks
    .filter((t) => !t.checked && t.status !== 'failed' && !ours.has(t.path))
    .map((t) => ws.repoPath(t.path));
  const dirty = await ws.git.dirtyPaths(paths);
  if (dirty.length === 0) return;
  const shown = dirty.slice(0, 10).join(', ') + (dirty.length > 10 ? ` and ${dirty.length - 10} more` : '');
  throw new HarnessError('DIRTY_REPO', `uncommitted changes in files the harness would write: ${shown}`, {
    hint: 'commit or stash them first, or pass --allow-dirty to let the harness overwrite them',
  });
}
