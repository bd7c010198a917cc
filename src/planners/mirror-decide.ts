/**
 * Keeping a mirror plan current, decided purely: on every `run` of a repo whose planner is
 * `mirror`, the rules are applied to today's sources and
 * - a target the task list does not have yet becomes a new task (a new source gets its test);
 * - a done target whose source changed since the last look is re-queued (its test is written
 *   again against the new source), unless its file was edited since the harness wrote it: a
 *   person's work is never overwritten unasked; such a target is reported and left alone
 *   (untick it, or `harness retry PATH`, to regenerate it anyway).
 *
 * "The last look" is a record, per target, of its source's sha256 when the refresh last saw the
 * task (kept in `.harness/mirror.json`, committed). A target seen for the first time is recorded,
 * not re-queued; a task still pending or in flight is recorded with its source as it is now (it
 * will be generated from that).
 */
import type { Task } from '../tasks/task.js';
import type { Plan } from './index.js';

export type MirrorRefreshMode = 'off' | 'new' | 'new-and-changed';

export interface MirrorRefreshInput {
  /** The mirror plan of today's sources. */
  plan: Plan;
  /** Planned target → the source it was made from. */
  sourceOf: ReadonlyMap<string, string>;
  /** The task list's tasks. */
  tasks: readonly Task[];
  /** Source path → sha256 of its content now. */
  sourceSha: ReadonlyMap<string, string>;
  /** Target → its source's sha256 at the last look. */
  recorded: Readonly<Record<string, string>>;
  mode: Exclude<MirrorRefreshMode, 'off'>;
  /** True when the target's file is exactly what the harness last wrote there. */
  generatedIntact: (target: string) => boolean;
}

export interface MirrorRefreshDecision {
  /** Tasks for targets the list does not have, grouped as the plan groups them. */
  additions: Plan;
  /** Done targets whose source changed and whose file is as generated: back to pending. */
  requeue: string[];
  /** Done targets whose source changed but whose file was edited since: left alone. */
  edited: string[];
  /** The record for the next look (target → source sha256). */
  record: Record<string, string>;
}

export function decideMirrorRefresh(input: MirrorRefreshInput): MirrorRefreshDecision {
  const have = new Map(input.tasks.map((t) => [t.path, t]));
  const groups = input.plan.groups
    .map((g) => ({ heading: g.heading, tasks: g.tasks.filter((t) => !have.has(t.path)) }))
    .filter((g) => g.tasks.length > 0);
  const requeue: string[] = [];
  const edited: string[] = [];
  const record: Record<string, string> = {};
  for (const task of input.tasks) {
    const source = input.sourceOf.get(task.path);
    const now = source === undefined ? undefined : input.sourceSha.get(source);
    if (now === undefined) {
      // Not a mirror target today (its source is gone, or the task is the person's own): keep
      // whatever was recorded, decide nothing.
      const before = input.recorded[task.path];
      if (before !== undefined) record[task.path] = before;
      continue;
    }
    const before = input.recorded[task.path];
    const generated = task.status === 'done' && task.checked;
    if (generated && before !== undefined && before !== now && input.mode === 'new-and-changed') {
      if (input.generatedIntact(task.path)) requeue.push(task.path);
      else edited.push(task.path);
    }
    record[task.path] = now;
  }
  for (const g of groups) {
    for (const t of g.tasks) {
      const source = input.sourceOf.get(t.path);
      const now = source === undefined ? undefined : input.sourceSha.get(source);
      if (now !== undefined) record[t.path] = now;
    }
  }
  const additions: Plan = { ...(input.plan.title !== undefined ? { title: input.plan.title } : {}), groups };
  return { additions, requeue, edited, record };
}
