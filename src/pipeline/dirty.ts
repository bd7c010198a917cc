/**
 * docs/git.md: refuse to start when a path the harness would write has uncommitted changes.
 * Paths of a batch whose collect was interrupted are the harness's own and are not counted, nor
 * are the targets of a batch in flight that recorded them at submit (its collect never overwrites
 * an edit made since: see collect's conflict handling).
 * task-list.md is not counted either: it is the person's input (edit it, then run) and the harness
 * rewrites only its bookkeeping, never their edits.
 */
import { HarnessError } from '../shared/errors.js';
import { inFlight, type JournalState } from '../state/journal.js';
import type { TaskList } from '../tasks/task-list.js';
import type { Workspace } from './workspace.js';

export async function assertClean(ws: Workspace, list: TaskList, journal: JournalState): Promise<void> {
  const ours = new Set<string>();
  const flying = new Set(inFlight(journal));
  for (const b of journal.batches) {
    if (b.collectStarted && !b.collected) for (const r of b.intent.requests) for (const p of r.paths) ours.add(p);
    // A batch in flight that recorded its targets at submit: its collect keeps a file edited since
    // (the output goes beside it, the task reports the conflict), so such an edit does not block.
    else if (flying.has(b) && b.intent.targets) {
      for (const r of b.intent.requests) for (const p of r.paths) ours.add(p);
    }
  }
  const paths = list.tasks.filter((t) => !t.checked && t.status !== 'failed' && !ours.has(t.path)).map((t) => ws.repoPath(t.path));
  const dirty = await ws.git.dirtyPaths(paths);
  if (dirty.length === 0) return;
  const shown = dirty.slice(0, 10).join(', ') + (dirty.length > 10 ? ` and ${dirty.length - 10} more` : '');
  throw new HarnessError('DIRTY_REPO', `uncommitted changes in files the harness would write: ${shown}`, {
    hint: 'commit or stash them first, or pass --allow-dirty to let the harness overwrite them',
  });
}
