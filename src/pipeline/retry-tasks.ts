/**
 * Trying tasks again: `harness run --retry-failed` puts every failed task back to pending before
 * the pass; `harness retry PATH…` puts the named tasks back to pending (failed, done or pending
 * ones; one still in a batch in flight is refused). Either way the attempts start from zero and
 * the reason is cleared. Only task-list.md changes: the next submit commits it.
 * (A third way needs no command: changing a failed task's description makes it pending again.)
 */
import { HarnessError } from '../shared/errors.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { busyPaths, readJournal } from '../state/journal.js';
import { normaliseTaskPath } from '../tasks/parse.js';
import type { Task } from '../tasks/task.js';
import { readTaskListFile, writeTaskList, writeTaskListFile, type TaskChange, type TaskList } from '../tasks/task-list.js';
import type { Workspace } from './workspace.js';

const AGAIN: TaskChange = { status: 'pending', checked: false, attempts: 0, reason: null };

/** Every failed task back to pending, attempts from zero; returns their paths. */
export async function retryFailedTasks(ws: Workspace): Promise<string[]> {
  const list = await readTaskListFile(ws.repoDir);
  const failed = list.tasks.filter((t) => t.status === 'failed');
  await reset(ws, list, failed);
  if (failed.length > 0) ws.reporter.info(`${failed.length} failed task(s) back to pending: ${shorten(failed.map((t) => t.path))}`);
  return failed.map((t) => t.path);
}

export interface RetryResult {
  /** Tasks put back to pending. */
  retried: string[];
  /** Tasks that were pending already (nothing to do). */
  alreadyPending: string[];
}

/**
 * The tasks named by `paths` (as task-list.md lists them; `./` and the output root in front are
 * accepted) back to pending. A path that is no task, or a task still in a batch in flight, is a
 * usage error (exit 2) and nothing changes.
 */
export async function retryTasks(ws: Workspace, paths: readonly string[]): Promise<RetryResult> {
  if (paths.length === 0)
    throw new HarnessError('BAD_USAGE', 'retry needs the paths of the tasks to try again', {
      hint: 'harness retry src/a.ts src/b.ts (as task-list.md lists them)',
    });
  const list = await readTaskListFile(ws.repoDir);
  const byPath = new Map(list.tasks.map((t) => [t.path, t]));
  const root = ws.config.outputRoot.replace(/\\/g, '/').replace(/^(?:\.\/)+|\/+$/g, '');
  const find = (given: string): Task | undefined => {
    const p = normaliseTaskPath(given.replace(/\\/g, '/'));
    return byPath.get(p) ?? (root !== '' && root !== '.' && p.startsWith(`${root}/`) ? byPath.get(p.slice(root.length + 1)) : undefined);
  };
  const unknown: string[] = [];
  const chosen = new Map<string, Task>();
  for (const given of paths) {
    const t = find(given);
    if (t) chosen.set(t.path, t);
    else unknown.push(given);
  }
  if (unknown.length > 0) {
    throw new HarnessError('BAD_USAGE', `not a task in ${TASK_LIST_FILE}: ${unknown.join(', ')}`, {
      hint: `give the paths as ${TASK_LIST_FILE} lists them (\`harness status\` shows every task)`,
    });
  }
  const busy = busyPaths(await readJournal(ws.repoDir));
  const running = [...chosen.values()].filter((t) => busy.has(t.path));
  if (running.length > 0) {
    throw new HarnessError('BAD_USAGE', `in a batch still in flight: ${running.map((t) => `${t.path} (${t.batch ?? 'batch'})`).join(', ')}`, {
      hint: 'wait for it with `harness run` (or `harness collect`), or cancel it with `harness cancel`, then retry',
    });
  }
  const tasks = [...chosen.values()];
  const again = tasks.filter((t) => t.status !== 'pending' || t.attempts > 0 || t.reason !== null);
  await reset(ws, list, again);
  return { retried: again.map((t) => t.path), alreadyPending: tasks.filter((t) => !again.includes(t)).map((t) => t.path) };
}

async function reset(ws: Workspace, list: TaskList, tasks: readonly Task[]): Promise<void> {
  if (tasks.length === 0) return;
  const text = writeTaskList(list, new Map(tasks.map((t) => [t.path, AGAIN])));
  if (text !== list.source) await writeTaskListFile(ws.repoDir, text);
}

const shorten = (paths: string[]): string => paths.slice(0, 5).join(', ') + (paths.length > 5 ? ` and ${paths.length - 5} more` : '');
