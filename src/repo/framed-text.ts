/**
 * The text of a framed read (frame-range.ts), decoded when it is first asked for.
 *
 * The scan needs no text for most of what it does: the context is written, hashed and counted as
 * the bytes it was read into, and the secret screen looks at bytes too (chunk-summary.ts). Only a
 * file the screen flags is read as text by the secret checks, the files' texts only by the repo
 * map, the context's text only by a request built from it. So a file of a framed read holds where
 * its bytes are and decodes them the first time its `content` is read (then keeps the text and
 * lets go of the bytes); the context does the same with its pieces (`contextFromBytes`). A decode
 * costs about what it cost in the scan (~3 ns a byte on the bench machine, most of it the new
 * strings' memory), no longer overlapped with the worker's reads: a command that builds a request
 * from the whole context pays it once, one that builds none never does (bench/README.md).
 */
import { isAscii } from 'node:buffer';
import type { CodebaseContext } from './context.js';
import type { RepoFile } from './scan.js';

/**
 * Valid UTF-8 as text: Latin-1 when it is ASCII (one byte a character, nothing to validate), else
 * UTF-8. The framed chunks cut between files and tags, never inside a character.
 */
export function textOf(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isAscii(buffer) ? buffer.toString('latin1') : buffer.toString('utf8');
}

/** The text of UTF-8 pieces one after the other, as one rope (no copy of the whole). */
export function textOfPieces(pieces: readonly Uint8Array[]): string {
  let text = '';
  for (const piece of pieces) text += textOf(piece);
  return text;
}

/**
 * A file whose content is `block[start, end)` (valid UTF-8), decoded on first read (the view of it
 * is made then: a scan makes thousands of these and reads few). `content` is an own, enumerable
 * getter: the file spreads, compares and serialises as a plain `RepoFile` does.
 */
export function lazyFile(path: string, block: Uint8Array, start: number, end: number): RepoFile {
  let bytes: Uint8Array | null = block;
  let text = '';
  return {
    path,
    size: end - start,
    get content(): string {
      if (bytes !== null) {
        text = textOf(bytes.subarray(start, end));
        bytes = null;
      }
      return text;
    },
  };
}

/**
 * A context whose text is its UTF-8 `pieces` (one after the other), decoded when `text` is first
 * read: the scan and the stored snapshot hold the bytes they wrote or read, and
 * only a request built from the context needs its text. The pieces are let go once decoded.
 */
export function contextFromBytes(pieces: readonly Uint8Array[], info: Omit<CodebaseContext, 'text'>): CodebaseContext {
  let bytes: readonly Uint8Array[] | null = pieces;
  let text = '';
  return {
    get text(): string {
      if (bytes !== null) {
        text = textOfPieces(bytes);
        bytes = null;
      }
      return text;
    },
    ...info,
  };
}
