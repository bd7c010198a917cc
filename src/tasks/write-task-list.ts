/**
 * Writing task-list.md back: only the checkbox and the harness comment of the tasks that change
 * are edited, in place, by offset; every other byte of the source is kept.
 *
 * The result is read back before it is returned: every task must read as intended. A new comment
 * goes at the end of the task's text; if something the person wrote there would swallow it (an
 * unclosed `<!DOCTYPE`, `<!--`…), it goes right after the path instead, where nothing can.
 */
import { HarnessError } from '../shared/errors.js';
import { descriptionHash, renderHarnessComment } from './bookkeeping.js';
import { effectiveStatus, parseSource, type ParsedTaskList, readTaskLine, type TaskSite } from './parse.js';
import { isTaskStatus, type Task } from './task.js';

export type TaskChange = Partial<Pick<Task, 'status' | 'attempts' | 'batch' | 'reason' | 'checked'>>;

export interface WriteOptions {
  /** Also write full bookkeeping on every task line without a comment (or whose id was reassigned). */
  normalize?: boolean;
}

type State = Pick<Task, 'status' | 'attempts' | 'batch' | 'reason' | 'checked'>;
const STATE_KEYS: readonly (keyof State)[] = ['status', 'attempts', 'batch', 'reason', 'checked'];

