/**
 * The read of the scan: every candidate file read once, straight into chunks of memory, already
 * framed as the codebase context frames it (frame-range.ts). What a caller needs afterwards comes
 * from those chunks without touching the disk again: the contents (framed-text.ts), the context
 * block's bytes (hashed and written as they are), its token count (counted on the bytes).
 *
 * The paths are read as ranges of consecutive files (config `scan.concurrency` files each), each
 * with its own chunks; the ranges' chunks, in order, are the context's files. `readRanges` reads
 * them all on this thread, one range per turn of the event loop, so the process stays responsive;
 * the snapshot's `scanAndPack` reads them on two threads (scan-threads.ts). At most one file is in
 * flight: memory is the chunks (the context's bytes) and nothing per file.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BLOCK_BYTES, type FramedRange, type ReadPort } from './frame-range.js';
import { lazyFile } from './framed-text.js';
import type { RepoFile, SkippedFile } from './scan.js';
import { frameTools, type ReadJob, rangeCount, readRange } from './scan-threads.js';

export type { ReadPort } from './frame-range.js';

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

/** The files a range read, in order, each decoding its content from the range's chunks when it is first read (framed-text.ts). */
export function filesOf(paths: readonly string[], range: FramedRange): RepoFile[] {
  const files: RepoFile[] = [];
  for (let i = 0; i < range.index.length; i++) {
    const start = range.byteStart[i]!;
    files.push(lazyFile(paths[range.index[i]!]!, range.chunks[range.chunk[i]!]!, start, start + range.size[i]!));
  }
  return files;
}

/** The files the ranges left out, and why. */
export function skippedOf(paths: readonly string[], ranges: readonly FramedRange[]): SkippedFile[] {
  return ranges.flatMap((r) => r.skipped.map(([i, reason]) => ({ path: paths[i]!, reason })));
}
