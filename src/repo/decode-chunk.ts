/**
 * A chunk of the framed read (read-files.ts) as text: the chunk's text (a piece of the context) and
 * each of its files' content.
 *
 * An ASCII chunk is decoded at once as Latin-1 (the same string; node copies it outside the JS heap
 * and does not validate it) and every content is a slice of it. Any other chunk is decoded file by
 * file: each content on its own (Latin-1 when that file is ASCII, UTF-8 otherwise), and the tags
 * between them. So a file keeps one byte a character unless it holds a non-ASCII character itself
 * (a whole chunk decoded as UTF-8 is two bytes a character as soon as one file in it is not ASCII),
 * and no UTF-16 length has to be counted to find a content in the chunk's text.
 */
import { isAscii } from 'node:buffer';
import type { FramedRange } from './frame-range.js';
import type { FramedFile } from './read-files.js';

export interface DecodedChunk {
  /** The chunk's bytes as text: a rope of its pieces, not copied into one string. */
  text: string;
  /** The contents of `files`, in order. */
  contents: string[];
}

/** `files`: the chunk's files, in order (their `byteStart` and `size` locate each content). */
function decodeChunk(bytes: Buffer, files: readonly Pick<FramedFile, 'byteStart' | 'size'>[]): DecodedChunk {
  if (isAscii(bytes)) {
    const text = bytes.toString('latin1');
    return { text, contents: files.map((f) => text.slice(f.byteStart, f.byteStart + f.size)) };
  }
  let text = '';
  let at = 0;
  const contents = files.map((f) => {
    const content = decodeText(bytes.subarray(f.byteStart, f.byteStart + f.size));
    text += bytes.toString('utf8', at, f.byteStart) + content;
    at = f.byteStart + f.size;
    return content;
  });
  text += bytes.toString('utf8', at);
  return { text, contents };
}

/** Valid UTF-8 as text: Latin-1 when it is ASCII (the same string, decoded faster). */
function decodeText(bytes: Buffer): string {
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

export interface DecodedRange {
  /** The range's chunks as text, in order. */
  text: string;
  /** Its files' contents, in order. */
  contents: string[];
}

/**
 * The ranges of a read (frame-range.ts), in order, as text. Their chunks are views of a few blocks
 * of memory: an ASCII block is decoded once, as Latin-1 (a string outside the JS heap when it is
 * large: nothing for the garbage collector to copy), and each chunk's text and each content is a
 * slice of it; a chunk of any other block is decoded on its own (`decodeChunk`).
 */
export function decodeRanges(ranges: readonly FramedRange[]): DecodedRange[] {
  const used = new Map<number, { memory: ArrayBufferLike; end: number }>();
  for (const r of ranges)
    for (const [k, view] of r.chunks.entries()) {
      const end = view.byteOffset + view.length;
      const block = used.get(r.blockIds[k]!);
      if (!block) used.set(r.blockIds[k]!, { memory: view.buffer, end });
      else block.end = Math.max(block.end, end);
    }
  const blocks = new Map<number, string | null>();
  for (const [id, { memory, end }] of used) {
    const bytes = Buffer.from(memory, 0, end);
    blocks.set(id, isAscii(bytes) ? bytes.toString('latin1') : null);
  }
  return ranges.map((r) => {
    let text = '';
    const contents: string[] = [];
    let file = 0;
    for (let c = 0; c < r.chunks.length; c++) {
      const view = r.chunks[c]!;
      const block = blocks.get(r.blockIds[c]!)!;
      const from = file;
      while (file < r.chunk.length && r.chunk[file] === c) file++;
      if (block !== null) {
        const at = view.byteOffset;
        text += block.slice(at, at + view.length);
        for (let i = from; i < file; i++) contents.push(block.slice(at + r.byteStart[i]!, at + r.byteStart[i]! + r.size[i]!));
      } else {
        const files = [];
        for (let i = from; i < file; i++) files.push({ byteStart: r.byteStart[i]!, size: r.size[i]! });
        const d = decodeChunk(view, files);
        text += d.text;
        for (const content of d.contents) contents.push(content);
      }
    }
    return { text, contents };
  });
}
