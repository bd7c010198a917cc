/**
 * Writing task-list.md back: only the checkbox and the harness comment of the tasks that change
 * are edited, in place, by offset; every other byte of the source is kept.
 */
import { HarnessError } from '../shared/errors.js';
import { renderHarnessComment } from './bookkeeping.js';
import { effectiveStatus, type ParsedTaskList, type TaskSite } from './parse.js';
import { taskStatusSchema, type Task } from './task.js';

export type TaskChange = Partial<Pick<Task, 'status' | 'attempts' | 'batch' | 'reason' | 'checked'>>;

export interface WriteOptions {
  /** Also write full bookkeeping on every task line without a comment (or whose id was reassigned). */
  normalize?: boolean;
}

type State = Pick<Task, 'status' | 'attempts' | 'batch' | 'reason' | 'checked'>;

interface Edit {
  start: number;
  end: number;
  text: string;
}

export function writeParsed(parsed: ParsedTaskList, changes?: ReadonlyMap<string, TaskChange>, options: WriteOptions = {}): string {
  const { source } = parsed.list;
  const edits: Edit[] = [];
  for (const site of parsed.sites) {
    const change = changes?.get(site.task.path);
    const now = stateOf(site.task);
    const next = change ? apply(now, change, site.task.path) : now;
    const changed = (Object.keys(now) as (keyof State)[]).some((k) => now[k] !== next[k]);
    if (changed) {
      if (next.checked !== now.checked) edits.push({ start: site.checkAt, end: site.checkAt + 1, text: next.checked ? 'x' : ' ' });
      edits.push(commentEdit(site, next));
    } else if (options.normalize && (site.comment === null || site.recordedId !== site.task.id)) {
      edits.push(commentEdit(site, now));
    }
  }
  if (edits.length === 0) return source;
  edits.sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(source.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(source.slice(at));
  return parts.join('');
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
  const wrong = (what: string): HarnessError => new HarnessError('INTERNAL', `bad change for ${JSON.stringify(path)}: ${what}`);
  if (!taskStatusSchema.safeParse(next.status).success) throw wrong(`status ${JSON.stringify(next.status)}`);
  if (!Number.isSafeInteger(next.attempts) || next.attempts < 0) throw wrong(`attempts ${String(next.attempts)}`);
  if (next.batch !== null && typeof next.batch !== 'string') throw wrong('batch must be a string or null');
  if (next.reason !== null && typeof next.reason !== 'string') throw wrong('reason must be a string or null');
  if (typeof next.checked !== 'boolean') throw wrong('checked must be a boolean');
  return next;
}

function commentEdit(site: TaskSite, state: State): Edit {
  const comment = renderHarnessComment({ id: site.task.id, status: state.status, attempts: state.attempts, batch: state.batch, reason: state.reason });
  return site.comment
    ? { start: site.comment.start, end: site.comment.end, text: comment }
    : { start: site.insertAt, end: site.insertAt, text: ` ${comment}` };
}
