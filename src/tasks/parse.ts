/**
 * task-list.md text → tasks, with what the writer needs to edit each task's line in place.
 */
import { HarnessError, MAX_LISTED_ERRORS, severalErrors } from '../shared/errors.js';
import { unsafePathReason } from '../shared/paths.js';
import { descriptionHash, readHarnessComment, type RecordedBookkeeping } from './bookkeeping.js';
import { readFrontMatter } from './front-matter.js';
import { classifyLine, lineEndAt } from './scan-line.js';
import { scanBody, type ScanEngine } from './scan-task-list.js';
import type { RawItem } from './scan-types.js';
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
  /** The status the comment records ('pending' when none): 'done' only for what the harness generated. */
  recordedStatus: TaskStatus;
}

export interface ParsedTaskList {
  list: TaskList;
  sites: TaskSite[];
  /** Every line of the body was read on its own (see scanBody): see readTaskLine. */
  lineBased: boolean;
}

export const DEFAULT_FILE = 'task-list.md';

export function parseSource(source: string, file: string = DEFAULT_FILE, engine: ScanEngine = 'hybrid'): ParsedTaskList {
  const lineStarts = lineStartsOf(source);
  const lineAt = (offset: number): number => lineOfOffset(lineStarts, offset);
  const bad = (line: number, reason: string): HarnessError => new HarnessError('BAD_TASK_LIST', reason, { file, line });

  const nul = source.indexOf('\0');
  if (nul !== -1) throw bad(lineAt(nul), 'the file contains a NUL byte');
  const fm = readFrontMatter(source, file);
  const scan = scanBody(source, fm.bodyStart, lineAt(fm.bodyStart), engine);

  // Every bad line is reported, not only the first: each one is a `file:line: reason`.
  const problems: { line: number; reason: string }[] = [];

  // Groups: the nearest heading above each task; stages: the nearest `## Stage N:` above it.
  const groups: string[] = [];
  const stages: number[] = [];
  const headingStages = scan.headings.map((heading) => stageOfHeading(heading));
  let h = 0;
  let group = '';
  let stage = 1;
  let stageLine = 0;
  const enter = (k: number): void => {
    const heading = scan.headings[k]!;
    group = heading.text;
    const n = headingStages[k]!;
    if (n === null) return;
    const line = lineAt(heading.start);
    if (n === 0) problems.push({ line, reason: `${JSON.stringify(heading.text)}: stages are numbered from 1` });
    else if (n < stage) problems.push({ line, reason: `stage ${n} comes after stage ${stage} (line ${stageLine}): stages must not go backwards` });
    else {
      stage = n;
      stageLine = line;
    }
  };
  for (const item of scan.items) {
    while (h < scan.headings.length && scan.headings[h]!.start < item.start) enter(h++);
    groups.push(group);
    stages.push(stage);
  }
  while (h < scan.headings.length) enter(h++);

  const drafts: Draft[] = [];
  const firstLineOf = new Map<string, number>();
  /** The task an item holds, or why it holds none. */
  const read = (item: RawItem, group: string, stage: number): Draft | string => {
    const draft = readItem(source, item, group, stage);
    if (typeof draft === 'string') return draft;
    const first = firstLineOf.get(draft.path);
    if (first !== undefined) return `duplicate path ${JSON.stringify(draft.path)} (first on line ${first})`;
    firstLineOf.set(draft.path, item.line);
    return draft;
  };
  scan.items.forEach((item, k) => {
    const draft = read(item, groups[k]!, stages[k]!);
    if (typeof draft === 'string') problems.push({ line: item.line, reason: draft });
    else drafts.push(draft);
  });
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    const listed = problems.slice(0, MAX_LISTED_ERRORS).map((p) => bad(p.line, p.reason));
    throw severalErrors(listed, { omitted: problems.length - listed.length });
  }

  // Ids: recorded ones stay unless a line above already has them; the rest get max + 1, max + 2…
  let max = 0;
  for (const d of drafts) if (d.recorded.id !== undefined) max = Math.max(max, Number(d.recorded.id.slice(1)));
  const taken = new Set<string>();
  const sites: TaskSite[] = drafts.map((d) => {
    const recordedId = d.recorded.id !== undefined && !taken.has(d.recorded.id) ? d.recorded.id : null;
    const id = recordedId ?? `t${++max}`;
    taken.add(id);
    const recordedStatus = d.recorded.status ?? 'pending';
    const task = taskOf(source, d, id);
    return {
      task,
      checkAt: d.item.checkAt,
      comment: d.comment,
      insertAt: trimEnd(source, d.item.paraEnd),
      afterPath: d.item.restStart,
      recordedId,
      recordedStatus,
    };
  });

  return { list: { file, source, frontMatter: fm.data, tasks: sites.map((s) => s.task) }, sites, lineBased: scan.lineBased };
}

