/**
 * The scan's worker thread (src/repo/chunk-worker.ts): what it answers for chunks in shared memory
 * is what the main thread would compute (token count, screen flags, hash), and a worker that dies
 * fails the scan instead of hanging it.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkWorker, InlineChunks } from '../../src/repo/chunk-worker.js';
import type { Chunk, FramedFile } from '../../src/repo/read-files.js';
import { findSecrets } from '../../src/repo/secrets.js';
import { estimateTokens, estimateTokensUtf8 } from '../../src/shared/tokens.js';

const awsKeyId = ['AK', 'IA', 'QWERTYUIOPASDFGH'].join('');

/** Contents framed into one shared chunk as the read frames them. */
function sharedChunk(contents: readonly string[]): {
  chunk: Chunk;
  files: FramedFile[];
  text: string;
} {
  let text = '';
  const files: FramedFile[] = [];
  for (const [i, c] of contents.entries()) {
    text += `\n<file path="f${i}.ts">\n`;
    const byteStart = Buffer.byteLength(text);
    files.push({ path: `f${i}.ts`, size: Buffer.byteLength(c), chunk: 0, byteStart });
    text += `${c}\n</file>\n`;
  }
  const bytes = Buffer.from(text);
  const buffer = Buffer.from(new SharedArrayBuffer(bytes.length + 64));
  bytes.copy(buffer);
  return { chunk: { buffer, end: bytes.length }, files, text };
}

describe('ChunkWorker and InlineChunks', () => {
  it('answers what the main thread computes: tokens, screen flags and the hash of head + chunks (property)', async () => {
    const piece = fc.constantFrom(
      'const a = 1;',
      '\n',
      'é',
      'à',
      '😀',
      awsKeyId,
      'https://us',
      'er:pà',
      'ss@host',
      'password = "x"',
      'eyJ',
      ' ',
      'SG.',
    );
    const file = fc.array(piece, { maxLength: 20 }).map((xs) => xs.join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(file, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 }), async (chunks) => {
        const worker = new ChunkWorker('');
        try {
          const framed = chunks.map(sharedChunk);
          for (const f of framed) worker.add(f.chunk, f.files);
          const head = Buffer.from('<codebase>\n');
          const summary = await worker.finish(head);
          // This thread's way (a codebase of one chunk) gives the same summary.
          const inline = new InlineChunks('');
          for (const f of framed) inline.add(f.chunk, f.files);
          expect(await inline.finish(head)).toEqual(summary);
          const bytes = [head, ...framed.map((f) => f.chunk.buffer.subarray(0, f.chunk.end))];
          expect(summary.sha256).toBe(createHash('sha256').update(Buffer.concat(bytes)).digest('hex'));
          expect(summary.tokens).toBe(framed.reduce((n, f) => n + estimateTokensUtf8(f.chunk.buffer, 0, f.chunk.end), 0));
          expect(summary.tokens).toBe(framed.reduce((n, f) => n + estimateTokens(f.text), 0));
          // Every file with a finding is flagged (the others go unchecked).
          const all = chunks.flat().map((content, i) => ({ path: `f${i}.ts`, content }));
          for (const f of await findSecrets(all, { allow: [], env: {} })) expect(summary.screened[Number(f.path.slice(1, -3))], f.path).toBe(1);
        } finally {
          await worker.close();
        }
      }),
      { numRuns: 30 },
    );
  });

  it('flags a basic-auth URL whose password holds a character with a 0xA0 byte (a no-break space read as Latin-1)', async () => {
    const worker = new ChunkWorker('');
    try {
      const f = sharedChunk(['nothing\n', 'const url = "https://admin:pàsswörd@db.example";\n']);
      worker.add(f.chunk, f.files);
      expect([...(await worker.finish(Buffer.alloc(0))).screened]).toEqual([0, 1]);
    } finally {
      await worker.close();
    }
  });

  it("looks for the environment's key as its bytes, whatever characters it holds", async () => {
    const key = 'clé-ünïcode-0123456789';
    const worker = new ChunkWorker(key);
    try {
      const f = sharedChunk(['plain\n', `token: ${key}\n`]);
      worker.add(f.chunk, f.files);
      expect([...(await worker.finish(Buffer.alloc(0))).screened]).toEqual([0, 1]);
    } finally {
      await worker.close();
    }
  });

  it('refuses a chunk outside shared memory, and fails (does not hang) when the thread is gone', async () => {
    const worker = new ChunkWorker('');
    expect(() => worker.add({ buffer: Buffer.from('\nx\n'), end: 3 }, [])).toThrow(/shared/);
    const f = sharedChunk(['a\n']);
    await worker.close();
    worker.add(f.chunk, f.files);
    await expect(worker.finish(Buffer.alloc(0))).rejects.toThrow(/worker/);
  });
});
