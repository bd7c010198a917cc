/**
 * The ranges of a framed read (frame-range.ts) as text: each range's chunks (pieces of the context)
 * and each of its files' contents.
 *
 * Every chunk is decoded once, as Latin-1: one byte a character, no validation. What is ASCII in it
 * (every content and tag between contents that holds no byte over 0x7F) is a slice of that string,
 * the same text as its UTF-8 decoding; only a content or tag that is not ASCII is decoded as UTF-8
 * on its own. So a file keeps one byte a character unless it holds a non-ASCII character itself,
 * and no UTF-16 length has to be counted to find a content in the chunk's text. A range can be
 * decoded as soon as it is read (its chunks are written by then, whatever is written after them in
 * the same blocks of memory).
 */
import { isAscii } from 'node:buffer';
import type { FramedRange } from './frame-range.js';

export interface DecodedRange {
  /** The range's chunks as text, in order: a rope of its pieces, not copied into one string. */
  text: string;
  /** Its files' contents, in order. */
  contents: string[];
}

/** A range as text. */
export function decodeRange(r: FramedRange): DecodedRange {
  let text = '';
  const contents: string[] = [];
  let file = 0;
  for (let c = 0; c < r.chunks.length; c++) {
    const view = r.chunks[c]!;
    const latin1 = view.toString('latin1');
    let last = file;
    while (last < r.chunk.length && r.chunk[last] === c) last++;
    if (isAscii(view)) {
      // The whole chunk is one string, its contents slices of it: no piece of text a file.
      text += latin1;
      for (; file < last; file++) contents.push(latin1.slice(r.byteStart[file]!, r.byteStart[file]! + r.size[file]!));
      continue;
    }
    // The text is the chunk's Latin-1 but for its non-ASCII pieces (a content, a tag with a path
    // that is not ASCII): `run` is where the ASCII stretch not yet in the text starts.
    let run = 0;
    /** The piece [from, to) of the chunk: a slice when it is ASCII; else decoded, and the text brought up to its end. */
    const piece = (from: number, to: number): string => {
      if (isAscii(view.subarray(from, to))) return latin1.slice(from, to);
      const decoded = mixed(view, latin1, from, to);
      text += latin1.slice(run, from) + decoded;
      run = to;
      return decoded;
    };
    let at = 0;
    for (; file < last; file++) {
      const start = r.byteStart[file]!;
      const end = start + r.size[file]!;
      piece(at, start);
      contents.push(piece(start, end));
      at = end;
    }
    piece(at, view.length);
    text += latin1.slice(run);
  }
  return { text, contents };
}

/** Stretches of a non-ASCII text looked at apart: an ASCII one is a slice of the chunk's text. */
const STRETCH = 4096;

/**
 * `view[from, to)` (valid UTF-8, not ASCII) as text: its ASCII stretches slices of the chunk's
 * Latin-1 text (`latin1`), the others decoded as UTF-8. A stretch
 * that is ASCII starts and ends with an ASCII byte, so every cut between stretches of the two kinds
 * is between characters. A file of 800 KB with two non-ASCII characters is thus two slices and 4 KB
 * of UTF-8 (as one UTF-8 string, 1.6 MB in the heap: two bytes a character once one is past Latin-1).
 */
function mixed(view: Buffer, latin1: string, from: number, to: number): string {
  if (to - from <= 2 * STRETCH) return view.toString('utf8', from, to);
  let text = '';
  let start = from; // the start of the current run of stretches of one kind
  let ascii = isAscii(view.subarray(from, Math.min(to, from + STRETCH)));
  for (let at = from + STRETCH; at < to; at += STRETCH) {
    const next = isAscii(view.subarray(at, Math.min(to, at + STRETCH)));
    if (next === ascii) continue;
    text += ascii ? latin1.slice(start, at) : view.toString('utf8', start, at);
    start = at;
    ascii = next;
  }
  return text + (ascii ? latin1.slice(start, to) : view.toString('utf8', start, to));
}
