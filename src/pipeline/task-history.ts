/**
 * What earlier collects asked of a task's next request, read from the journal's `collected` events
 * (their `retry` field), in journal order:
 *
 * - `maxTasks`: a request that came back `errored: invalid_request_error` with several tasks is
 *   split: each of its tasks goes back to pending, no attempt used, and the next request holding
 *   it holds at most half as many tasks. Halving again each time, the bad task ends up alone; a
 *   request of one task that is refused fails that task. The cap holds until the task is done or
 *   failed, or a later collect sets another.
 * - `ambiguous`: the last answer for the task showed the section format inside its content (a
 *   stray END marker); its next request carries a note to the model. A second ambiguous answer
 *   after that note fails the task. The flag lasts until an answer for the task is processed
 *   (an attempt is used) or the task is done or failed; a request that was not processed
 *   (canceled, expired, split, no result) keeps it.
 */
import type { CollectedEvent, JournalState, RetryRecord } from '../state/journal.js';

export interface TaskFollowUp {
  maxTasks?: number;
  ambiguous?: boolean;
}

/** Task path → what its next request must do differently (paths with nothing to do are absent). */
export function taskFollowUps(journal: JournalState): Map<string, TaskFollowUp> {
  const out = new Map<string, TaskFollowUp>();
  for (const e of journal.events) if (e.type === 'collected') applyCollected(out, e);
  return out;
}

/** Folds one collected event into `state` (exported for tests). */
export function applyCollected(state: Map<string, TaskFollowUp>, event: Pick<CollectedEvent, 'taskChanges' | 'retry'>): void {
  for (const [p, change] of Object.entries(event.taskChanges)) {
    const before = state.get(p) ?? {};
    const retry = event.retry?.[p];
    const finished = change.status === 'done' || change.status === 'failed';
    const processed = change.attempts !== undefined;
    const next: TaskFollowUp = {};
    const maxTasks = retry?.maxTasks ?? (finished ? undefined : before.maxTasks);
    if (maxTasks !== undefined) next.maxTasks = maxTasks;
    if (retry?.ambiguous || (!finished && !processed && before.ambiguous)) next.ambiguous = true;
    if (next.maxTasks === undefined && !next.ambiguous) state.delete(p);
    else state.set(p, next);
  }
}

/**
 * What a request refused as `invalid_request_error` means for its tasks (`paths`, the request's):
 * several tasks, split (each one's next request holds at most half as many; no attempt used);
 * one task, null: that task is the bad one and fails.
 */
export function splitRefused(paths: readonly string[]): { maxTasks: number; retry: Map<string, RetryRecord> } | null {
  if (paths.length <= 1) return null;
  const maxTasks = Math.ceil(paths.length / 2);
  return { maxTasks, retry: new Map(paths.map((p) => [p, { maxTasks }])) };
}
