/**
 * The read of the scan: every candidate file read once, straight into one growing buffer, already
 * framed as the codebase context frames it (context.ts: `\n<file path="…">\n` + content + `</file>\n`,
 * `file_2`… when the content holds `</file>`, a newline added when the content lacks the last
 * one). What a caller needs afterwards comes from that buffer without touching the disk again:
 * the contents (one decode of the whole buffer, each file a slice of it), the context block's
 * bytes (hashed and written as they are), its token count (counted on the bytes).
 *
 * Each file is opened with O_NOFOLLOW (a file swapped for a link after the walk is refused) and
 * O_NONBLOCK (one swapped for a FIFO cannot hang the read), checked with fstat (not a regular
 * file, over `maxFileBytes`: never read), read with synchronous calls (for the small files of a
 * codebase a sync read costs a few syscalls, an async one a thread-pool round trip per call), and
 * `concurrency` files per turn of the event loop, so the process stays responsive. At most one
 * file is in flight: memory is the buffer (the context's bytes) and nothing per file.
 *
 * A file that changes while it is read (shorter than its fstat said, or no longer valid UTF-8
 * and changed since) is read again, up to three times, then skipped as `changed while being read`:
 * the content, its size, the hash and the token count always describe one and the same read.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import fs, { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { escapeAttr, tagFor } from './context.js';
import type { SkippedFile } from './scan.js';

const BINARY_SNIFF_BYTES = 8192;
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0);
const ATTEMPTS = 3;
const INITIAL_PER_FILE = 2048;
const INITIAL_CAP = 256 * 1024 * 1024;
const CLOSING = Buffer.from('</file>');

/** The file-system calls the read makes (node's by default; tests inject changes mid-read). */
export type ReadPort = Pick<typeof fs, 'openSync' | 'fstatSync' | 'readSync' | 'closeSync'>;

export interface FramedFile {
  path: string;
  /** Bytes read (the content's UTF-8 length). */
  size: number;
  /** Where the content starts in the decoded text of the framed region, in UTF-16 code units. */
  unitStart: number;
  /** The content's length in UTF-16 code units. */
  units: number;
}

export interface FramedRead {
  /** The framed files from `start` to `end`; `start` bytes are kept free in front (`reserve`). */
  buffer: Buffer;
  start: number;
  end: number;
  /** Sorted as given. */
  files: FramedFile[];
  skipped: SkippedFile[];
}

export interface ReadOptions {
  maxFileBytes: number;
  concurrency: number;
  /** Bytes kept free in front of the first file (for the context's header and tree). */
  reserve?: number;
  port?: ReadPort;
}

export async function readFramed(root: string, paths: readonly string[], options: ReadOptions): Promise<FramedRead> {
  const port = options.port ?? fs;
  const start = options.reserve ?? 0;
  // Sized for files of ~2 KB on average (a codebase's typical size): most scans never grow it.
  let buffer = Buffer.allocUnsafe(start + Math.min(INITIAL_PER_FILE * paths.length, INITIAL_CAP) + 64 * 1024);
  let off = start;
  let units = 0;
  const files: FramedFile[] = [];
  const skipped: SkippedFile[] = [];
  const ensure = (needed: number) => {
    if (needed <= buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(needed, buffer.length * 2));
    buffer.copy(bigger); // all of it: the current file's opening tag is already past `off`
    buffer = bigger;
  };
  const slice = Math.max(1, Math.floor(options.concurrency));
  for (let i = 0; i < paths.length; i++) {
    if (i > 0 && i % slice === 0) await nextTurn();
    const rel = paths[i]!;
    let open = `\n<file path="${escapeAttr(rel)}">\n`;
    ensure(off + open.length * 3);
    const contentStart = off + buffer.write(open, off, 'utf8');
    const r = readInto(port, path.join(root, rel), options.maxFileBytes, contentStart, ensure, () => buffer);
    if (typeof r === 'string') {
      skipped.push({ path: rel, reason: r });
      continue;
    }
    let contentEnd = contentStart + r.size;
    let content = buffer.subarray(contentStart, contentEnd);
    let tag = 'file';
    if (content.indexOf(CLOSING) !== -1) {
      tag = tagFor(content.toString('utf8'));
      if (tag !== 'file') {
        // Rare: the content holds `</file>`. Its opening tag is longer: move the content along.
        const longer = `\n<${tag} path="${escapeAttr(rel)}">\n`;
        const shift = Buffer.byteLength(longer) - (contentStart - off);
        ensure(contentEnd + shift);
        buffer.copyWithin(contentStart + shift, contentStart, contentEnd);
        buffer.write(longer, off, 'utf8');
        open = longer;
        contentEnd += shift;
        content = buffer.subarray(contentEnd - r.size, contentEnd);
      }
    }
    const contentUnits = isAscii(content) ? r.size : utf16Length(content);
    files.push({ path: rel, size: r.size, unitStart: units + open.length, units: contentUnits });
    const newline = r.size > 0 && buffer[contentEnd - 1] !== 0x0a ? '\n' : '';
    const close = `${newline}</${tag}>\n`;
    ensure(contentEnd + close.length);
    off = contentEnd + buffer.write(close, contentEnd, 'latin1');
    units += open.length + contentUnits + close.length;
  }
  return { buffer, start, end: off, files, skipped };
}

/** Reads the file into the buffer at `at` (growing it through `ensure`); its size, or why it is skipped. */
function readInto(
  port: ReadPort,
  abs: string,
  maxBytes: number,
  at: number,
  ensure: (needed: number) => void,
  current: () => Buffer,
): { size: number } | string {
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
      ensure(at + st.size + 64);
      const buf = current();
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

/** UTF-16 length of valid UTF-8: one unit per sequence, two for a four-byte one. */
function utf16Length(bytes: Uint8Array): number {
  let units = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80 || b >= 0xc0) units += b >= 0xf0 ? 2 : 1;
  }
  return units;
}
