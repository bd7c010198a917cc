/**
 * A results file of many large results is collected with bounded memory: 36 results of ~1.1 MB
 * (40 MB, texts of 8 files each, as the bench's case 2 has them at 3 GB) collected by the built
 * harness in a process whose V8 heap is capped at 32 MB. Reading the results whole, or keeping
 * what was read, does not fit: the collect dies of "heap out of memory". The bench measures the
 * real sizes (bench/README.md, case 2).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { git, makeRepo } from '../helpers/git.js';
import { makeTempDir } from '../helpers/tmp.js';

const CHILD = path.join(import.meta.dirname, 'collect-memory-child.mjs');

/** The bench's results generator (plain JS), typed for what this test uses. */
const { writeBatchResults } = (await import('../../bench/lib/results-gen.js' as string)) as {
  writeBatchResults(
    dataDir: string,
    o: { id: string; results: number; filesPerResult: number; resultBytes: number },
  ): { files: number; requests: { customId: string; paths: string[] }[] };
};

describe('collect memory', () => {
  it('collects 40 MB of large results under a 32 MB heap, every file written and committed', async () => {
    const dataDir = await makeTempDir('collect-memory-emu-');
    const batchId = 'msgbatch_memory';
    const gen = writeBatchResults(dataDir, { id: batchId, results: 36, filesPerResult: 8, resultBytes: 1_100_000 });
    const tasks = gen.requests.flatMap((r) => r.paths.map((p) => `- [ ] \`${p}\` — generated module`));
    const repo = await makeRepo({ 'task-list.md': `# Tasks\n\n## gen\n\n${tasks.join('\n')}\n` });
    const emulator = await startEmulator({ dataDir });
    try {
      const spec = path.join(dataDir, 'spec.json');
      writeFileSync(spec, JSON.stringify({ url: emulator.url, batchId, repo, requests: gen.requests }));
      // Asynchronously: the emulator answers from this process.
      const child = spawn(process.execPath, ['--max-old-space-size=32', CHILD, spec], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(stderr).not.toMatch(/heap out of memory/);
      expect(code).toBe(0);
      const out = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(out.files).toBe(gen.files);
      const last = gen.requests.at(-1)!.paths.at(-1)!;
      expect(readFileSync(path.join(repo, last), 'utf8')).toMatch(new RegExp(`^// ${last}\\n`));
      expect(git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n').filter(Boolean)).toHaveLength(gen.files + 3);
      expect(existsSync(path.join(repo, '.harness', 'results', `${batchId}.jsonl`))).toBe(false);
    } finally {
      await emulator.close();
    }
  }, 300_000);
});
