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

function parseLine<T>(bytes: Uint8Array): T | undefined {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 13) end--;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8');
  return text.trim() === '' ? undefined : (JSON.parse(text) as T);
}
