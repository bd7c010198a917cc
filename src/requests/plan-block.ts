/**
 * The plan block: the whole task list as every request sees it, in the cached
 * prefix after the codebase (and after the earlier stages' files), with its own cache breakpoint.
 * It holds the list's headings (the title among them) and every task's path and description, in
 * file order, and nothing else: no statuses, no bookkeeping comments, no front matter, no prose.
 * So it is the same bytes for the whole run whatever the harness writes back onto the list, and
 * editing one description rewrites this block's cache entry only (the codebase's stays).
 */
import { tagFor } from '../repo/context.js';
import { readFrontMatter } from '../tasks/front-matter.js';
import { codeSpan } from '../tasks/render-task-list.js';
import { scanBody } from '../tasks/scan-task-list.js';
import type { TaskList } from '../tasks/task-list.js';
import type { Task } from '../tasks/task.js';

export type PlanEntry = { kind: 'heading'; level: number; text: string } | { kind: 'task'; path: string; description: string };

/** The headings and tasks of a parsed list, in file order (tasks as parsed: normalised paths, clean descriptions). */
export function planEntries(list: Pick<TaskList, 'source' | 'file' | 'tasks'>): PlanEntry[] {
  const { source } = list;
  const fm = readFrontMatter(source, list.file);
  const headings = scanBody(source, fm.bodyStart, lineOf(source, fm.bodyStart)).headings.map((h) => ({
    line: lineOf(source, h.start),
    entry: { kind: 'heading' as const, level: h.depth, text: h.text },
  }));
  const tasks = list.tasks.map((t) => ({ line: t.line, entry: taskEntry(t) }));
  return [...headings, ...tasks].sort((a, b) => a.line - b.line).map((x) => x.entry);
}

/** A plan from tasks alone (no list text at hand): each change of group starts a `##` heading. */
export function planEntriesOfTasks(tasks: readonly Pick<Task, 'path' | 'description' | 'group'>[]): PlanEntry[] {
  const out: PlanEntry[] = [];
  let group = '';
  for (const t of tasks) {
    if (t.group !== group && t.group !== '') out.push({ kind: 'heading', level: 2, text: t.group });
    group = t.group;
    out.push(taskEntry(t));
  }
  return out;
}

function taskEntry(t: Pick<Task, 'path' | 'description'>): PlanEntry {
  return { kind: 'task', path: t.path, description: t.description.replace(/\s+/g, ' ').trim() };
}

/**
 * The block's text: a header saying what it is and how to use it, then the outline between
 * `<plan>` and `</plan>` (`<plan_2>`… when a description holds `</plan>`). Pure and byte-stable:
 * the same entries give the same bytes.
 */
export function planBlockText(entries: readonly PlanEntry[]): string {
  const lines = entries.map((e) =>
    e.kind === 'heading'
      ? `${'#'.repeat(Math.min(6, Math.max(1, e.level)))} ${e.text}`
      : `- ${codeSpan(e.path)}${e.description ? ` — ${e.description}` : ''}`,
  );
  const body = lines.join('\n') + '\n';
  const tag = tagFor(body, 'plan');
  const files = entries.filter((e) => e.kind === 'task').length;
  return (
    `# The plan\n\n` +
    `The whole job: every file it writes (${files} ${files === 1 ? 'file' : 'files'}), each with what it must contain, under the headings of the task list. ` +
    `The request below asks for some of them; the others are being written at the same time by other requests, which see this same plan. ` +
    `Where a file uses another file of the plan, keep to the path, names, exports and signatures its description promises.\n\n` +
    `<${tag}>\n${body}</${tag}>\n`
  );
}

/** 1-based line of `offset`, counting \r\n, \n and a bare \r as line endings (as the parser does). */
const lineOf = (source: string, offset: number): number => source.slice(0, offset).split(/\r\n?|\n/).length;
