/**
 * The scan's write of the context (src/repo/context-writer.ts): chunks at their place behind the
 * expected header while the scan goes on, what follows the files and the header last; everything
 * at the end without one expected; never another header.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContextWriter } from '../../src/repo/context-writer.js';
import * as atomic from '../../src/shared/atomic-write.js';
import { makeTempDir } from '../helpers/tmp.js';

vi.mock('../../src/shared/atomic-write.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/shared/atomic-write.js')>();
  return { ...real, writeAllAt: vi.fn(real.writeAllAt) };
});

/** Each write: where, and how many bytes. */
const writes = () => vi.mocked(atomic.writeAllAt).mock.calls.map(([, chunks, at]) => [at, chunks.reduce((n, c) => n + c.length, 0)]);

describe('ContextWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir('harness-context-writer-');
    vi.mocked(atomic.writeAllAt).mockClear();
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const chunks = [Buffer.from('\n<file path="a">\nA\n</file>\n'), Buffer.from('\n<file path="b">\nBB\n</file>\n')];

  it('writes each range behind the expected header as it comes, then the tail, and the header last', async () => {
    const file = path.join(dir, 'context.txt');
    const head = Buffer.from('# head of two\n');
    const tail = Buffer.from('\n<omitted>\nc: binary\n</omitted>\n');
    const writer = new ContextWriter(file, Promise.resolve(head.toString()));
    writer.add([chunks[0]!]);
    writer.add([chunks[1]!]);
    await writer.finish(head, tail);
    expect(await readFile(file)).toEqual(Buffer.concat([head, ...chunks, tail]));
    const body = chunks[0]!.length + chunks[1]!.length;
    expect(writes()).toEqual([
      [head.length, chunks[0]!.length],
      [head.length + chunks[0]!.length, chunks[1]!.length],
      [head.length + body, tail.length],
      [0, head.length],
    ]);
  });

  it('refuses a header other than the expected one (its files are already behind that one)', async () => {
    const file = path.join(dir, 'context.txt');
    const writer = new ContextWriter(file, Promise.resolve('# the expected head\n'));
    writer.add(chunks);
    await expect(writer.finish(Buffer.from('# another\n'), Buffer.alloc(0))).rejects.toThrow(/header/);
  });

  it('writes everything once at the end when no header is expected (no worker)', async () => {
    const file = path.join(dir, 'context.txt');
    const writer = new ContextWriter(file, null);
    writer.add([chunks[0]!]);
    writer.add([chunks[1]!]);
    const head = Buffer.from('# head\n');
    await writer.finish(head, Buffer.alloc(0));
    expect(await readFile(file)).toEqual(Buffer.concat([head, ...chunks]));
    expect(writes()).toEqual([[0, head.length + chunks[0]!.length + chunks[1]!.length]]);
  });
});
