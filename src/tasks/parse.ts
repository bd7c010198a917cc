/**
 * task-list.md text → tasks, with what the writer needs to edit each task's line in place.
 */
import { HarnessError } from '../shared/errors.js';
import { unsafePathReason } from '../shared/paths.js';
import { readHarnessComment, type RecordedBookkeeping } from './bookkeeping.js';
import { readFrontMatter } from './frontMatter.js';
import { scanBody, type ScanEngine } from './scan.js';
import type { RawItem } from './scanTypes.js';
import type { Task, TaskStatus } from './task.js';

export interface TaskList {
  /** The file name used in errors (relative to the repo). */
  file: string;
  /** The text the list was parsed from, byte for byte. */
  source: string;
  frontMatter: Record<string, unknown>;
  /** In file order. */
  tasks: Task[];
}

/** Where a task sits in the source. */
export interface TaskSite {
  task: Task;
  /** Offset of the character between the checkbox brackets. */
  checkAt: number;
  /** The harness comment, when the line has one. */
  comment: { start: number; end: number } | null;
  /** Where a new comment goes: the end of the first paragraph, before trailing blanks. */
  insertAt: number;
  /** The fallback place for a new comment: right after the path (nothing there can swallow it). */
  afterPath: number;
  /** The id the comment records (null when none or when it was a duplicate and reassigned). */
  recordedId: string | null;
}

export interface ParsedTaskList {
  list: TaskList;
  sites: TaskSite[];
}

export const DEFAULT_FILE = 'task-list.md';

const SEPARATOR = /^(?:—|–|--|-|:)/;

export function parseSource(source: string, file: string = DEFAULT_FILE, engine: ScanEngine = 'hybrid'): ParsedTaskList {
  const lineStarts = lineStartsOf(source);
  const lineAt = (offset: number): number => lineOfOffset(lineStarts, offset);
  const bad = (line: number, reason: string): HarnessError => new HarnessError('BAD_TASK_LIST', reason, { file, line });

  const nul = source.indexOf('\0');
  if (nul !== -1) throw bad(lineAt(nul), 'the file contains a NUL byte');
  const fm = readFrontMatter(source, file);
  const scan = scanBody(source, fm.bodyStart, lineAt(fm.bodyStart), engine);

  // Groups: the nearest heading above each task, in document order.
  const groups: string[] = [];
  let h = 0;
  let group = '';
  for (const item of scan.items) {
    while (h < scan.headings.length && scan.headings[h]!.start < item.start) group = scan.headings[h++]!.text;
    groups.push(group);
  }

  interface Draft {
    item: RawItem;
    path: string;
    recorded: RecordedBookkeeping;
    comment: { start: number; end: number } | null;
  }
  const drafts: Draft[] = [];
  const firstLineOf = new Map<string, number>();
  for (const item of scan.items) {
    if (!item.code) throw bad(item.line, 'task has no path (put the file path in backticks: - [ ] `src/a.ts` — what it is)');
    const path = item.code.value;
    const shown = JSON.stringify(path);
    if (item.code.multiline) throw bad(item.line, `the path ${shown} is split across lines`);
    if (path.trim() === '') throw bad(item.line, 'the path is empty or only whitespace');
    if (path.trim() !== path) throw bad(item.line, `the path ${shown} starts or ends with whitespace`);
    if (/[^\S ]/.test(path)) throw bad(item.line, `the path ${shown} contains a whitespace character other than a space`);
    const unsafe = unsafePathReason(path);
    if (unsafe) throw bad(item.line, `unsafe path ${shown}: ${unsafe}`);
    if (item.harness.length > 1) throw bad(item.line, 'the task has more than one harness comment');
    const comment = item.harness[0] ?? null;
    let recorded: RecordedBookkeeping = {};
    if (comment) {
      const read = readHarnessComment(source.slice(comment.start, comment.end));
      if (!read.ok) throw bad(item.line, read.reason);
      recorded = read.value;
    }
    const first = firstLineOf.get(path);
    if (first !== undefined) throw bad(item.line, `duplicate path ${shown} (first on line ${first})`);
    firstLineOf.set(path, item.line);
    drafts.push({ item, path, recorded, comment });
  }

  // Ids: recorded ones stay unless a line above already has them; the rest get max + 1, max + 2…
  let max = 0;
  for (const d of drafts) if (d.recorded.id !== undefined) max = Math.max(max, Number(d.recorded.id.slice(1)));
  const taken = new Set<string>();
  const sites: TaskSite[] = drafts.map((d, k) => {
    const recordedId = d.recorded.id !== undefined && !taken.has(d.recorded.id) ? d.recorded.id : null;
    const id = recordedId ?? `t${++max}`;
    taken.add(id);
    const task: Task = {
      id,
      status: effectiveStatus(d.item.checked, d.recorded.status ?? 'pending'),
      attempts: d.recorded.attempts ?? 0,
      batch: d.recorded.batch ?? null,
      reason: d.recorded.reason ?? null,
      path: d.path,
      description: describe(source, d.item),
      group: groups[k]!,
      checked: d.item.checked,
      line: d.item.line,
    };
    return { task, checkAt: d.item.checkAt, comment: d.comment, insertAt: trimEnd(source, d.item.paraEnd), afterPath: d.item.restStart, recordedId };
  });

  return { list: { file, source, frontMatter: fm.data, tasks: sites.map((s) => s.task) }, sites };
}

/**
 * `[x]` is done whatever the comment says; `[ ]` with `status=done` was unticked by the person, so
 * it is pending again; otherwise the recorded status stands.
 */
export function effectiveStatus(checked: boolean, recorded: TaskStatus): TaskStatus {
  if (checked) return 'done';
  return recorded === 'done' ? 'pending' : recorded;
}

/** The text after the path: harness comments cut out, whitespace collapsed, one separator dropped. */
function describe(source: string, item: RawItem): string {
  let text = '';
  let at = item.restStart;
  for (const c of item.harness) {
    if (c.start < at || c.end > item.paraEnd) continue;
    text += `${source.slice(at, c.start)} `;
    at = c.end;
  }
  text += source.slice(at, item.paraEnd);
  if (item.inBlockquote) text = text.replace(/(\r?\n|\r)[ \t>]*/g, ' ');
  return trim(trim(text.replace(/[ \t\r\n]+/g, ' ')).replace(SEPARATOR, ''));
}

const trim = (s: string): string => s.replace(/^ +| +$/g, '');

function trimEnd(source: string, end: number): number {
  let at = end;
  while (at > 0 && (source.charCodeAt(at - 1) === 32 || source.charCodeAt(at - 1) === 9)) at--;
  return at;
}

/** Line starts, counting \r\n, \n and a bare \r as line endings (as Markdown does). */
function lineStartsOf(source: string): number[] {
  const starts = [0];
  const eol = /\r\n?|\n/g;
  while (eol.exec(source)) starts.push(eol.lastIndex);
  return starts;
}

/** 1-based line of an offset. */
function lineOfOffset(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
