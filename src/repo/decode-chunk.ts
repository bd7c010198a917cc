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
import type { Chunk, FramedFile } from './read-files.js';

export interface DecodedChunk {
  /** The chunk's bytes as text: a rope of its pieces, not copied into one string. */
  text: string;
  /** The contents of `files`, in order. */
  contents: string[];
}

/** `files`: the chunk's files, in order (their `byteStart` and `size` locate each content). */
export function decodeChunk(chunk: Chunk, files: readonly Pick<FramedFile, 'byteStart' | 'size'>[]): DecodedChunk {
  const bytes = chunk.buffer.subarray(0, chunk.end);
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
export function decodeText(bytes: Buffer): string {
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}
