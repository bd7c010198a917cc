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

/**
 * The ranges of a read as text, one at a time, while the read goes on: a range can be decoded once
 * every block it is in is final (its thread has moved on to a newer block, or the reads are over),
 * and each block is decoded once. Ranges must be `seen` as their thread read them (a thread's
 * ranges in its order: ids of one thread's blocks grow, and a block gets no range after a newer one).
 */
export class RangeDecoder {
  private readonly used = new Map<number, { memory: ArrayBufferLike; end: number }>();
  private readonly blocks = new Map<number, Block>();
  /** Per thread (a block's id is `2n + thread`): the newest block seen. */
  private readonly newest = [-1, -1];
  private ended = false;

  /** A range read (seeing one again changes nothing). */
  seen(range: Pick<FramedRange, 'chunks' | 'blockIds'>): void {
    for (const [k, view] of range.chunks.entries()) {
      const id = range.blockIds[k]!;
      const end = view.byteOffset + view.length;
      const block = this.used.get(id);
      if (!block) this.used.set(id, { memory: view.buffer, end });
      else block.end = Math.max(block.end, end);
      this.newest[id & 1] = Math.max(this.newest[id & 1]!, id);
    }
  }

  /** Every range has been seen. */
  end(): void {
    this.ended = true;
  }

  /** Whether `range` (seen) can be decoded: every block it is in is final. */
  ready(range: Pick<FramedRange, 'blockIds'>): boolean {
    return this.ended || range.blockIds.every((id) => id < this.newest[id & 1]!);
  }

  /** A range (ready) as text. */
  decode(r: FramedRange): DecodedRange {
    let text = '';
    const contents: string[] = [];
    let file = 0;
    for (let c = 0; c < r.chunks.length; c++) {
      const view = r.chunks[c]!;
      const block = this.block(r.blockIds[c]!);
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
  }

  /** A block (final) up to the last byte used, as Latin-1: decoded the first time. */
  private block(id: number): Block {
    let block = this.blocks.get(id);
    if (!block) {
      const { memory, end } = this.used.get(id)!;
      const bytes = Buffer.from(memory, 0, end);
      block = { latin1: bytes.toString('latin1'), ascii: isAscii(bytes) };
      this.blocks.set(id, block);
    }
    return block;
  }
}

/** The ranges of a read, in order, as text (the read is over). */
export function decodeRanges(ranges: readonly FramedRange[]): DecodedRange[] {
  const decoder = new RangeDecoder();
  for (const r of ranges) decoder.seen(r);
  decoder.end();
  return ranges.map((r) => decoder.decode(r));
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
