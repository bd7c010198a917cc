/** Reading the harness's prompts: the last user text, code spans, the `## Files to write` list. */
import type { ResponderParams } from './types.js';

export function lastUserIndex(params: ResponderParams): number {
  for (let i = params.messages.length - 1; i >= 0; i--) if (params.messages[i]!.role === 'user') return i;
  return -1;
}

/** The text blocks of the last user message, joined with newlines. */
export function lastUserText(params: ResponderParams): string {
  const m = params.messages[lastUserIndex(params)];
  if (!m) return '';
  if (typeof m.content === 'string') return m.content;
  return m.content
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n');
}

/** Every text of the request (system and all messages), joined with newlines. */
export function allText(params: ResponderParams): string {
  const parts: string[] = [];
  const push = (c: unknown) => {
    if (typeof c === 'string') parts.push(c);
    else if (Array.isArray(c)) for (const b of c as { text?: unknown }[]) if (typeof b.text === 'string') parts.push(b.text);
  };
  push(params.system);
  for (const m of params.messages) push(m.content);
  return parts.join('\n');
}

export const splitLines = (text: string): string[] => text.split('\n').map((l) => l.replace(/[ \t\r]+$/, ''));

/** Index of the last line that is exactly `heading` (trailing blanks and \r ignored), or -1. */
export function lastHeading(lines: readonly string[], heading: string): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i] === heading) return i;
  return -1;
}

/**
 * The inline code span starting at `pos` (a run of N backticks, content up to the next run of
 * exactly N), with CommonMark's padding rule: one leading and one trailing space are stripped when
 * both are there and the content is not all spaces. Null when there is no closing run.
 */
function codeSpanAt(line: string, pos: number): { value: string; end: number } | null {
  let n = 0;
  while (line[pos + n] === '`') n++;
  if (n === 0) return null;
  let i = pos + n;
  while (i < line.length) {
    const j = line.indexOf('`', i);
    if (j < 0) return null;
    let k = j;
    while (line[k] === '`') k++;
    if (k - j === n) {
      let value = line.slice(pos + n, j);
      if (value.length >= 2 && value.startsWith(' ') && value.endsWith(' ') && value.trim() !== '') value = value.slice(1, -1);
      return { value, end: k };
    }
    i = k;
  }
  return null;
}

/** All code spans of a line, in order. */
export function codeSpans(line: string): { value: string; start: number; end: number }[] {
  const out: { value: string; start: number; end: number }[] = [];
  let i = 0;
  while (i < line.length) {
    const j = line.indexOf('`', i);
    if (j < 0) break;
    const span = codeSpanAt(line, j);
    if (span) {
      out.push({ value: span.value, start: j, end: span.end });
      i = span.end;
    } else {
      let k = j;
      while (line[k] === '`') k++;
      i = k;
    }
  }
  return out;
}

export interface FileRequest {
  path: string;
  description: string;
}

const REWRITE_SUFFIX = ' (rewrite: the current version is in the codebase above)';

/** ``- `PATH` — DESCRIPTION`` (description optional; the rewrite suffix dropped); null if not such an item. */
function parseFileItem(line: string): FileRequest | null {
  const m = /^[-*] +/.exec(line);
  if (!m || line[m[0].length] !== '`') return null;
  const span = codeSpanAt(line, m[0].length);
  if (!span || span.value === '') return null;
  let rest = line.slice(span.end);
  if (rest.endsWith(REWRITE_SUFFIX)) rest = rest.slice(0, -REWRITE_SUFFIX.length);
  if (rest.trim() === '') return { path: span.value, description: '' };
  const d = /^\s+[—–-](?:\s+(.*))?$/.exec(rest) ?? /^\s*:(?:\s+(.*))?$/.exec(rest);
  if (!d) return null;
  return { path: span.value, description: (d[1] ?? '').trim() };
}

/** The files a `## Files to write` prompt asks for (the last such heading), in order; null without one. */
export function filesToWrite(text: string): FileRequest[] | null {
  const lines = splitLines(text);
  const at = lastHeading(lines, '## Files to write');
  if (at < 0) return null;
  const out: FileRequest[] = [];
  const seen = new Set<string>();
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '') continue;
    const item = parseFileItem(line);
    if (!item) break;
    if (seen.has(item.path)) continue;
    seen.add(item.path);
    out.push(item);
  }
  return out;
}

const EARLIER_STAGES_HEADING = '# Files written by earlier stages';

/**
 * The paths of the files an earlier stage wrote that this request carries (docs/task-list.md#stages):
 * the `<file path="…">` sections of the cached blocks after the codebase block of the last user
 * message (the block headed `# Files written by earlier stages`, or any other cached block after the
 * first that is not the plan). In block order, without duplicates; [] when there are none.
 */
export function earlierStageFiles(params: ResponderParams): string[] {
  const m = params.messages[lastUserIndex(params)];
  if (!m || typeof m.content === 'string') return [];
  const out: string[] = [];
  m.content.forEach((b, i) => {
    if (i === 0 || b.type !== 'text' || typeof b.text !== 'string') return;
    const text = b.text;
    if (/^# (?:Codebase|The plan)\b/.test(text)) return;
    if (!text.startsWith(EARLIER_STAGES_HEADING) && b.cache_control == null) return;
    for (const p of framedPaths(text)) if (!out.includes(p)) out.push(p);
  });
  return out;
}

/** Paths of `<file path="…">` … `</file>` sections (any `file_N` tag), skipping each file's content. */
function framedPaths(text: string): string[] {
  const paths: string[] = [];
  let close: string | null = null;
  for (const line of text.split('\n')) {
    if (close !== null) {
      if (line.endsWith(close)) close = null;
      continue;
    }
    const open = /^<(file(?:_[0-9]+)?) path="([^"]*)">$/.exec(line);
    if (!open) continue;
    paths.push(unescapeAttr(open[2]!));
    close = `</${open[1]}>`;
  }
  return paths;
}

function unescapeAttr(s: string): string {
  return s.replace(/&(amp|quot|lt|gt|#[0-9]+);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'lt' ? '<' : e === 'gt' ? '>' : String.fromCharCode(Number(e.slice(1))),
  );
}
