/**
 * A collect of large results never makes a file's content whole: from the results reader to the
 * disk, each file travels in pieces of at most PIECE_CHARS characters (output/file-pieces.ts), so
 * no string or buffer on the way is a V8 large object (over ~128 KB), whatever the size of the
 * files. Checked on what reaches the writer and the disk (RSS is too noisy to assert on): results
 * of ~3.5 MB each, read by the real reader from a JSONL file, files of ~450 KB with a 100 KB line,
 * CRLF, a wrapping fence, trailing blank lines, non-ASCII text and surrogate pairs written as JSON
 * escapes (the reader's 32 KB pieces cut between their halves).
 */
import { createHash } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchResultLine } from '../../src/batch/api.js';
import { fileJsonLines } from '../../src/batch/jsonl.js';
import { parseResultLine } from '../../src/batch/result-line.js';
import { defaultConfig } from '../../src/config/schema.js';
import type { GitRepo } from '../../src/git/repo.js';
import { resolveModel } from '../../src/models/models.js';
import { PIECE_CHARS } from '../../src/output/file-pieces.js';
import { SafeWriter } from '../../src/output/safe-writer.js';
import { collectBatch } from '../../src/pipeline/collect.js';
import { memoryJournal } from '../../src/state/journal.js';
import { makeTempDir } from '../helpers/tmp.js';
import { NOW, submittedEvents, writeSubmittedList } from './collect-fixtures.js';

const RESULTS = 4;
const FILES = 8;

/** A buffer of PIECE_CHARS characters of UTF-8 (3 bytes each at most; 4 for a pair = 2 characters), plus a carried high surrogate. */
const MAX_BUFFER = (PIECE_CHARS + 1) * 3;

/** File `f` of result `r`: what the section holds, and the content the file must get. */
function file(r: number, f: number): { path: string; body: string; content: string } {
  const p = `src/r${r}/f${f}.ts`;
  const line = (i: number) => `export const v${i} = 'é ${i} 🙂 ${'x'.repeat(40 + (i % 7))}';\n`;
  let content = `// ${p}\n`;
  for (let i = 0; content.length < 350_000; i++) content += line(i);
  content += `export const min = '${'🙂ab'.repeat(25_000)}';\n`; // a 100 KB line, pairs all along
  for (let i = 0; i < 200; i++) content += line(i);
  if (f === 1) content = content.replaceAll('\n', '\r\n');
  if (f === 2) return { path: p, body: `\`\`\`ts\n${content}\`\`\`\n`, content };
  if (f === 3) return { path: p, body: `${content}\n\n\n`, content };
  return { path: p, body: content, content };
}

/** Result `r` as a JSONL line, its pairs written as \u escapes (as JSON may write them). */
function resultLine(r: number): string {
  const text = `Here they are.\n${Array.from({ length: FILES }, (_, f) => file(r, f))
    .map((x) => `<<<FILE ${x.path}>>>\n${x.body}<<<END ${x.path}>>>\n`)
    .join('')}`;
  const message = {
    id: `msg_${r}`,
    type: 'message',
    role: 'assistant',
    model: 'claude-test',
    content: [{ type: 'text', text, citations: null }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 1_000, output_tokens: 900_000, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  };
  return JSON.stringify({ custom_id: `r${r}`, result: { type: 'succeeded', message } }).replaceAll('🙂', '\\ud83d\\ude42');
}

const noGit: GitRepo = {
  dir: '',
  commit: async () => 'c1',
  dirtyPaths: async () => [],
  checkIgnored: async () => [],
  findCommitWithTrailer: async () => null,
  log: async () => [],
};

afterEach(() => vi.restoreAllMocks());

describe('collect of large results', () => {
  it('carries every file in pieces from the reader to the disk: no string over PIECE_CHARS, no buffer over ~96 KB, the bytes right', async () => {
    const repo = await makeTempDir('harness-collect-pieces-');
    const paths = Array.from({ length: RESULTS }, (_, r) => Array.from({ length: FILES }, (_, f) => file(r, f).path));
    await writeSubmittedList(repo, paths.flat());
    const results = path.join(repo, 'results.jsonl');
    const lines = Array.from({ length: RESULTS }, (_, r) => resultLine(r));
    expect(Math.min(...lines.map((l) => l.length))).toBeGreaterThan(3_400_000);
    await writeFile(results, `${lines.join('\n')}\n`);

    const journal = memoryJournal(submittedEvents(Object.fromEntries(paths.map((p, r) => [`r${r}`, p]))));
    // What reaches the writer, and the disk.
    const writes: unknown[] = [];
    const write = SafeWriter.prototype.write;
    vi.spyOn(SafeWriter.prototype, 'write').mockImplementation(function (this: SafeWriter, relPath, content) {
      writes.push(content);
      return write.call(this, relPath, content);
    });
    const probe = await open(results, 'r');
    const fileHandle = Object.getPrototypeOf(probe) as {
      writev(buffers: Uint8Array[], position?: number): Promise<unknown>;
      write(data: unknown, ...rest: unknown[]): Promise<unknown>;
    };
    await probe.close();
    const writev = vi.spyOn(fileHandle, 'writev');
    const single = vi.spyOn(fileHandle, 'write');

    const ws = {
      repoDir: repo,
      config: defaultConfig,
      configLabel: 'defaults',
      model: resolveModel(defaultConfig.model, defaultConfig.models, 'defaults'),
      git: noGit,
      reporter: { info() {}, warn() {}, progress() {} },
      repoPath: (p: string) => p,
    };
    const record = (await journal.read()).batches.find((b) => b.batchId === 'b1')!;
    const outcome = await collectBatch(ws, record, {
      results: async () => fileJsonLines<BatchResultLine>(results, parseResultLine),
      appendJournal: (_dir, e) => journal.append(e),
      readJournal: () => journal.read(),
      now: () => NOW,
    });
    expect(outcome.files).toBe(RESULTS * FILES);

    // Every file reached the writer as pieces, none longer than PIECE_CHARS.
    expect(writes).toHaveLength(RESULTS * FILES);
    for (const content of writes) {
      expect(Array.isArray(content)).toBe(true);
      expect(Math.max(...(content as string[]).map((p) => p.length))).toBeLessThanOrEqual(PIECE_CHARS);
    }
    let largestBuffer = 0;
    for (const call of writev.mock.calls) for (const b of call[0]) largestBuffer = Math.max(largestBuffer, b.length);
    for (const call of single.mock.calls) if (call[0] instanceof Uint8Array) largestBuffer = Math.max(largestBuffer, call[0].length);
    expect(writev.mock.calls.length).toBeGreaterThanOrEqual(RESULTS * FILES);
    expect(largestBuffer).toBeGreaterThan(16 * 1024);
    expect(largestBuffer).toBeLessThanOrEqual(MAX_BUFFER);

    // The bytes on disk, and the hashes the journal records, are those of the whole content.
    const collected = (await journal.read()).batches.find((b) => b.batchId === 'b1')!.collected!;
    const recorded = new Map(collected.files.map((f) => [f.path, f.sha256]));
    for (let r = 0; r < RESULTS; r++) {
      for (let f = 0; f < FILES; f++) {
        const { path: p, content } = file(r, f);
        const bytes = await readFile(path.join(repo, p));
        expect(bytes.equals(Buffer.from(content, 'utf8')), p).toBe(true);
        expect(recorded.get(p)).toBe(createHash('sha256').update(bytes).digest('hex'));
      }
    }
  }, 60_000);
});
