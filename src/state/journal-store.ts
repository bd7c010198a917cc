/**
 * The journal store: in this process, the one owner of a repo's journal. It folds each event as
 * it appends it and keeps the fold, so a read costs a `stat` when nothing else wrote the file,
 * and a parse of only the appended lines when something did (a reader process sees the lock
 * holder's appends that way; the folded part is checked to be unchanged). The disk stays the
 * truth: a new process (after a crash too) reads and folds the file once; a file that was
 * rewritten rather than appended to (a `git checkout` of it) is folded again whole. Only the lock
 * holder appends (see lock.ts), so the fold never has to merge two writers.
 *
 * `memoryJournal` is the same store with no file, for unit tests.
 */
import { createHash, type Hash } from 'node:crypto';
import { type BigIntStats, existsSync } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { JournalEventInput } from './journal-events.js';
import { JOURNAL_FILE, parseChunk, parseEvent, type RepairResult, repairTail, tryParseEvent } from './journal-file.js';
import { foldJournal, JournalFold, type JournalState } from './journal-fold.js';

export interface JournalStore {
  /** The journal as it is now (a shared, read-only state: see JournalState). */
  read(): Promise<JournalState>;
  /** Appends one event and syncs it; the fold includes it at once. Lock holder only. */
  append(event: JournalEventInput): Promise<void>;
  /** Completes or cuts a torn last line (see repairTail). Lock holder only. */
  repair(): Promise<RepairResult>;
}

const stores = new Map<string, JournalStore>();

/** This process's store of the journal of `repoDir`. */
export function journalStore(repoDir: string): JournalStore {
  const file = path.resolve(repoDir, JOURNAL_FILE);
  const store = stores.get(file) ?? new FileJournalStore(file);
  stores.set(file, store);
  return store;
}

/** A journal in memory only (unit tests): events are checked and folded as the file store does. */
export function memoryJournal(events: readonly JournalEventInput[] = []): JournalStore {
  const fold = new JournalFold();
  let lines = 0;
  const add = (event: JournalEventInput) => fold.apply(parseEvent(JSON.stringify(event), ++lines));
  for (const e of events) add(e);
  return {
    read: async () => fold.state(),
    append: async (event) => add(event),
    repair: async () => 'none',
  };
}

/** The fold of the whole lines of the file up to `bytes`. */
interface Folded {
  fold: JournalFold;
  bytes: number;
  lines: number;
  /** sha256 of the file's first `bytes` bytes, so far: tells an append from a rewrite. */
  hash: Hash;
}

const statKey = (s: BigIntStats): string => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;

class FileJournalStore implements JournalStore {
  private folded: Folded | null = null;
  /** The state last handed out, and the file's stat it was read at. */
  private seen: { key: string; state: JournalState } | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  /** Reads never write: `status` reads while a run appends. */
  read(): Promise<JournalState> {
    return this.serial(async () => {
      const st = await stat(this.file, { bigint: true }).catch(() => null);
      if (!st) {
        this.folded = null;
        this.seen = null;
        return foldJournal([]);
      }
      if (this.seen?.key === statKey(st)) return this.seen.state;
      const handle = await open(this.file, 'r');
      try {
        return await this.catchUp(handle);
      } finally {
        await handle.close();
      }
    });
  }

  append(event: JournalEventInput): Promise<void> {
    return this.serial(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const line = JSON.stringify(event) + '\n';
      // Encoded once: the write and the fold's hash take the same bytes (a collect's event of
      // 20,000 files is a line of several MB).
      const bytes = Buffer.from(line);
      const handle = await open(this.file, 'a+');
      try {
        await repairTail(handle);
        const before = await handle.stat({ bigint: true });
        await handle.write(bytes);
        await handle.datasync();
        await this.afterAppend(handle, before, line, bytes);
      } finally {
        await handle.close();
      }
    });
  }

  repair(): Promise<RepairResult> {
    return this.serial(async () => {
      if (!existsSync(this.file)) return 'none';
      const handle = await open(this.file, 'r+');
      try {
        const done = await repairTail(handle);
        if (done !== 'none') await handle.datasync();
        return done; // the fold stands: only what follows its last whole line changed
      } finally {
        await handle.close();
      }
    });
  }

  /**
   * Folds the event just written when the file was as this store last saw it; else folds what
   * was appended since (a repaired tail, another store of the same file). An event the schema
   * refuses is written all the same, as it always was; the next read reports it.
   */
  private async afterAppend(handle: FileHandle, before: BigIntStats, line: string, written: Buffer): Promise<void> {
    const folded = this.folded;
    if (!folded) return; // nothing read yet: the first read folds the whole file
    try {
      const event = tryParseEvent(line);
      const after = await handle.stat({ bigint: true });
      const alone = this.seen?.key === statKey(before) && folded.bytes === Number(before.size);
      if (event && alone && Number(after.size) === folded.bytes + written.length) {
        folded.fold.apply(event);
        folded.hash.update(written);
        this.folded = { ...folded, bytes: Number(after.size), lines: folded.lines + 1 };
        this.seen = { key: statKey(after), state: folded.fold.state() };
      } else {
        await this.catchUp(handle);
      }
    } catch {
      this.folded = null;
      this.seen = null;
    }
  }

  /**
   * Folds what was appended since the fold's end; the whole file when the folded part is not
   * what it was (rewritten rather than appended to: a checkout of an older version, say). Reading
   * the bytes again is cheap; parsing and checking every event again is what this saves.
   */
  private async catchUp(handle: FileHandle): Promise<JournalState> {
    const st = await handle.stat({ bigint: true });
    const buf = await readRange(handle, 0, Number(st.size));
    let base = this.folded;
    if (base && !(base.bytes <= buf.length && sha256(buf.subarray(0, base.bytes)) === base.hash.copy().digest('hex'))) base = null;
    const from = base?.bytes ?? 0;
    const chunk = parseChunk(buf.subarray(from), (base?.lines ?? 0) + 1); // a corrupt line throws here, before the fold changes
    const fold = base?.fold ?? new JournalFold();
    for (const e of chunk.events) fold.apply(e);
    this.folded = {
      fold,
      bytes: from + chunk.bytes,
      lines: (base?.lines ?? 0) + chunk.lines,
      hash: (base?.hash ?? createHash('sha256')).update(buf.subarray(from, from + chunk.bytes)),
    };
    let state = fold.state();
    if (chunk.tail) {
      // A whole event that still lacks its newline counts for this read, not for the fold.
      const withTail = fold.clone();
      withTail.apply(chunk.tail);
      state = withTail.state();
    }
    this.seen = { key: statKey(st), state };
    return state;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function readRange(handle: FileHandle, from: number, to: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.max(0, to - from));
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await handle.read(buf, got, buf.length - got, from + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}
