/**
 * The read of the scan: every candidate file read once, straight into chunks of memory, already
 * framed as the codebase context frames it (frame-range.ts). What a caller needs afterwards comes
 * from those chunks without touching the disk again: the contents (decode-chunk.ts), the context
 * block's bytes (hashed and written as they are), its token count (counted on the bytes).
 *
 * The paths are read as ranges of `RANGE_FILES` consecutive files, each with its own chunks; the
 * ranges' chunks, in order, are the context's files. `readFramed` reads them all on this thread,
 * one range per turn of the event loop, so the process stays responsive; the snapshot's
 * `scanAndPack` reads them on two threads (scan-worker.ts). At most one file is in flight: memory
 * is the chunks (the context's bytes) and nothing per file.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BLOCK_BYTES, type FramedRange, type ReadPort } from './frame-range.js';
import type { SkippedFile } from './scan.js';
import { frameTools, type ReadJob, rangeCount, readRange } from './scan-threads.js';

export type { ReadPort } from './frame-range.js';

export interface FramedFile {
  path: string;
  /** Bytes read (the content's UTF-8 length). */
  size: number;
  /** The chunk the file is framed in. */
  chunk: number;
  /** Where the content starts in its chunk's bytes (it ends `size` bytes later). */
  byteStart: number;
}

export interface FramedRead {
  /** The framed files, in order (files never straddle two chunks). */
  chunks: Buffer[];
  /** Sorted as given. */
  files: FramedFile[];
  skipped: SkippedFile[];
}

/** `paths` read in ranges of `rangeFiles` files (config `scan.concurrency`), in blocks of the default size unless told. */
export function readJob(root: string, paths: readonly string[], maxFileBytes: number, rangeFiles: number, blockBytes = BLOCK_BYTES): ReadJob {
  return { root, paths, maxFileBytes, rangeFiles, blockBytes };
}

/** Every range on this thread, in order, one per turn of the event loop. */
export async function readRanges(job: ReadJob, port?: ReadPort): Promise<FramedRange[]> {
  const tools = frameTools(false, port);
  const ranges: FramedRange[] = [];
  for (let r = 0; r < rangeCount(job); r++) {
    if (r > 0) await nextTurn();
    ranges.push(readRange(tools, job, r));
  }
  return ranges;
}

/** The ranges (in order) as one read: chunks numbered across them, files with their paths. */
export function assemble(paths: readonly string[], ranges: readonly FramedRange[]): FramedRead {
  const chunks: Buffer[] = [];
  const files: FramedFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const r of ranges) {
    const base = chunks.length;
    chunks.push(...r.chunks);
    for (let i = 0; i < r.index.length; i++)
      files.push({ path: paths[r.index[i]!]!, size: r.size[i]!, chunk: base + r.chunk[i]!, byteStart: r.byteStart[i]! });
    for (const [i, reason] of r.skipped) skipped.push({ path: paths[i]!, reason });
  }
  return { chunks, files, skipped };
}
