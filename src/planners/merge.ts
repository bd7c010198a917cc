/**
 * A plan laid onto an existing task list: tasks for paths the list does not have yet are appended
 * (under their headings, after everything the person wrote); nothing in the list is changed.
 */
import { renderTaskList, type TaskList } from '../tasks/task-list.js';
import type { Plan } from './index.js';

/** A new plan becomes the task list; on an existing one, only tasks for new paths are appended. */
export function mergePlan(existing: TaskList | null, plan: Plan): string {
  if (!existing) return renderTaskList(plan);
  const have = new Set(existing.tasks.map((t) => t.path));
  const groups = plan.groups.map((g) => ({ heading: g.heading, tasks: g.tasks.filter((t) => !have.has(t.path)) })).filter((g) => g.tasks.length > 0);
  if (groups.length === 0) return existing.source;
  const addition = renderTaskList({ groups }).replace(/^# .*\n+/, '');
  const eol = existing.source.includes('\r\n') ? '\r\n' : '\n';
  const base = existing.source.endsWith('\n') || existing.source === '' ? existing.source : existing.source + eol;
  return base + eol + addition.replace(/\n/g, eol);
}
