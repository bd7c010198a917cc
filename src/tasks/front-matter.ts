/**
 * Optional YAML front matter of task-list.md, read with gray-matter (always with an options
 * object: without one gray-matter caches by content and hands out shallow copies). Only YAML is
 * accepted: gray-matter would `eval` a `---js` block.
 */
import type matterFn from 'gray-matter';
import { lazy } from '../shared/lazy.js';
import { HarnessError } from '../shared/errors.js';

export interface FrontMatter {
  data: Record<string, unknown>;
  /** Offset in the source where the Markdown body starts (after the BOM and the front matter). */
  bodyStart: number;
}

/** Loaded only when there is front matter to read. */
const matter = lazy<typeof matterFn>('gray-matter');

const refuse = (): object => {
  throw new Error('only YAML front matter is read');
};
/** Passing options also turns gray-matter's content cache off. */
const OPTIONS = {
  excerpt: false,
  language: 'yaml',
  engines: { javascript: refuse, js: refuse, coffee: refuse, coffeescript: refuse },
};

export function readFrontMatter(source: string, file: string): FrontMatter {
  const bom = source.startsWith('\uFEFF') ? 1 : 0;
  const text = source.slice(bom);
  // gray-matter's rule: `---` opens front matter unless a fourth `-` follows.
  if (!text.startsWith('---') || text.charAt(3) === '-') return { data: {}, bodyStart: bom };
  const bad = (line: number, reason: string): HarnessError => new HarnessError('BAD_TASK_LIST', `broken front matter: ${reason}`, { file, line });

  const firstEnd = lineEnd(text, 0);
  if (text.slice(3, firstEnd).trim() !== '') throw bad(1, 'the first line must be --- alone (only YAML front matter is read)');
  const close = text.indexOf('\n---', 3);
  if (close === -1) throw bad(1, 'it is never closed (add a line with --- after it)');
  const closeLine = lineOf(text, close + 1);
  if (!/^---[ \t]*\r?$/.test(text.slice(close + 1, lineEnd(text, close + 1)))) {
    throw bad(closeLine, 'the line that closes it must be --- alone');
  }

  let parsed: { data: unknown; content: string };
  try {
    parsed = matter()(source, OPTIONS);
  } catch (e) {
    const err = e as { reason?: unknown; message?: unknown; mark?: { line?: unknown } };
    const markLine = typeof err.mark?.line === 'number' ? err.mark.line + 1 : 1;
    const reason = typeof err.reason === 'string' ? err.reason : String(err.message ?? e);
    throw bad(Math.min(Math.max(markLine, 1), closeLine), reason);
  }
  const data = parsed.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data) || data instanceof Date) {
    throw bad(2, 'it must be a YAML mapping (key: value lines)');
  }
  return { data: structuredClone(data as Record<string, unknown>), bodyStart: source.length - parsed.content.length };
}

function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  return i === -1 ? text.length : i;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
