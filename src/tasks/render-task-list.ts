/** A fresh task-list.md from a plan: what the planners write. */
import type matterFn from 'gray-matter';
import { lazy } from '../shared/lazy.js';

const matter = lazy<typeof matterFn>('gray-matter');

export interface TaskPlan {
  title?: string;
  frontMatter?: Record<string, unknown>;
  groups: { heading: string; tasks: { path: string; description: string }[] }[];
}

export function renderTaskList(plan: TaskPlan): string {
  let out = '';
  if (plan.frontMatter && Object.keys(plan.frontMatter).length > 0) {
    out += `${matter().stringify('', plan.frontMatter, { excerpt: false }).trimEnd()}\n\n`;
  }
  out += `# ${headingSource(plan.title ?? 'Tasks') || 'Tasks'}\n`;
  for (const group of plan.groups) {
    const heading = headingSource(group.heading);
    out += heading ? `\n## ${heading}\n\n` : '\n';
    for (const t of group.tasks) out += `${taskLine(t.path, t.description)}\n`;
  }
  return out;
}

/** One minimal task line, no bookkeeping. */
function taskLine(path: string, description: string): string {
  const text = description.replace(/\s+/g, ' ').trim().replace(/<!--/g, '\\<!--');
  return `- [ ] ${codeSpan(path)}${text ? ` — ${text}` : ''}`;
}

/** An inline-code span whose value is exactly `s`, whatever backticks it holds. */
export function codeSpan(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ') && s.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** Heading text on one line, with a trailing `#` run escaped so it is not read as a closing sequence. */
function headingSource(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(^|\s)#(#*)$/, '$1\\#$2');
}
