/**
 * The read of a range of files, straight into chunks of memory, already framed as the codebase
 * context frames them (context.ts: `\n<file path="…">\n` + content + `</file>\n`, `file_2`… when
 * the content holds `</file>`, a line break added when the content lacks the last one). The scan
 * reads its files as ranges (read-files.ts), on this thread and on its worker thread at once
 * (scan-worker.ts): `frameRange` is self-contained (the worker runs its text; it may use nothing
 * but its arguments), so both threads run the one implementation.
 *
 * Each file is opened with O_NOFOLLOW (a file swapped for a link after the walk is refused) and
 * O_NONBLOCK (one swapped for a FIFO cannot hang the read), and read with synchronous calls (for
 * the small files of a codebase a sync read costs a few syscalls, an async one a thread-pool round
 * trip per call): one read into the room left in the current block, at most one byte over
 * `maxFileBytes`, is the whole file when it comes back shorter. Only a file that fills the room,
 * or is empty, is fstat'ed (not a regular file, over the limit: skipped; else read whole at its
 * size). A file that changes while it is read (its read differs from its fstat's size, or it is
 * not UTF-8 and reads differently a second time) is read again, up to three times, then skipped as
 * `changed while being read`: the content, its size, the hash and the token count always describe
 * one and the same read.
 *
 * Files never straddle two chunks: a full block is left as it is and a new one started, so no byte
 * is copied to grow a buffer, and each chunk or file decodes on its own (framed-text.ts). Ranges read one
 * after the other on a thread fill the same block, each its own part (its chunks are views).
 */
import fs from 'node:fs';

/** The file-system calls the read makes (node's by default; tests inject changes mid-read). */
export type ReadPort = Pick<typeof fs, 'openSync' | 'fstatSync' | 'readSync' | 'closeSync'>;

/** What `frameRange` is given besides its paths (all of it plain data or self-contained functions). */
export interface FrameTools {
  port: ReadPort;
  isUtf8: (bytes: Uint8Array) => boolean;
  /** `O_RDONLY | O_NOFOLLOW | O_NONBLOCK` on this system. */
  openFlags: number;
  escapeAttr: (s: string) => string;
  tagFor: (content: string) => string;
  /** A new block of memory for chunks (shared when another thread reads the chunks). */
  allocate: (size: number) => Buffer;
  /**
   * The calling thread's current block and how much of it is taken: ranges read one after the other
   * fill the same block, each its own part of it (a chunk is a view of a block).
   */
  arena: { block: Buffer | null; used: number };
}

/** A range's files, as parallel arrays (they cross threads as they are). */
export interface FramedRange {
  /** The range's chunks: views of blocks (in shared memory when a worker reads them), each exactly its framed files. */
  chunks: Buffer[];
  /** Per file read, in order: its index in the paths, bytes, chunk (in this range), where its content starts in it. */
  index: Int32Array;
  size: Int32Array;
  chunk: Int32Array;
  byteStart: Int32Array;
  /** Files not read: index in the paths, and why. */
  skipped: [number, string][];
}

/** `O_RDONLY | O_NOFOLLOW | O_NONBLOCK` on this system. */
export const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/** The blocks' size: many ranges of small files fill one; a larger file gets a block of its own size. */
export const BLOCK_BYTES = 4 * 1024 * 1024;

