/**
 * The scan's write of the context (scan-pack.ts `PackOptions.out`), done while the scan goes on: a
 * range's chunks are written at their place as soon as the range is read, behind the header the
 * worker rendered once the walk was over (it depends only on what the walk found: context.ts), then
 * what follows the files, and the header last. Without a worker (a small codebase) everything is
 * written at the end. The writes go one after the other on libuv's pool.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { writeAllAt } from '../shared/atomic-write.js';

export class ContextWriter {
  private chain: Promise<unknown>;
  private handle: FileHandle | null = null;
  /** The header, once the worker has rendered it (null without one: everything is written at the end). */
  private head: Buffer | null = null;
  /** The chunks handed so far, in order, and their bytes. */
  private readonly chunks: Buffer[] = [];
  private length = 0;

  /** `header`: the one the worker renders once the walk is over, or null (no worker: all is written at the end). */
  constructor(path: string, header: Promise<string> | null) {
    this.chain = open(path, 'w').then(async (handle) => {
      this.handle = handle;
      if (header) this.head = Buffer.from(await header);
    });
    this.chain.catch(() => {}); // awaited by finish or abort
  }

  /** The next range's chunks, in order. */
  add(chunks: readonly Buffer[]): void {
    const at = this.length;
    for (const c of chunks) {
      this.chunks.push(c);
      this.length += c.length;
    }
    this.chain = this.chain.then(async () => {
      if (this.head !== null) await writeAllAt(this.handle!, chunks, this.head.length + at);
    });
    this.chain.catch(() => {}); // awaited by finish or abort
  }

  /**
   * The header and what follows the files: written behind the chunks (all of it at once without a
   * header known early), then the file is closed. The header must be the one given early: the chunks
   * are already behind it.
   */
  async finish(head: Buffer, tail: Buffer): Promise<void> {
    try {
      await this.chain;
      const handle = this.handle!;
      if (this.head === null) await writeAllAt(handle, [head, ...this.chunks, tail], 0);
      else {
        if (!this.head.equals(head)) throw new Error("the context's header is not the one its files were written behind");
        if (tail.length > 0) await writeAllAt(handle, [tail], head.length + this.length);
        await writeAllAt(handle, [head], 0);
      }
    } finally {
      await this.handle?.close();
    }
  }

  /** Stops (the scan failed): waits for the writes under way, closes the file. */
  async abort(): Promise<void> {
    await this.chain.catch(() => {});
    await this.handle?.close().catch(() => {});
  }
}
