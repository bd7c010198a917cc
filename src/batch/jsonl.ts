import { open } from 'node:fs/promises';

/**
 * JSON Lines from a byte stream, in linear time: each chunk is searched for newlines once, and a
 * line split across chunks is joined once. (The SDK's decoder copies and rescans its whole buffer
 * on every chunk: quadratic in the line length, and result lines of batch outputs reach MBs.)
 */
export async function* jsonLines<T>(body: AsyncIterable<Uint8Array>): AsyncGenerator<T> {
  let pieces: Uint8Array[] = [];
  for await (const chunk of body) {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, nl);
      const line = parseLine<T>(pieces.length > 0 ? Buffer.concat([...pieces, part]) : part);
      pieces = [];
      if (line !== undefined) yield line;
      start = nl + 1;
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
  }
  if (pieces.length > 0) {
    const line = parseLine<T>(Buffer.concat(pieces));
    if (line !== undefined) yield line;
  }
}

/**
 * JSON Lines of a file, read with one read buffer and one line buffer reused for the whole file
 * (grown to the longest line that spans reads): a line's bytes are never copied into a fresh
 * buffer, so a multi-GB file of MB-long lines leaves no trail of large buffers for the GC; what a
 * line allocates is its text and what JSON.parse makes of it.
 */
export async function* fileJsonLines<T>(file: string, parse: (bytes: Uint8Array) => unknown = parseLine, readBytes = 1 << 20): AsyncGenerator<T> {
  let line = Buffer.allocUnsafe(0);
  let len = 0;
  const append = (bytes: Buffer) => {
    if (len + bytes.length > line.length) {
      const grown = Buffer.allocUnsafe(Math.max(len + bytes.length, line.length * 2, 64 * 1024));
      line.copy(grown, 0, 0, len);
      line = grown;
    }
    bytes.copy(line, len);
    len += bytes.length;
  };
  for await (const got of readChunks(file, readBytes)) {
    let start = 0;
    for (let nl = got.indexOf(10); nl !== -1; nl = got.indexOf(10, start)) {
      let parsed: T | undefined;
      if (len === 0) parsed = parse(got.subarray(start, nl)) as T | undefined;
      else {
        append(got.subarray(start, nl));
        parsed = parse(line.subarray(0, len)) as T | undefined;
        len = 0;
      }
      start = nl + 1;
      if (parsed !== undefined) yield parsed;
    }
    if (start < got.length) append(got.subarray(start));
  }
  if (len > 0) {
    const parsed = parse(line.subarray(0, len)) as T | undefined;
    len = 0;
    if (parsed !== undefined) yield parsed;
  }
}

function parseLine<T>(bytes: Uint8Array): T | undefined {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 13) end--;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8');
  return text.trim() === '' ? undefined : (JSON.parse(text) as T);
}

/**
 * The bytes of `file`, read into one reused buffer (each chunk is valid until the next is asked
 * for). A read stream allocates a fresh buffer per read, each freed only when a GC runs: checking
 * a 1 GB download left ~35 MB of spent buffers, and the allocator kept their pages for the rest of
 * the collect.
 */
export async function* readChunks(file: string, readBytes = 1 << 20): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(readBytes);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
