/**
 * Planners make the first task-list.md: `list` (the spec is itself a task list), `mirror` (one
 * task per source file matched by config rules) and `llm` (one streaming call to the model).
 * Each returns a Plan that `renderTaskList` writes.
 */
import type { TaskPlan } from '../tasks/render-task-list.js';
import type { TaskList } from '../tasks/task-list.js';

export type Plan = TaskPlan;

/**
 * A parsed task list as a plan: groups are runs of consecutive tasks under the same heading, in
 * order; ticks and bookkeeping are dropped (a plan is all new tasks). `title` is the list's
 * first `# ` heading, when it has one; the tasks directly under it form a group with no heading
 * of their own (the title is their heading).
 */
export function planFromTaskList(list: TaskList): Plan {
  const title = firstTitle(list.source);
  const groups: Plan['groups'] = [];
  for (const t of list.tasks) {
    const heading = groups.length === 0 && title !== undefined && t.group === title ? '' : t.group;
    const last = groups.at(-1);
    if (last && last.heading === heading) last.tasks.push({ path: t.path, description: t.description });
    else groups.push({ heading, tasks: [{ path: t.path, description: t.description }] });
  }
  return title === undefined ? { groups } : { title, groups };
}

/** Text of the first level-1 ATX heading outside code fences, whitespace collapsed. */
function firstTitle(source: string): string | undefined {
  let fence: string | null = null;
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  let from = 0;
  if (/^---[ \t]*$/.test(lines[0] ?? '')) {
    const close = lines.findIndex((l, i) => i > 0 && /^---[ \t]*$/.test(l));
    if (close !== -1) from = close + 1;
  }
  for (const line of lines.slice(from)) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]!;
      else if (f[1]![0] === fence[0] && f[1]!.length >= fence.length) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (h) return h[1]!.replace(/\s+/g, ' ').trim() || undefined;
  }
  return undefined;
}
