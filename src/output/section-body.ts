/**
 * What a section's body becomes as a file (docs/sections.md): one code fence wrapping the whole
 * body is removed, and the content ends with exactly one line break (none for an empty file).
 *
 * The body comes as pieces (file-pieces.ts) and the content goes out as pieces, slices of them:
 * only the blank lines and the fence lines at either end are looked at, character by character,
 * and nothing is joined.
 */
import type { FilePieces } from './file-pieces.js';

const NL = 0x0a;
const CR = 0x0d;
const BACKTICK = 0x60;
const TILDE = 0x7e;

/** The concatenation of pieces, read by position without being made. */
class PieceText {
  /** Where each piece starts in the text. */
  private readonly starts: number[] = [];
  readonly length: number;

  constructor(private readonly pieces: FilePieces) {
    let at = 0;
    for (const p of pieces) {
      this.starts.push(at);
      at += p.length;
    }
    this.length = at;
  }

  /** The index of the piece holding position `i` (0 ≤ i < length). */
  private pieceAt(i: number): number {
    let lo = 0;
    let hi = this.pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    // Empty pieces share their start with the next one: the last piece starting at or before i holds it.
    return lo;
  }

  code(i: number): number {
    const k = this.pieceAt(i);
    return this.pieces[k]!.charCodeAt(i - this.starts[k]!);
  }

  /** The first `ch` at or after `from` and before `to`, or -1. */
  indexOf(ch: string, from: number, to = this.length): number {
    if (from >= to) return -1;
    for (let k = this.pieceAt(from); k < this.pieces.length && this.starts[k]! < to; k++) {
      const start = this.starts[k]!;
      const at = this.pieces[k]!.indexOf(ch, Math.max(0, from - start));
      if (at !== -1) return start + at < to ? start + at : -1;
    }
    return -1;
  }

  /** The last `\n` at or before `from` (≥ 0), or -1. */
  lastNewline(from: number): number {
    for (let k = this.pieceAt(from); k >= 0; k--) {
      const start = this.starts[k]!;
      const at = this.pieces[k]!.lastIndexOf('\n', from - start);
      if (at !== -1) return start + at;
    }
    return -1;
  }

  /** The text from `a` to `b` as slices of the pieces. */
  slice(a: number, b: number): string[] {
    const out: string[] = [];
    if (a >= b) return out;
    for (let k = this.pieceAt(a); k < this.pieces.length && this.starts[k]! < b; k++) {
      const start = this.starts[k]!;
      const p = this.pieces[k]!;
      const from = Math.max(0, a - start);
      const to = Math.min(p.length, b - start);
      if (to > from) out.push(from === 0 && to === p.length ? p : p.slice(from, to));
    }
    return out;
  }

  /** End of the line starting at `start` (after its `\n`, or the end of the text). */
  lineEnd(start: number): number {
    const nl = this.indexOf('\n', start);
    return nl === -1 ? this.length : nl + 1;
  }

  /** Start of the line ending at `end` (just after its `\n`, or the end of the text), for `end` > 0. */
  lineStart(end: number): number {
    return end < 2 ? 0 : this.lastNewline(end - 2) + 1;
  }

  /** [a, b) is a line of nothing but spaces, tabs and `\r`, with or without its final `\n`. */
  isBlank(a: number, b: number): boolean {
    for (let i = a; i < b; i++) {
      const c = this.code(i);
      if (c === NL) return i === b - 1;
      if (c !== 0x20 && c !== 0x09 && c !== CR) return false;
    }
    return true;
  }

  /** `b` moved back over trailing spaces, tabs, `\r` and `\n` (not before `a`). */
  stripEnd(a: number, b: number): number {
    let end = b;
    while (end > a) {
      const c = this.code(end - 1);
      if (c !== 0x20 && c !== 0x09 && c !== CR && c !== NL) break;
      end--;
    }
    return end;
  }
}

interface Fence {
  char: number;
  /** How many fence characters. */
  length: number;
}

/** The line [a, b) as an opening fence (``` or ~~~, 3 or more, then any info string), or null; `backtickInfo`: its info string holds a backtick. */
function openFence(t: PieceText, a: number, b: number): (Fence & { backtickInfo: boolean }) | null {
  const end = t.stripEnd(a, b);
  const char = a < end ? t.code(a) : -1;
  if (char !== BACKTICK && char !== TILDE) return null;
  let n = a;
  while (n < end && t.code(n) === char) n++;
  if (n - a < 3) return null;
  return { char, length: n - a, backtickInfo: char === BACKTICK && t.indexOf('`', n, end) !== -1 };
}

/** The line [a, b) as a bare closing fence (nothing but 3 or more ` or ~, trailing blanks aside), or null. */
function closeFence(t: PieceText, a: number, b: number): Fence | null {
  const end = t.stripEnd(a, b);
  const char = a < end ? t.code(a) : -1;
  if (char !== BACKTICK && char !== TILDE) return null;
  for (let i = a; i < end; i++) if (t.code(i) !== char) return null;
  return end - a >= 3 ? { char, length: end - a } : null;
}

/**
 * A section's body (whole lines, each ending in `\n`; in pieces) as file content: wrapping fence
 * removed, one final line break; in pieces too (slices of the body's, and the final line break).
 */
export function fileContent(body: FilePieces): FilePieces {
  const t = new PieceText(body);
  // The first and the last non-blank line: [fa, fb) and [la, lb).
  let fa = 0;
  let fb = 0;
  while (fa < t.length) {
    fb = t.lineEnd(fa);
    if (!t.isBlank(fa, fb)) break;
    fa = fb;
  }
  let lb = t.length;
  let la = lb;
  while (lb > fa) {
    la = t.lineStart(lb);
    if (!t.isBlank(la, lb)) break;
    lb = la;
  }
  const open = fa < t.length && fa < la && lb > fa ? openFence(t, fa, fb) : null;
  const close = open ? closeFence(t, la, lb) : null;
  const wrapped = open && close && close.char === open.char && close.length >= open.length && !open.backtickInfo;
  const [start, stop] = wrapped ? [fb, la] : [0, t.length];
  let end = stop;
  while (end > start && t.code(end - 1) === NL) end -= end - 2 >= start && t.code(end - 2) === CR ? 2 : 1;
  if (end === start) return [];
  const eol = end + 1 < stop && t.code(end) === CR && t.code(end + 1) === NL ? '\r\n' : '\n';
  // Usually the body already ends with exactly one line break: it is the content, as is (no copy).
  if (stop - end === eol.length) return t.slice(start, stop);
  const out = t.slice(start, end);
  out.push(eol);
  return out;
}