interface Draft {
  item: RawItem;
  path: string;
  group: string;
  stage: number;
  recorded: RecordedBookkeeping;
  comment: { start: number; end: number } | null;
}

/** The task an item holds, or why it holds none (a duplicate path aside: that takes the whole list). */
function readItem(source: string, item: RawItem, group: string, stage: number, knownSafe?: string): Draft | string {
  if (!item.code) return 'task has no path (put the file path in backticks: - [ ] `src/a.ts` — what it is)';
  const written = item.code.value;
  if (item.code.multiline) return `the path ${JSON.stringify(written)} is split across lines`;
  if (written.trim() === '') return 'the path is empty or only whitespace';
  if (written.trim() !== written) return `the path ${JSON.stringify(written)} starts or ends with whitespace`;
  if (/[^\S ]/.test(written)) return `the path ${JSON.stringify(written)} contains a whitespace character other than a space`;
  const path = normaliseTaskPath(written);
  const unsafe = path === knownSafe ? null : unsafePathReason(path);
  if (unsafe) return `unsafe path ${JSON.stringify(written)}: ${unsafe}`;
  if (item.harness.length > 1) return 'the task has more than one harness comment';
  const comment = item.harness[0] ?? null;
  let recorded: RecordedBookkeeping = {};
  if (comment) {
    const bookkeeping = readHarnessComment(source.slice(comment.start, comment.end));
    if (!bookkeeping.ok) return bookkeeping.reason;
    recorded = bookkeeping.value;
  }
  return { item, path, group, stage, recorded, comment };
}

/** The task of a draft, with id `id`. */
function taskOf(source: string, d: Draft, id: string): Task {
  const recordedStatus = d.recorded.status ?? 'pending';
  const description = describe(source, d.item);
  const task: Task = {
    id,
    status: effectiveStatus(d.item.checked, recordedStatus),
    attempts: d.recorded.attempts ?? 0,
    batch: d.recorded.batch ?? null,
    reason: d.recorded.reason ?? null,
    path: d.path,
    description,
    group: d.group,
    stage: d.stage,
    checked: d.item.checked,
    skipped: d.item.checked && recordedStatus !== 'done',
    line: d.item.line,
  };
  // A failed task whose description the person has changed since is pending again, afresh.
  if (task.status === 'failed' && d.recorded.desc !== undefined && d.recorded.desc !== descriptionHash(description)) {
    task.status = 'pending';
    task.attempts = 0;
    task.reason = null;
  }
  return task;
}

/**
 * The task the line starting at `lineStart` of `source` holds, read on its own as the line-based
 * pass reads a plain task line (1-based `line`, under `group` and `stage`), with the id its
 * comment records; null when that line alone is no plain task line, holds a problem, or records no id.
 * `knownSafe`: a path the safety check passed already (a pure check: not made again for it).
 * Where every line of a list is read on its own (ParsedTaskList.lineBased), this is what a parse
 * of the whole list says of that task.
 */
export function readTaskLine(source: string, lineStart: number, line: number, group: string, stage: number, knownSafe?: string): Task | null {
  const kind = classifyLine(source.slice(lineStart, lineEndAt(source, lineStart)), lineStart, line);
  if (kind.kind !== 'task') return null;
  const draft = readItem(source, kind.item, group, stage, knownSafe);
  if (typeof draft === 'string' || draft.recorded.id === undefined) return null;
  return taskOf(source, draft, draft.recorded.id);
}

const STAGE_HEADING = /^Stage ([0-9]+):/;

/** The stage a `##` heading starts (`## Stage 2: Services` → 2), or null when it starts none. */
function stageOfHeading(heading: { depth: number; text: string }): number | null {
  if (heading.depth !== 2) return null;
  const m = STAGE_HEADING.exec(heading.text);
  return m ? Number(m[1]) : null;
}

/**
 * A task path as written, with leading `./` segments dropped (`./src/a.ts` is `src/a.ts`); any
 * other irregularity (`..`, `//`, an absolute path…) is left for the safety check to refuse.
 */
export function normaliseTaskPath(written: string): string {
  return written.startsWith('./') ? written.replace(/^(?:\.\/)+(?=[^/])/, '') : written;
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
  // Whitespace collapsed (nothing to do without a tab, a line break or two spaces in a row).
  if (/[\t\r\n]| {2}/.test(text)) text = text.replace(/[ \t\r\n]+/g, ' ');
  return trim(dropSeparator(trim(text)));
}

/** Leading and trailing spaces cut (one slice, none when there are none). */
function trim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** One separator at the start dropped: `—`, `–`, `--`, `-` or `:`. */
function dropSeparator(s: string): string {
  if (s.startsWith('--')) return s.slice(2);
  const c = s.charCodeAt(0);
  return c === 0x2014 || c === 0x2013 || c === 45 || c === 58 ? s.slice(1) : s;
}

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
