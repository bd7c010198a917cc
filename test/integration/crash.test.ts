/**
 * Fault tests: the harness is killed with SIGKILL at every step of a pass (named failpoints, and at
 * random instants), then resumed. The resume must lose nothing (every file, byte-exact, committed
 * once) and pay nothing twice (one batch created for the work, counted by the emulator).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, commitsPerPath, expectedFiles, makeTarget, statusJson, TASKS } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function expectWholeAndPaidOnce(repo: string, harness: Harness): Promise<void> {
  expect((await expectedFiles(repo)).filter((f) => !f.ok)).toEqual([]);
  expect(harness.emulator.stats().batchesCreated).toBe(1);
  const perPath = commitsPerPath(repo);
  for (const t of TASKS) expect(perPath.get(t.path), t.path).toBe(1);
  const collects = commitSubjects(repo).filter((s) => s.startsWith('harness: collect'));
  expect(collects).toHaveLength(1);
  expect(git(repo, 'status', '--porcelain')).toBe('');
  const s = await statusJson((...a) => harness.run(repo, ...a));
  expect(s.counts).toEqual({ pending: 0, submitted: 0, done: 6, failed: 0 });
  expect(s.batches).toHaveLength(1);
  // What the journal says was paid is exactly what the emulator billed (batches and sync calls).
  const billed = harness.emulator.stats().usage;
  for (const k of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    expect(s.usage[k], k).toBe(billed[k]);
  }
}

const POINTS = [
  'submit:intent-recorded',
  'submit:created',
  'submit:recorded',
  'submit:marked',
  'collect:started',
  'collect:file-written#3',
  'collect:recorded',
  'collect:task-list-written',
];

describe('crash and resume', () => {
  for (const point of POINTS) {
    it(`SIGKILL at ${point}: the resume loses nothing and pays nothing twice`, async () => {
      h = await withEmulator({ processingMs: 150 });
      const repo = await makeTarget();
      const killed = await h.start(repo, ['run', '--max-tokens', '8000'], { HARNESS_FAILPOINT: point }).done;
      expect(killed.signal).toBe('SIGKILL');
      const resumed = await h.run(repo, 'run', '--max-tokens', '8000');
      expect(resumed.code, resumed.stderr).toBe(0);
      await expectWholeAndPaidOnce(repo, h);
    });
  }

  it('SIGKILL while the cache warm-up batch runs: the resume waits for that warm-up instead of paying another', async () => {
    h = await withEmulator({ processingMs: 300 });
    const lib: Record<string, string> = {};
    for (let i = 0; i < 12; i++) {
      lib[`src/lib/m${i}.ts`] =
        Array.from({ length: 40 }, (_, j) => `export const value${i}_${j} = compute(${i}, ${j}); // cached context`).join('\n') + '\n';
    }
    const repo = await makeTarget({ files: lib });
    const killed = await h.start(repo, ['run', '--max-tokens', '8000'], { HARNESS_FAILPOINT: 'submit:marked#1' }).done;
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await expectedFiles(repo)).filter((f) => !f.ok)).toEqual([]);
    expect(h.emulator.stats().batchesCreated).toBe(2);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.batches.map((b: { purpose: string }) => b.purpose)).toEqual(['warmup', 'tasks']);
    expect(s.batches[1].usage.cache_creation_input_tokens).toBe(0);
  });

  it('the API outlives the client: a restarted emulator still serves the batch to the resumed run', async () => {
    h = await withEmulator({ processingMs: 300 });
    const repo = await makeTarget();
    const killed = await h.start(repo, ['run'], { HARNESS_FAILPOINT: 'submit:marked' }).done;
    expect(killed.signal).toBe('SIGKILL');
    await h.restart();
    const resumed = await h.run(repo, 'run');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await expectedFiles(repo)).every((f) => f.ok)).toBe(true);
  });

  it('killed at random instants, again and again: the run converges with one batch', async () => {
    h = await withEmulator({ processingMs: 250 });
    const repo = await makeTarget();
    const delays = [150, 300, 450, 600, 900];
    for (const ms of delays) {
      const p = h.start(repo, ['run', '--max-tokens', '8000']);
      const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
      await p.done;
      clearTimeout(timer);
    }
    const last = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(last.code, last.stderr).toBe(0);
    expect((await expectedFiles(repo)).filter((f) => !f.ok)).toEqual([]);
    const perPath = commitsPerPath(repo);
    for (const t of TASKS) expect(perPath.get(t.path), t.path).toBe(1);
    // Never more batches than submits that could have been interrupted before their id was kept.
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(h.emulator.stats().batchesCreated).toBe(s.batches.length);
  });
});
