/**
 * A generated file's content carried as pieces, from the splitter to the disk, never made whole.
 *
 * Why: V8 puts any string or buffer over ~128 KB straight into its large-object space, which only
 * a full (mark-compact) GC frees. A collect makes one such object per file of 150 KB or more (the
 * joined section body, its UTF-8 bytes), and thousands of them pile up between full GCs: the peak
 * memory of a collect grew with the size of the files, not with anything it kept. Cut in pieces of
 * at most PIECE_CHARS characters (≤ 96 KB of UTF-8, ≤ 64 KB of V8 heap), everything dies young.
 *
 * The content is the pieces' concatenation; a surrogate pair may be cut between two pieces (the
 * results reader cuts its decoded text anywhere): encodePieces keeps such a pair whole, so the bytes
 * are those of the joined text.
 */
import { createHash } from 'node:crypto';

/** Pieces whose concatenation is a file's content. */
export type FilePieces = readonly string[];

/** Characters per piece at most (the splitter's pieces, and the buffers they are encoded to). */
export const PIECE_CHARS = 32 * 1024;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/**
 * Pushes `text.slice(from, to)` onto `out` in slices of at most PIECE_CHARS characters, none
 * ending between the two halves of a surrogate pair (slices of a flat string share its memory).
 */
export function pushPieces(out: string[], text: string, from = 0, to = text.length): void {
  for (let i = from; i < to; ) {
    let j = Math.min(to, i + PIECE_CHARS);
    if (j < to && isHighSurrogate(text.charCodeAt(j - 1))) j--;
    out.push(text.slice(i, j));
    i = j;
  }
}

/** The UTF-8 bytes of `pieces` (their concatenation), in buffers of at most PIECE_CHARS characters each. */
export function encodePieces(pieces: FilePieces | string): Buffer[] {
  const out: Buffer[] = [];
  // A high surrogate that ended a piece: its low half may start the next one.
  let carry = '';
  for (const p of typeof pieces === 'string' ? [pieces] : pieces) {
    let i = 0;
    while (i < p.length) {
      let j = Math.min(p.length, i + PIECE_CHARS);
      if (isHighSurrogate(p.charCodeAt(j - 1))) j--;
      if (j === i) break; // p's last character, a high surrogate: carried
      out.push(Buffer.from(carry + p.slice(i, j), 'utf8'));
      carry = '';
      i = j;
    }
    carry += p.slice(i);
  }
  if (carry !== '') out.push(Buffer.from(carry, 'utf8'));
  return out;
}

/** The UTF-8 bytes of `content` and their sha256 (hex), encoded once. */
export function encodeAndHash(content: FilePieces | string): { buffers: Buffer[]; sha256: string } {
  const buffers = encodePieces(content);
  const hash = createHash('sha256');
  for (const b of buffers) hash.update(b);
  return { buffers, sha256: hash.digest('hex') };
}

/**
 * The getter of `content` on the objects withPieces makes: one function for all, holding none of
 * their pieces. (A getter closed over an object's pieces was kept, with the pieces, by the object's
 * V8 map: young pieces referenced from the old generation survived every scavenge until a full GC.)
 */
function joinedPieces(this: { readonly pieces: FilePieces }): string {
  return this.pieces.join('');
}

/**
 * `target` with its content as `pieces`: `pieces` (not enumerable: a copy or a comparison sees the
 * plain `{ …, content }` object) and `content`, their concatenation, made each time it is read (for
 * the callers that want one string; a collect writes the pieces and never reads it).
 */
export function withPieces<T extends object>(target: T, pieces: FilePieces): T & { readonly content: string; readonly pieces: FilePieces } {
  Object.defineProperty(target, 'pieces', { value: pieces, enumerable: false });
  Object.defineProperty(target, 'content', { get: joinedPieces, enumerable: true });
  return target as T & { readonly content: string; readonly pieces: FilePieces };
}

/** The content of `file` as pieces: its own, or its `content` whole. */
export const piecesOf = (file: { readonly content: string; readonly pieces?: FilePieces }): FilePieces => file.pieces ?? [file.content];
