/**
 * The ranges of a framed read (frame-range.ts) as text: each range's chunks (pieces of the context)
 * and each of its files' contents.
 *
 * Every block of memory the chunks are views of is decoded once, as Latin-1: one byte a character,
 * no validation, and for a block of over a megabyte a string outside the JS heap (node copies it
 * there), so nothing for the garbage collector to copy. What is ASCII in a block (every content and
 * tag between contents that holds no byte over 0x7F) is a slice of that string, the same text as its
 * UTF-8 decoding; only a content or tag that is not ASCII is decoded as UTF-8 on its own. So a file
 * keeps one byte a character unless it holds a non-ASCII character itself, and no UTF-16 length has
 * to be counted to find a content in the block's text.
 */
import { isAscii } from 'node:buffer';
import type { FramedRange } from './frame-range.js';

export interface DecodedRange {
  /** The range's chunks as text, in order: a rope of its pieces, not copied into one string. */
  text: string;
  /** Its files' contents, in order. */
  contents: string[];
}

interface Block {
  latin1: string;
  ascii: boolean;
}

/** The ranges of a read, in order, as text (see the module's comment). */
export function decodeRanges(ranges: readonly FramedRange[]): DecodedRange[] {
  const blocks = decodedBlocks(ranges);
  return ranges.map((r) => {
    let text = '';
    const contents: string[] = [];
    let file = 0;
    for (let c = 0; c < r.chunks.length; c++) {
      const view = r.chunks[c]!;
      const block = blocks.get(r.blockIds[c]!)!;
      const base = view.byteOffset;
      // The bytes [from, to) of the chunk as text.
      const piece = (from: number, to: number): string =>
        block.ascii || isAscii(view.subarray(from, to)) ? block.latin1.slice(base + from, base + to) : mixed(view, block.latin1, base, from, to);
      let at = 0;
      for (; file < r.chunk.length && r.chunk[file] === c; file++) {
        const start = r.byteStart[file]!;
        const end = start + r.size[file]!;
        const content = piece(start, end);
        text += piece(at, start) + content;
        contents.push(content);
        at = end;
      }
      text += piece(at, view.length);
    }
    return { text, contents };
  });
}

/** Stretches of a non-ASCII text looked at apart: an ASCII one is a slice of the block's text. */
const STRETCH = 4096;

/**
 * `view[from, to)` (valid UTF-8, not ASCII) as text: its ASCII stretches slices of the block's
 * Latin-1 text (`latin1`, where the view starts at `base`), the others decoded as UTF-8. A stretch
 * that is ASCII starts and ends with an ASCII byte, so every cut between stretches of the two kinds
 * is between characters. A file of 800 KB with two non-ASCII characters is thus two slices and 4 KB
 * of UTF-8 (as one UTF-8 string, 1.6 MB in the heap: two bytes a character once one is past Latin-1).
 */
function mixed(view: Buffer, latin1: string, base: number, from: number, to: number): string {
  if (to - from <= 2 * STRETCH) return view.toString('utf8', from, to);
  let text = '';
  let start = from; // the start of the current run of stretches of one kind
  let ascii = isAscii(view.subarray(from, Math.min(to, from + STRETCH)));
  for (let at = from + STRETCH; at < to; at += STRETCH) {
    const next = isAscii(view.subarray(at, Math.min(to, at + STRETCH)));
    if (next === ascii) continue;
    text += ascii ? latin1.slice(base + start, base + at) : view.toString('utf8', start, at);
    start = at;
    ascii = next;
  }
  return text + (ascii ? latin1.slice(base + start, base + to) : view.toString('utf8', start, to));
}

/** Each block the ranges' chunks are views of (known by id: a view that crossed threads has a new ArrayBuffer object), up to the last byte used, as Latin-1. */
function decodedBlocks(ranges: readonly FramedRange[]): Map<number, Block> {
  const used = new Map<number, { memory: ArrayBufferLike; end: number }>();
  for (const r of ranges)
    for (const [k, view] of r.chunks.entries()) {
      const end = view.byteOffset + view.length;
      const block = used.get(r.blockIds[k]!);
      if (!block) used.set(r.blockIds[k]!, { memory: view.buffer, end });
      else block.end = Math.max(block.end, end);
    }
  const blocks = new Map<number, Block>();
  for (const [id, { memory, end }] of used) {
    const bytes = Buffer.from(memory, 0, end);
    blocks.set(id, { latin1: bytes.toString('latin1'), ascii: isAscii(bytes) });
  }
  return blocks;
}
