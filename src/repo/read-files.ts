/**
 * The read of the scan: every candidate file read once, straight into a chunk of memory, already
 * framed as the codebase context frames it (context.ts: `\n<file path="…">\n` + content + `</file>\n`,
 * `file_2`… when the content holds `</file>`, a newline added when the content lacks the last
 * one). What a caller needs afterwards comes from those chunks without touching the disk again:
 * the contents (decode-chunk.ts), the context block's bytes (hashed
 * and written as they are), its token count (counted on the bytes).
 *
 * Each file is opened with O_NOFOLLOW (a file swapped for a link after the walk is refused) and
 * O_NONBLOCK (one swapped for a FIFO cannot hang the read), checked with fstat (not a regular
 * file, over `maxFileBytes`: never read), read with synchronous calls (for the small files of a
 * codebase a sync read costs a few syscalls, an async one a thread-pool round trip per call), and
 * `concurrency` files per turn of the event loop, so the process stays responsive. At most one
 * file is in flight: memory is the chunks (the context's bytes) and nothing per file.
 *
 * A file that changes while it is read (shorter than its fstat said, or no longer valid UTF-8
 * and changed since) is read again, up to three times, then skipped as `changed while being read`:
 * the content, its size, the hash and the token count always describe one and the same read.
 */
import { isUtf8 } from 'node:buffer';
import fs, { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { escapeAttr, tagFor } from './context.js';
import type { SkippedFile } from './scan.js';

const BINARY_SNIFF_BYTES = 8192;
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0);
const ATTEMPTS = 3;
const CLOSING = Buffer.from('</file>');

/** The file-system calls the read makes (node's by default; tests inject changes mid-read). */
export type ReadPort = Pick<typeof fs, 'openSync' | 'fstatSync' | 'readSync' | 'closeSync'>;

export interface FramedFile {
  path: string;
  /** Bytes read (the content's UTF-8 length). */
  size: number;
  /** The chunk the file is framed in. */
  chunk: number;
  /** Where the content starts in its chunk's bytes (it ends `size` bytes later). */
  byteStart: number;
}

/** A piece of the framed files: bytes `[0, end)` of `buffer`; files never straddle two chunks. */
export interface Chunk {
  buffer: Buffer;
  end: number;
}

export interface FramedRead {
  /** The framed files, in order. */
  chunks: Chunk[];
  /** Sorted as given. */
  files: FramedFile[];
  skipped: SkippedFile[];
}

export interface ReadOptions {
  maxFileBytes: number;
  concurrency: number;
  port?: ReadPort;
  /**
   * Called with each chunk once it is full (no byte of `[0, end)` changes after), and its files;
   * `last` for the one the read ends with (handed over before readFramed returns). The chunks are
   * then in shared memory, so another thread can read them as they are.
   */
  onChunk?: (chunk: Chunk, files: readonly FramedFile[], last: boolean) => void;
}

/**
 * Files go into chunks of a few MB: a full chunk is left as it is and a new one started, so no
 * byte is ever copied to grow a buffer, and each chunk decodes on its own (ASCII ones as one-byte
 * strings, whatever the rest holds).
 */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Room for the closing tag (`\n</file_N>\n`) after a file's content. */
const CLOSE_ROOM = 32;

