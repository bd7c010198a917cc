/**
 * A plan laid onto an existing task list: tasks for paths the list does not have yet are appended
 * (under their headings, after everything the person wrote); nothing in the list is changed. A
 * group of a stage (`## Stage N: …`) goes before the first heading of a later stage instead, so
 * that it stays in its stage and stages never go backwards (docs/task-list.md#stages).
 */
import { renderTaskList, type TaskList } from '../tasks/task-list.js';
import type { Plan } from './index.js';

const STAGE = /^Stage ([0-9]+):/;

/** A new plan becomes the task list; on an existing one, only tasks for new paths are added. */
export function mergePlan(existing: TaskList | null, plan: Plan): string {
  if (!existing) return renderTaskList(plan);
  const have = new Set(existing.tasks.map((t) => t.path));
  const groups = plan.groups.map((g) => ({ heading: g.heading, tasks: g.tasks.filter((t) => !have.has(t.path)) })).filter((g) => g.tasks.length > 0);
  if (groups.length === 0) return existing.source;
  const eol = existing.source.includes('\r\n') ? '\r\n' : '\n';
  const render = (g: Plan['groups']): string =>
    renderTaskList({ groups: g })
      .replace(/^# .*\n+/, '')
      .replace(/\n/g, eol);
  // Where each later-stage heading of the list starts (outside code fences), in order.
  const stageStarts = stageHeadings(existing.source);
  const inserts = new Map<number, Plan['groups']>();
  const tail: Plan['groups'] = [];
  for (const g of groups) {
    const m = STAGE.exec(g.heading);
    const at = m ? stageStarts.find((h) => h.stage > Number(m[1])) : undefined;
    if (at === undefined) tail.push(g);
    else inserts.set(at.offset, [...(inserts.get(at.offset) ?? []), g]);
  }
  let out = '';
  let from = 0;
  for (const offset of [...inserts.keys()].sort((a, b) => a - b)) {
    out += existing.source.slice(from, offset) + render(inserts.get(offset)!).replace(/^(\r?\n)+/, '') + eol;
    from = offset;
  }
  out += existing.source.slice(from);
  if (tail.length === 0) return out;
  const base = out.endsWith('\n') || out === '' ? out : out + eol;
  return base + eol + render(tail);
}

/** `## Stage N:` headings of a Markdown text outside code fences: their offset and N. */
function stageHeadings(source: string): { offset: number; stage: number }[] {
  const out: { offset: number; stage: number }[] = [];
  let fence: string | null = null;
  let offset = 0;
  for (const line of source.split('\n')) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]!;
      else if (f[1]![0] === fence[0] && f[1]!.length >= fence.length) fence = null;
    } else if (fence === null) {
      const h = /^ {0,3}##[ \t]+(Stage ([0-9]+):.*)$/.exec(line.replace(/\r$/, ''));
      if (h) out.push({ offset, stage: Number(h[2]) });
    }
    offset += line.length + 1;
  }
  return out;
}
