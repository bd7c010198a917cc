/**
 * Stages (docs/task-list.md#stages): which stage a job is in, and whether a failed task of an
 * earlier stage holds it back. Pure: the run loop, `status`, `estimate` and `--dry-run` all ask
 * here, so they agree.
 */
import type { Task } from '../tasks/task.js';
import type { TaskList } from '../tasks/task-list.js';

export interface StageState {
  /** The stage in progress: the lowest stage that has a task pending or submitted. */
  current: number;
  /** The failed tasks of earlier stages, in file order: while there is one, `current` cannot start. */
  heldBy: Task[];
  /** Pending tasks of later stages: they wait for `current`. */
  waiting: number;
  /** The highest stage of the list. */
  last: number;
}

/** Where the job stands, or null when no task is pending or submitted (nothing in progress). */
export function stageState(list: TaskList): StageState | null {
  let current = Infinity;
  let last = 1;
  for (const t of list.tasks) {
    last = Math.max(last, t.stage);
    if (t.status === 'pending' || t.status === 'submitted') current = Math.min(current, t.stage);
  }
  if (current === Infinity) return null;
  const heldBy = list.tasks.filter((t) => t.status === 'failed' && t.stage < current);
  const waiting = list.tasks.filter((t) => t.status === 'pending' && t.stage > current).length;
  return { current, heldBy, waiting, last };
}

/** The pending tasks the current stage may submit (all of them when the list has one stage). */
export function pendingOfStage(list: TaskList, state: StageState | null): Task[] {
  if (state === null) return list.tasks.filter((t) => t.status === 'pending');
  if (state.heldBy.length > 0) return [];
  return list.tasks.filter((t) => t.status === 'pending' && t.stage === state.current);
}

/** `stage 2 waits for stage 1: src/models/user.ts failed (reason); fix it and run harness retry …`. */
export function heldMessage(state: StageState): string | null {
  const first = state.heldBy[0];
  if (!first) return null;
  const more = state.heldBy.length > 1 ? ` (and ${state.heldBy.length - 1} more failed task(s) of earlier stages)` : '';
  const reason = first.reason ? ` (${first.reason})` : '';
  return `stage ${state.current} waits for stage ${first.stage}: ${first.path} failed${reason}${more}; fix it and run \`harness retry ${state.heldBy.map((t) => t.path).join(' ')}\`, then \`harness run\``;
}