export async function readFramed(root: string, paths: readonly string[], options: ReadOptions): Promise<FramedRead> {
  const port = options.port ?? fs;
  const chunks: Chunk[] = [];
  const files: FramedFile[] = [];
  const skipped: SkippedFile[] = [];
  const current = () => chunks[chunks.length - 1]!;
  const { onChunk } = options;
  let handedFiles = 0; // files handed to onChunk so far
  let handedChunks = 0; // chunks handed to onChunk so far (each exactly once)
  const handOver = (last: boolean) => {
    if (!onChunk || chunks.length === handedChunks) return;
    onChunk(current(), files.slice(handedFiles), last);
    handedFiles = files.length;
    handedChunks = chunks.length;
  };
  const allocate = (size: number): Buffer => (onChunk ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafe(size));
  /** Where `bytes` more fit: the current chunk, else a new one. */
  const room = (bytes: number): Chunk => {
    const last = chunks[chunks.length - 1];
    if (last && last.end + bytes <= last.buffer.length) return last;
    if (last && last.end === 0)
      chunks.pop(); // started for a file that was then skipped
    else if (last) handOver(false);
    const chunk = { buffer: allocate(Math.max(CHUNK_BYTES, bytes)), end: 0 };
    chunks.push(chunk);
    return chunk;
  };
  const slice = Math.max(1, Math.floor(options.concurrency));
  for (let i = 0; i < paths.length; i++) {
    if (i > 0 && i % slice === 0) await nextTurn();
    const rel = paths[i]!;
    let open = `\n<file path="${escapeAttr(rel)}">\n`;
    let openBytes = utf8Length(open);
    const r = readInto(port, path.join(root, rel), options.maxFileBytes, (size) => {
      const chunk = room(openBytes + size + CLOSE_ROOM);
      return { buffer: chunk.buffer, at: chunk.end + openBytes };
    });
    if (typeof r === 'string') {
      skipped.push({ path: rel, reason: r });
      continue;
    }
    let chunk = current();
    let content = chunk.buffer.subarray(chunk.end + openBytes, chunk.end + openBytes + r.size);
    let tag = 'file';
    if (content.indexOf(CLOSING) !== -1) {
      tag = tagFor(content.toString('utf8'));
      if (tag !== 'file') {
        // Rare: the content holds `</file>`, so its opening tag is longer: move the content along.
        open = `\n<${tag} path="${escapeAttr(rel)}">\n`;
        const longer = utf8Length(open);
        const from = chunk;
        const start = from.end + openBytes;
        chunk = room(longer + r.size + CLOSE_ROOM);
        if (chunk === from) chunk.buffer.copyWithin(chunk.end + longer, start, start + r.size);
        else from.buffer.copy(chunk.buffer, chunk.end + longer, start, start + r.size);
        openBytes = longer;
        content = chunk.buffer.subarray(chunk.end + openBytes, chunk.end + openBytes + r.size);
      }
    }
    put(chunk.buffer, chunk.end, open);
    const contentEnd = chunk.end + openBytes + r.size;
    files.push({ path: rel, size: r.size, chunk: chunks.length - 1, byteStart: chunk.end + openBytes });
    const newline = r.size > 0 && chunk.buffer[contentEnd - 1] !== 0x0a ? '\n' : '';
    const close = `${newline}</${tag}>\n`;
    chunk.end = contentEnd + put(chunk.buffer, contentEnd, close);
  }
  if (chunks.length > 0 && current().end === 0) chunks.pop();
  handOver(true);
  return { chunks, files, skipped };
}

/** Reads the file where `place(size)` says (its content's first byte); its size, or why it is skipped. */
function readInto(port: ReadPort, abs: string, maxBytes: number, place: (size: number) => { buffer: Buffer; at: number }): { size: number } | string {
  let fd: number;
  try {
    fd = port.openSync(abs, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ELOOP' ? 'symlink (not followed)' : `unreadable (${code})`;
  }
  try {
    for (let attempt = 1; ; attempt++) {
      const st = port.fstatSync(fd);
      if (!st.isFile()) return 'not a regular file';
      if (st.size > maxBytes) return `too large (${st.size} bytes)`;
      const { buffer: buf, at } = place(st.size);
      let n = 0;
      while (n < st.size) {
        const got = port.readSync(fd, buf, at + n, st.size - n, n);
        if (got === 0) break;
        n += got;
      }
      const data = buf.subarray(at, at + n);
      const binary = data.subarray(0, BINARY_SNIFF_BYTES).includes(0);
      const valid = !binary && isUtf8(data);
      const changed = n < st.size || (!valid && changedSince(port, fd, st));
      if (changed) {
        if (attempt < ATTEMPTS) continue;
        return 'changed while being read';
      }
      if (binary) return 'binary';
      if (!valid) return 'binary (not valid UTF-8)';
      return { size: n };
    }
  } catch (e) {
    return `unreadable (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  } finally {
    port.closeSync(fd);
  }
}

function changedSince(port: ReadPort, fd: number, before: fs.Stats): boolean {
  const now = port.fstatSync(fd);
  return now.size !== before.size || now.mtimeMs !== before.mtimeMs || now.ctimeMs !== before.ctimeMs;
}

/**
 * Writes a tag's text at `at`; its UTF-8 length. Tags are short and almost always ASCII: a loop of
 * stores beats `Buffer.write`'s call into C++ (measured: ~1 µs a call, 100,000 calls for 50,000 files).
 */
function put(buffer: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return buffer.write(text, at, 'utf8');
    buffer[at + i] = c;
  }
  return text.length;
}

/** UTF-8 length of a tag's text (ASCII: its length). */
function utf8Length(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text);
  return text.length;
}
