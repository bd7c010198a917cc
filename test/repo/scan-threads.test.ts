/**
 * The scan's two threads (src/repo/scan-threads.ts, scan-worker.ts): whichever thread reads a range, what comes back
 * is what this thread computes alone (the files framed, their token count, the screen's flags, the
 * context's digest: the header's behind the chunks' and the tail's); the header the worker renders is
 * `contextHead` of the walk's paths; and a worker that dies fails the scan instead of hanging it.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { contextDigest, contextHead } from '../../src/repo/context.js';
import { textOfPieces } from '../../src/repo/framed-text.js';
import type { FramedRange } from '../../src/repo/frame-range.js';
import { filesOf, readJob } from '../../src/repo/read-files.js';
import { frameTools, InlineThreads, type RangeDone, readRange, type ScanThreads, WorkerThreads } from '../../src/repo/scan-threads.js';
import { SCREEN_LINT, SCREEN_OWN } from '../../src/repo/secret-screen.js';
import { findSecrets } from '../../src/repo/secrets.js';
import { estimateTokens } from '../../src/shared/tokens.js';

// Fake secrets, built from parts so that this file holds none whole.
const awsKeyId = ['AK', 'IA', 'QWERTYUIOPASDFGH'].join('');

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tree(contents: readonly (string | Buffer)[]): Promise<{ root: string; paths: string[] }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'harness-threads-'));
  dirs.push(root);
  const paths = contents.map((_, i) => `f${String(i).padStart(3, '0')}.ts`);
  await mkdir(root, { recursive: true });
  await Promise.all(contents.map((c, i) => writeFile(path.join(root, paths[i]!), c)));
  return { root, paths };
}

/**
 * Every range read as the scan reads them (this thread claims until none is left), then all of them.
 * `mine`: this thread reads every range it can claim at once (the worker, still starting, few or none),
 * none (the worker reads them all), or one per 2 ms (the two threads take turns).
 */
async function readAll(
  threads: ScanThreads,
  tools: ReturnType<typeof frameTools>,
  job: ReturnType<typeof readJob>,
  mine: 'all' | 'none' | 'some' = 'all',
): Promise<RangeDone[]> {
  if (mine !== 'none')
    for (let r = threads.claim(); r !== -1; r = threads.claim()) {
      threads.add(r, readRange(tools, job, r));
      if (mine === 'some') await new Promise((resolve) => setTimeout(resolve, 2));
    }
  const done: RangeDone[] = [];
  for (let r = 0; r < threads.ranges; r++) done.push(await threads.done(r));
  return done;
}

const bytesOf = (ranges: readonly FramedRange[]) => Buffer.concat(ranges.flatMap((r) => r.chunks));

describe('WorkerThreads and InlineThreads', () => {
  it('answer what this thread computes alone: files, tokens, screen flags, the header, the digest (property)', async () => {
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
      '</file>',
    );
    const file = fc.oneof(
      fc.array(piece, { maxLength: 20 }).map((xs) => xs.join('')),
      fc.constant(Buffer.from([0x61, 0x00, 0x62])), // binary: skipped, named in the tail
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(file, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 16, max: 300 }),
        fc.constantFrom('all' as const, 'none' as const, 'some' as const),
        fc.nat({ max: 12 }),
        async (contents, rangeFiles, blockBytes, mine, published) => {
          const { root, paths } = await tree(contents);
          const job = readJob(root, paths, 1024 * 1024, rangeFiles, blockBytes);
          const worker = new WorkerThreads('', job);
          let shared: RangeDone[];
          let sha: string;
          // The context's header: its tree is every file the walk found, read or left out.
          const head = Buffer.from(contextHead(paths)); // what the worker renders from its own copies of header and renderTree
          // What follows the files (any bytes: the digest takes them after the ranges').
          const tail = Buffer.from(`\n<omitted>\n${paths.length}\n</omitted>\n`);
          try {
            // As the walk does: the files found so far (the worker may read their ranges at once), then all.
            worker.publish(paths.slice(0, published));
            await new Promise((resolve) => setTimeout(resolve, 5));
            worker.end(paths);
            shared = await readAll(worker, frameTools(true), job, mine);
            expect(await worker.header).toBe(head.toString());
            sha = await worker.finish(head, tail);
          } finally {
            await worker.close();
          }
          const inline = new InlineThreads('', job);
          const alone = await readAll(inline, frameTools(false), job);
          expect(await inline.finish(head, tail)).toBe(sha);
          const ranges = alone.map((d) => d.framed);
          expect(sha).toBe(contextDigest(head, createHash('sha256').update(bytesOf(ranges)).update(tail).digest()));
          expect(bytesOf(shared.map((d) => d.framed)).equals(bytesOf(ranges))).toBe(true);
          expect(shared.map((d) => d.summary)).toEqual(alone.map((d) => d.summary));
          expect(alone.reduce((n, d) => n + d.summary.tokens, 0)).toBe(estimateTokens(textOfPieces(ranges.flatMap((r) => r.chunks))));
          const read = ranges.flatMap((r) => filesOf(paths, r));
          const files = read.map((f) => f.path);
          const flags = alone.flatMap((d) => [...d.summary.flags]);
          // Every file with a finding is flagged with the bit of the rule's part (the harness's own, or the preset's).
          for (const f of await findSecrets(read, { allow: [], env: {} })) {
            const bit = f.ruleId.startsWith('harness/') ? SCREEN_OWN : SCREEN_LINT;
            expect(flags[files.indexOf(f.path)]! & bit, `${f.path} ${f.ruleId}`).toBe(bit);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  /** The screen's flags of files, each read as a range of its own, by the worker alone. */
  async function workerFlags(contents: string[], envKey = ''): Promise<number[]> {
    const { root, paths } = await tree(contents);
    const job = readJob(root, paths, 1024, 1);
    const worker = new WorkerThreads(envKey, job);
    worker.end(paths);
    try {
      return (await readAll(worker, frameTools(true), job, 'none')).flatMap((d) => [...d.summary.flags]);
    } finally {
      await worker.close();
    }
  }

  it('flags a basic-auth URL whose password holds a character with a 0xA0 byte (a no-break space read as Latin-1)', async () => {
    expect(await workerFlags(['nothing\n', 'const url = "https://admin:pàsswörd@db.example";\n'])).toEqual([0, SCREEN_LINT]);
  });

  it("looks for the environment's key as its bytes, whatever characters it holds", async () => {
    const key = 'clé-ünïcode-0123456789';
    expect(await workerFlags(['plain\n', `token: ${key}\n`], key)).toEqual([0, SCREEN_OWN]);
  });

  it('refuses a range outside shared memory, and fails (does not hang) when the thread is gone', async () => {
    const { root, paths } = await tree(['a\n', 'b\n']);
    const job = readJob(root, paths, 1024, 1);
    const worker = new WorkerThreads('', job);
    worker.end(paths);
    expect(() => worker.add(0, readRange(frameTools(false), job, 0))).toThrow(/shared/);
    await worker.close();
    await expect(worker.done(0)).rejects.toThrow(/worker/);
    await expect(worker.finish(Buffer.alloc(0), Buffer.alloc(0))).rejects.toThrow(/worker/);
  });
});