/** Reads `paths[from, to)` (relative to `root`, `/`-separated) into chunks; self-contained. */
export function frameRange(
  tools: FrameTools,
  root: string,
  paths: readonly string[],
  from: number,
  to: number,
  maxFileBytes: number,
  blockBytes: number,
): FramedRange {
  const { port, isUtf8, openFlags, escapeAttr, tagFor, allocate, arena } = tools;
  const ATTEMPTS = 3;
  const SNIFF = 8192;
  /** A block with less room than this left is left for a new one (a file of unknown size must fit in one read, mostly). */
  const MIN_ROOM = Math.min(64 * 1024, blockBytes >> 2);
  /** Room for the closing tag (`\n</file_N>\n`) after a file's content. */
  const CLOSE_ROOM = 32;
  const CLOSING = Buffer.from('</file>');
  // The range's chunks as parts of blocks: [block, start] of each, its end is `arena.used` while it is the last.
  const blocks: Buffer[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const count = to - from;
  const index = new Int32Array(count);
  const size = new Int32Array(count);
  const chunk = new Int32Array(count);
  const byteStart = new Int32Array(count);
  const skipped: [number, string][] = [];
  let n = 0;

  /** The chunk where `bytes` more fit at `arena.used`: the current one, else one in a new block. */
  const room = (bytes: number): number => {
    const last = blocks.length - 1;
    if (arena.block === null || arena.used + bytes > arena.block.length) {
      arena.block = allocate(Math.max(blockBytes, bytes));
      arena.used = 0;
    }
    if (last >= 0 && blocks[last] === arena.block) return last;
    if (last >= 0 && ends[last] === starts[last]) {
      blocks.pop(); // started for a file that was then skipped
      starts.pop();
      ends.pop();
    }
    blocks.push(arena.block);
    starts.push(arena.used);
    ends.push(arena.used);
    return blocks.length - 1;
  };
  /** Writes a tag's text at `at`; its UTF-8 length (a loop of stores: tags are short and almost always ASCII). */
  const put = (buffer: Buffer, at: number, text: string): number => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return buffer.write(text, at, 'utf8');
      buffer[at + i] = c;
    }
    return text.length;
  };
  const utf8Length = (text: string): number => {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text);
    return text.length;
  };
  /** A place for a file of unknown size: where the current block has room, and how much (at most one byte over the limit). */
  const placeAny = (openBytes: number): { c: number; room: number } => {
    if (arena.block === null || arena.block.length - arena.used - openBytes - CLOSE_ROOM < MIN_ROOM)
      room(Math.max(blockBytes, openBytes + CLOSE_ROOM + MIN_ROOM));
    const c = room(openBytes + CLOSE_ROOM);
    return { c, room: Math.min(maxFileBytes + 1, arena.block!.length - arena.used - openBytes - CLOSE_ROOM) };
  };
  const readAll = (fd: number, buffer: Buffer, at: number, length: number, position: number): number => {
    let got = 0;
    while (got < length) {
      const r = port.readSync(fd, buffer, at + got, length - got, position + got);
      if (r === 0) break;
      got += r;
    }
    return got;
  };
  /**
   * Reads one file at `arena.used + openBytes`, in chunk `c` (set here); its size, or why it is
   * skipped. One read where the block has room: a read shorter than asked is the whole file, no
   * fstat needed (three calls a file: open, read, close; the size check and the framing need no
   * size beforehand). A file that fills the room, or is empty, is fstat'ed: not a regular file,
   * over the limit, or placed where its size fits and read whole; one whose read then differs from
   * its fstat's size, or that is not UTF-8 and reads differently a second time, changed under the
   * read: it is read again (fstat, then one read of that size), up to three times.
   */
  let c = -1;
  const readInto = (abs: string, openBytes: number): number | string => {
    let fd: number;
    try {
      fd = port.openSync(abs, openFlags);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      return code === 'ELOOP' ? 'symlink (not followed)' : `unreadable (${code})`;
    }
    try {
      for (let attempt = 1; ; attempt++) {
        let got = -1;
        let st: ReturnType<ReadPort['fstatSync']> | null = null;
        if (attempt === 1) {
          const first = placeAny(openBytes);
          c = first.c;
          got = port.readSync(fd, blocks[c]!, arena.used + openBytes, first.room, 0);
          if (got === first.room || got === 0) st = port.fstatSync(fd); // larger than the room, or empty: its size tells
        } else st = port.fstatSync(fd); // it changed: read it whole at its size, as one read
        if (st) {
          if (!st.isFile()) return 'not a regular file';
          if (st.size > maxFileBytes) return `too large (${st.size} bytes)`;
          if (st.size !== got) {
            c = room(openBytes + st.size + CLOSE_ROOM);
            got = readAll(fd, blocks[c]!, arena.used + openBytes, st.size, 0);
            if (got !== st.size) {
              if (attempt < ATTEMPTS) continue;
              return 'changed while being read';
            }
          }
        }
        const buffer = blocks[c]!;
        const at = arena.used + openBytes;
        const data = buffer.subarray(at, at + got);
        if (data.subarray(0, SNIFF).includes(0)) return 'binary';
        if (!isUtf8(data)) {
          // Not UTF-8, or caught half-way through a change: what a second read gives tells.
          const again = Buffer.allocUnsafe(got + 1);
          if (readAll(fd, again, 0, got + 1, 0) === got && again.subarray(0, got).equals(data)) return 'binary (not valid UTF-8)';
          if (attempt < ATTEMPTS) continue;
          return 'changed while being read';
        }
        return got;
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      return code === 'EISDIR' ? 'not a regular file' : `unreadable (${code})`;
    } finally {
      port.closeSync(fd);
    }
  };

  for (let i = from; i < to; i++) {
    const rel = paths[i]!;
    let open = `\n<file path="${escapeAttr(rel)}">\n`;
    let openBytes = utf8Length(open);
    const got = readInto(`${root}/${rel}`, openBytes);
    if (typeof got === 'string') {
      skipped.push([i, got]);
      continue;
    }
    let start = arena.used + openBytes;
    let tag = 'file';
    if (blocks[c]!.subarray(start, start + got).indexOf(CLOSING) !== -1) {
      tag = tagFor(blocks[c]!.toString('utf8', start, start + got));
      // Rare: the content holds `</file>`, so its opening tag is longer: move the content along.
      open = `\n<${tag} path="${escapeAttr(rel)}">\n`;
      const longer = utf8Length(open);
      const fromBlock = blocks[c]!;
      c = room(longer + got + CLOSE_ROOM);
      if (blocks[c] === fromBlock) fromBlock.copyWithin(arena.used + longer, start, start + got);
      else fromBlock.copy(blocks[c]!, arena.used + longer, start, start + got);
      openBytes = longer;
      start = arena.used + openBytes;
    }
    const block = blocks[c]!;
    put(block, arena.used, open);
    const contentEnd = start + got;
    index[n] = i;
    size[n] = got;
    chunk[n] = c;
    byteStart[n] = start - starts[c]!;
    n++;
    const close = `${got > 0 && block[contentEnd - 1] !== 0x0a ? '\n' : ''}</${tag}>\n`;
    arena.used = contentEnd + put(block, contentEnd, close);
    ends[c] = arena.used;
  }
  if (blocks.length > 0 && ends[ends.length - 1] === starts[starts.length - 1]) {
    blocks.pop();
    starts.pop();
    ends.pop();
  }
  return {
    chunks: blocks.map((b, k) => b.subarray(starts[k], ends[k])),
    index: index.slice(0, n),
    size: size.slice(0, n),
    chunk: chunk.slice(0, n),
    byteStart: byteStart.slice(0, n),
    skipped,
  };
}
