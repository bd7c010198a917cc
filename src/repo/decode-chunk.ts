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
      const piece = (from: number, to: number): string => {
        if (block.ascii || isAscii(view.subarray(from, to))) return block.latin1.slice(base + from, base + to);
        return view.toString('utf8', from, to);
      };
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
