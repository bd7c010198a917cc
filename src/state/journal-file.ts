/**
 * The journal on disk: `.harness/journal.jsonl`, one event per line, appended and synced. A last
 * line without its newline is an append in progress, or one a crash cut: it counts only when it
 * is a whole event already. A bad line anywhere else is corruption (exit 1, naming the line).
 */
import type { FileHandle } from 'node:fs/promises';
import { HarnessError } from '../shared/errors.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';
import { type JournalEvent, journalEventSchema } from './journal-events.js';

export const JOURNAL_FILE = `${HARNESS_STATE_DIR}/journal.jsonl`;

export function parseEvent(line: string, lineNo: number): JournalEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new HarnessError('STATE', 'the journal is corrupt (not JSON)', { file: JOURNAL_FILE, line: lineNo });
  }
  const event = journalEventSchema.safeParse(parsed);
  if (!event.success) {
    throw new HarnessError('STATE', `the journal has an invalid event: ${event.error.issues[0]?.message ?? ''}`, {
      file: JOURNAL_FILE,
      line: lineNo,
    });
  }
  return event.data;
}

export function tryParseEvent(line: string): JournalEvent | null {
  try {
    const event = journalEventSchema.safeParse(JSON.parse(line));
    return event.success ? event.data : null;
  } catch {
    return null;
  }
}

/** Bytes of the journal read from some offset on, parsed. */
export interface JournalChunk {
  /** The events of the whole lines, in order. */
  events: JournalEvent[];
  /** Bytes of the whole lines (each with its newline). */
  bytes: number;
  /** Number of whole lines (blank ones included). */
  lines: number;
  /** The unfinished last line, when it is a whole event already (else null: left out). */
  tail: JournalEvent | null;
}

/**
 * Parses `buf`, which starts at a line start; `firstLine` is its first line's number in the file
 * (for errors). Lines split at newline bytes, which never occur inside a UTF-8 character.
 */
export function parseChunk(buf: Buffer, firstLine: number): JournalChunk {
  const end = buf.lastIndexOf(10) + 1;
  const lines =
    end === 0
      ? []
      : buf
          .subarray(0, end - 1)
          .toString('utf8')
          .split('\n');
  const events: JournalEvent[] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== '') events.push(parseEvent(line, firstLine + i));
  });
  const rest = buf.subarray(end).toString('utf8');
  return { events, bytes: end, lines: lines.length, tail: rest.trim() === '' ? null : tryParseEvent(rest) };
}

export type RepairResult = 'none' | 'completed' | 'cut';

/**
 * A torn last line (a crash mid-append) is completed when it is a whole event missing its
 * newline, and cut off otherwise, so that the next event never gets glued to it. For the lock
 * holder only: a reader without the lock never writes.
 */
export async function repairTail(handle: FileHandle): Promise<RepairResult> {
  const { size } = await handle.stat();
  if (size === 0) return 'none';
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] === 10) return 'none';
  // Find the start of the unfinished line, reading backwards in blocks.
  let start = 0;
  const block = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const from = Math.max(0, end - block.length);
    const { bytesRead } = await handle.read(block, 0, end - from, from);
    const nl = block.subarray(0, bytesRead).lastIndexOf(10);
    if (nl !== -1) {
      start = from + nl + 1;
      break;
    }
    end = from;
  }
  const tail = Buffer.alloc(size - start);
  await handle.read(tail, 0, tail.length, start);
  if (tryParseEvent(tail.toString('utf8')) !== null) {
    await handle.write('\n', size);
    return 'completed';
  }
  await handle.truncate(start);
  return 'cut';
}