interface Planned {
  site: TaskSite;
  state: State;
  /** The status the comment records (for a ticked task: 'done' only when the harness generated it). */
  recorded: Task['status'];
  /** Rewrite the checkbox and the comment (false: the line is left alone). */
  write: boolean;
  tick: boolean;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

export function writeParsed(parsed: ParsedTaskList, changes?: ReadonlyMap<string, TaskChange>, options: WriteOptions = {}): string {
  const plan: Planned[] = parsed.sites.map((site) => {
    const now = stateOf(site.task);
    const change = changes?.get(site.task.path);
    const next = change ? apply(now, change, site.task.path) : now;
    if (STATE_KEYS.some((k) => now[k] !== next[k])) {
      return { site, state: next, recorded: recordedStatus(site, next, change), write: true, tick: next.checked !== now.checked };
    }
    const normalize = options.normalize === true && (site.comment === null || site.recordedId !== site.task.id);
    return { site, state: now, recorded: recordedStatus(site, now, undefined), write: normalize, tick: false };
  });
  if (!plan.some((p) => p.write)) return parsed.list.source;

  let built = build(parsed.list.source, plan, new Set());
  let bad = misread(built, parsed, plan);
  if (bad.length > 0) {
    built = build(parsed.list.source, plan, new Set(bad.map((p) => p.site.task.path)));
    bad = misread(built, parsed, plan);
    if (bad.length > 0) {
      const line = bad[0]!.site.task.line;
      throw new HarnessError('BAD_TASK_LIST', 'cannot record the harness bookkeeping on this task: the text around it would hide it', {
        file: parsed.list.file,
        line,
        hint: 'look for an unclosed <!…, <?… or HTML tag on the line and close or remove it',
      });
    }
  }
  return built.text;
}

function build(source: string, plan: Planned[], afterPath: ReadonlySet<string>): Built {
  const edits: Edit[] = [];
  for (const { site, state, recorded, write, tick } of plan) {
    if (!write) continue;
    if (tick) edits.push({ start: site.checkAt, end: site.checkAt + 1, text: state.checked ? 'x' : ' ' });
    const desc = recorded === 'failed' ? { desc: descriptionHash(site.task.description) } : {};
    const comment = renderHarnessComment({ id: site.task.id, ...state, status: recorded }, desc);
    if (site.comment) edits.push({ start: site.comment.start, end: site.comment.end, text: comment });
    else if (afterPath.has(site.task.path)) edits.push({ start: site.afterPath, end: site.afterPath, text: ` ${comment}` });
    else edits.push({ start: site.insertAt, end: site.insertAt, text: ` ${comment}` });
  }
  edits.sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(source.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(source.slice(at));
  // Where each edit starts and how much longer it makes the text: all the read-back needs of them.
  const starts = new Float64Array(edits.length);
  const grow = new Float64Array(edits.length);
  edits.forEach((e, k) => {
    starts[k] = e.start;
    grow[k] = e.text.length - (e.end - e.start);
  });
  return { text: parts.join(''), at: starts, grow };
}

/** The new text, and where its edits start in the source (in order) and how much longer each makes it. */
interface Built {
  text: string;
  at: Float64Array;
  grow: Float64Array;
}

/** The planned tasks that do not read back as planned from the built text (all written ones if it does not parse). */
function misread(built: Built, parsed: ParsedTaskList, plan: Planned[]): Planned[] {
  if (parsed.lineBased && writtenLinesReadBack(built, parsed.list.source, plan)) return [];
  let back: ParsedTaskList;
  try {
    back = parseSource(built.text, parsed.list.file);
  } catch {
    return plan.filter((p) => p.write);
  }
  // The tasks read back in the order planned (paths are unique); by path only when a line was
  // swallowed or split (no map of every task for the usual case: a collect's list has 20,000).
  const tasks = back.list.tasks;
  let byPath: Map<string, Task> | null = null;
  const readBack = (p: string, k: number): Task | undefined => {
    if (tasks[k]?.path === p) return tasks[k];
    byPath ??= new Map(tasks.map((t) => [t.path, t]));
    return byPath.get(p);
  };
  return plan.filter((p, k) => {
    const t = readBack(p.site.task.path, k);
    return !t || !readsAsPlanned(t, p);
  });
}

/** Whether a task read back says what the plan wrote (its id only where it was written). */
function readsAsPlanned(t: Task, { site, state, write }: Planned): boolean {
  const expected = { ...state, status: effectiveStatus(state.checked, state.status) };
  if (STATE_KEYS.some((k) => t[k] !== expected[k])) return false;
  if (t.description !== site.task.description || t.group !== site.task.group) return false;
  return !write || t.id === site.task.id;
}

/**
 * Whether every written task reads back as planned, checked line by line: for a list whose every
 * line was read on its own (`lineBased`), whose edits all stay within the written tasks' lines (no
 * line break: comments are one line), the lines left alone read as they did, headings included,
 * so a parse of the whole new text says of each task what its line alone says (readTaskLine).
 * Then the list is not parsed again whole: a collect's list of 20,000 tasks, parsed twice more,
 * was a large part of its peak memory. Any doubt (a line that reads otherwise) answers false, and
 * the caller parses the whole text (which says which tasks and why).
 */
function writtenLinesReadBack({ text, at, grow }: Built, source: string, plan: Planned[]): boolean {
  let shift = 0; // how much longer the new text is before the current line
  let e = 0;
  for (const p of plan) {
    if (!p.write) continue;
    const { site } = p;
    const lineStart = source.lastIndexOf('\n', site.checkAt) + 1;
    for (; e < at.length && at[e]! < lineStart; e++) shift += grow[e]!;
    const t = readTaskLine(text, lineStart + shift, site.task.line, site.task.group, site.task.stage, site.task.path);
    if (!t || t.path !== site.task.path || !readsAsPlanned(t, p)) return false;
  }
  return true;
}

/**
 * What the comment of a task in `state` records. An unticked task records its status. A ticked one
 * reads as done whatever its comment says, so the comment keeps who ticked it: `done` when the
 * harness generated the file (a change to status 'done', or recorded so before), otherwise what it
 * recorded before (so a task the person ticked stays "skipped", never "generated").
 */
function recordedStatus(site: TaskSite, state: State, change: TaskChange | undefined): Task['status'] {
  if (!state.checked) return state.status;
  if (change?.status === 'done') return 'done';
  return site.recordedStatus;
}

function stateOf(t: Task): State {
  return { status: t.status, attempts: t.attempts, batch: t.batch, reason: t.reason, checked: t.checked };
}

/**
 * A change on top of a task's state. `status: 'done'` ticks the box and any other status unticks
 * it, unless `checked` is given; `checked` alone makes the task done, or (unticked) pending again.
 */
function apply(now: State, change: TaskChange, path: string): State {
  const checked = change.checked ?? (change.status !== undefined ? change.status === 'done' : now.checked);
  const status = change.status ?? (change.checked === undefined ? now.status : effectiveStatus(checked, now.status));
  const next: State = {
    status,
    attempts: change.attempts ?? now.attempts,
    batch: change.batch !== undefined ? change.batch : now.batch,
    reason: change.reason !== undefined ? change.reason : now.reason,
    checked,
  };
  if (!isTaskStatus(next.status)) throw badChange(path, `status ${JSON.stringify(next.status)}`);
  if (!Number.isSafeInteger(next.attempts) || next.attempts < 0) throw badChange(path, `attempts ${String(next.attempts)}`);
  if (next.batch !== null && typeof next.batch !== 'string') throw badChange(path, 'batch must be a string or null');
  if (next.reason !== null && typeof next.reason !== 'string') throw badChange(path, 'reason must be a string or null');
  if (typeof next.checked !== 'boolean') throw badChange(path, 'checked must be a boolean');
  return next;
}

const badChange = (path: string, what: string): HarnessError => new HarnessError('INTERNAL', `bad change for ${JSON.stringify(path)}: ${what}`);
