/**
 * A collect's files, written several at a time (each write syncs its file before the rename: one at
 * a time, the syncs alone took ~1.5 ms per file), with their outcomes applied in the order the
 * writes were added, whatever order they finish in: the files and the fates of the written tasks
 * are recorded in result order. (A fate decided without a write, a missing section say, is recorded
 * at once, so it may come before the outcome of an earlier write.)
 */
import type { CollectWrite, FileWrite } from './collect-fates.js';

export class OrderedWrites {
  private readonly queue: { w: FileWrite; done: Promise<CollectWrite> }[] = [];
  /** Repo paths written so far → null, or the last write when the path was written more than once. */
  private readonly written = new Map<string, FileWrite | null>();

  constructor(
    /** Writes in flight at most. */
    private readonly limit: number,
    private readonly write: (w: FileWrite) => Promise<CollectWrite>,
    /** Writes a file again (see drain): no checks but the path guard's. */
    private readonly rewrite: (w: FileWrite) => Promise<unknown>,
    /** Applies an outcome: called in the order the writes were added, once it and every earlier one have finished. */
    private readonly apply: (w: FileWrite, written: CollectWrite) => void,
  ) {}

  async add(w: FileWrite): Promise<void> {
    // A path that is a directory of another one in flight (`a` and `a/b.ts`) waits for it: one by
    // one, the second was refused by the guard; side by side, a mkdir could race the other's rename.
    if (this.queue.some((q) => nested(q.w.task.path, w.task.path))) await this.drainQueue();
    const done = this.write(w);
    done.catch(() => undefined); // awaited in order below; an early rejection is not unhandled
    this.queue.push({ w, done });
    while (this.queue.length >= this.limit) await this.settleFirst();
  }

  /** Waits for every write; then writes again any file two task paths reached (see below). */
  async drain(): Promise<void> {
    await this.drainQueue();
    // Two task paths can reach the same file through a symbolic link inside the output root. One
    // by one, the later write won; written concurrently, either may have landed last. Such a file
    // is written again with the later content, so the outcome is the one-by-one outcome.
    for (const last of this.written.values()) if (last) await this.rewrite(last);
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0) await this.settleFirst();
  }

  private async settleFirst(): Promise<void> {
    const first = this.queue[0]!;
    let written: CollectWrite;
    try {
      written = await first.done;
    } catch (error) {
      // An I/O error stops the collect, as it did one file at a time; the writes in flight end first.
      await Promise.allSettled(this.queue.map((q) => q.done));
      this.queue.length = 0;
      throw error;
    }
    this.queue.shift();
    if (written.ok) {
      const key = written.repoRelPath;
      this.written.set(key, this.written.has(key) ? first.w : null);
    }
    this.apply(first.w, written);
  }
}

/** One path is the other or a directory above it (case-insensitively: the file system may be). */
function nested(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/^(?:\.\/)+/, '');
  const y = b.toLowerCase().replace(/^(?:\.\/)+/, '');
  return x === y || y.startsWith(`${x}/`) || x.startsWith(`${y}/`);
}
