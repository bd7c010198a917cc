/**
 * The harness's own state on a task line: a trailing HTML comment that renders invisibly and
 * that a person can still read, e.g.
 *
 *   - [ ] `src/a.ts` — User model <!-- harness: id=t3 status=submitted attempts=1 batch=msgbatch_01abc -->
 *
 * A failed task also records `desc=<hash>`, the hash of its description at the time: a person who
 * rewrites the description gets the task back as pending (attempts from zero).
 *
 * Values are bare tokens or JSON strings (`reason` is always written as a JSON string). The
 * writer escapes `<`, `>` and backticks inside JSON strings so a value can never end the comment
 * early or open a code span.
 */
import { createHash } from 'node:crypto';
import { type Bookkeeping, isTaskStatus, type TaskStatus } from './task.js';

/** An HTML comment is the harness's when it starts like this. */
export const HARNESS_COMMENT_START = /^<!--[ \t]*harness:/;

/** What one harness comment records; a key left out takes its default. */
export interface RecordedBookkeeping {
  id?: string;
  status?: TaskStatus;
  attempts?: number;
  batch?: string;
  reason?: string;
  /** Hash of the task's description when it failed: a changed description makes it pending again. */
  desc?: string;
}

export type ReadResult = { ok: true; value: RecordedBookkeeping } | { ok: false; reason: string };

const KEYS = ['id', 'status', 'attempts', 'batch', 'reason', 'desc'] as const;
type Key = (typeof KEYS)[number];
const isKey = (k: string): k is Key => (KEYS as readonly string[]).includes(k);

/** A pair is blanks (space, tab, CR, LF), a key and its `=`, then the value: a JSON string or a bare token. */
const KEY_EQ = /[A-Za-z_][A-Za-z0-9_-]*=/y;
const VALUE = /"(?:[^"\\\r\n]|\\.)*"|[^\s"]+/y;
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10;
const BARE = /^[A-Za-z0-9_.:/+-]+$/;
const ID_PATTERN = /^t[0-9]+$/;
const DESC_PATTERN = /^[0-9a-f]{1,64}$/;

/**
 * The short hash of a task description that `desc=` records when a task fails: when the person
 * changes the description, the recorded one no longer matches and the task is pending again.
 */
export function descriptionHash(description: string): string {
  return createHash('sha256').update(description, 'utf8').digest('hex').slice(0, 12);
}

/** Reads a whole `<!-- harness: … -->` comment. */
export function readHarnessComment(comment: string): ReadResult {
  const start = HARNESS_COMMENT_START.exec(comment);
  if (!start || !comment.endsWith('-->')) return { ok: false, reason: 'bad harness comment: not a <!-- harness: … --> comment' };
  const body = comment.slice(start[0].length, comment.length - 3);
  // A list of 20,000 tasks reads 20,000 comments: no closure, set or copy of the rest per comment.
  const value: RecordedBookkeeping = {};
  let at = 0;
  for (;;) {
    // Two sticky tests and two slices: no match array per pair.
    let keyStart = at;
    while (isBlank(body.charCodeAt(keyStart))) keyStart++;
    if (keyStart === body.length) break;
    KEY_EQ.lastIndex = keyStart;
    const valueStart = KEY_EQ.test(body) ? KEY_EQ.lastIndex : -1;
    VALUE.lastIndex = valueStart;
    if (valueStart === -1 || !VALUE.test(body))
      return fail(`cannot read ${JSON.stringify(shorten(body.slice(at).trim()))} (expected key=value pairs)`);
    at = VALUE.lastIndex;
    const key = body.slice(keyStart, valueStart - 1);
    const raw = body.slice(valueStart, at);
    if (!isKey(key)) return fail(`unknown key ${JSON.stringify(key)} (known: ${KEYS.join(', ')})`);
    // Every key read so far holds a value (none is set to undefined).
    if (value[key] !== undefined) return fail(`${key} is given twice`);
    let text: string;
    if (raw.startsWith('"')) {
      try {
        text = JSON.parse(raw) as string;
      } catch {
        return fail(`${key} is not a valid JSON string: ${shorten(raw)}`);
      }
    } else {
      text = raw;
    }
    switch (key) {
      case 'id':
        if (!ID_PATTERN.test(text) || !Number.isSafeInteger(Number(text.slice(1)))) {
          return fail(`bad id ${JSON.stringify(shorten(text))} (expected t1, t2, …)`);
        }
        value.id = text;
        break;
      case 'status': {
        if (!isTaskStatus(text)) return fail(`unknown status ${JSON.stringify(shorten(text))} (expected pending, submitted, done or failed)`);
        value.status = text;
        break;
      }
      case 'attempts': {
        const n = Number(text);
        if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n)) {
          return fail(`bad attempts ${JSON.stringify(shorten(text))} (expected a whole number)`);
        }
        value.attempts = n;
        break;
      }
      case 'batch':
        value.batch = text;
        break;
      case 'reason':
        value.reason = text;
        break;
      case 'desc':
        if (!DESC_PATTERN.test(text)) return fail(`bad desc ${JSON.stringify(shorten(text))} (expected a hex hash)`);
        value.desc = text;
        break;
    }
  }
  return { ok: true, value };
}

/**
 * The canonical comment for a task's bookkeeping (batch and reason left out when null; `desc`, the
 * hash of the description a failed task had, only when given).
 */
export function renderHarnessComment(b: Bookkeeping, extra: { desc?: string } = {}): string {
  const parts = [`id=${b.id}`, `status=${b.status}`, `attempts=${b.attempts}`];
  if (b.batch !== null) parts.push(`batch=${BARE.test(b.batch) ? b.batch : quote(b.batch)}`);
  if (extra.desc !== undefined) parts.push(`desc=${extra.desc}`);
  if (b.reason !== null) parts.push(`reason=${quote(b.reason)}`);
  return `<!-- harness: ${parts.join(' ')} -->`;
}

/** A JSON string that cannot end an HTML comment (`>`), open a tag (`<`) or a code span (backtick). */
export function quote(s: string): string {
  return JSON.stringify(s).replace(/[<>`]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const fail = (why: string): ReadResult => ({ ok: false, reason: `bad harness comment: ${why}` });

const shorten = (s: string): string => (s.length > 40 ? `${s.slice(0, 37)}...` : s);
