import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonLines } from '../../src/batch/jsonl.js';

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= at || cut >= bytes.length) continue;
    yield bytes.subarray(at, cut);
    at = cut;
  }
  yield bytes.subarray(at);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('jsonLines', () => {
  it('decodes lines split anywhere across chunks, with CRLF, blank lines, no final newline and multi-byte UTF-8', async () => {
    const text = '{"a":1}\r\n\n{"b":"é—😀"}\n   \n{"c":[1,2]}';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await collect(jsonLines(chunked(bytes, [cut])))).toEqual([{ a: 1 }, { b: 'é—😀' }, { c: [1, 2] }]);
    }
  });

  it('property: any values, any chunking → the same values in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), async (values, cuts) => {
        const bytes = Buffer.from(values.map((v) => JSON.stringify(v)).join('\n') + '\n');
        const got = await collect(
          jsonLines(
            chunked(
              bytes,
              cuts.map((c) => c % (bytes.length + 1)),
            ),
          ),
        );
        expect(got).toEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
      }),
      { numRuns: 200 },
    );
  });

  it('a broken line is an error, not a silent skip', async () => {
    await expect(collect(jsonLines(chunked(Buffer.from('{"a":1}\n{"b":\n'), [])))).rejects.toThrow();
  });
});
