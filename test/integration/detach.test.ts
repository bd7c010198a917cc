/**
 * `run --detach` never waits, also not for the cache warm-up: it submits the warm-up and exits; a
 * later detached run submits the real batch once the warm-up has ended (it then reads the cache),
 * or once `cache.warmupMaxWaitMs` has passed since the warm-up was submitted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { expectedFiles, makeTarget, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A codebase big enough to be cached, and six one-task requests: a batch that gets a warm-up. */
function lib(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < 12; i++) {
    out[`src/lib/m${i}.ts`] =
      Array.from({ length: 40 }, (_, j) => `export const value${i}_${j} = compute(${i}, ${j}); // cached context`).join('\n') + '\n';
  }
  return out;
}

describe('run --detach and the cache warm-up', () => {
  it('submits the warm-up and exits at once; the real batch goes out on a later run, after the warm-up ended', async () => {
    h = await withEmulator({ processingMs: 10_000 });
    const repo = await makeTarget({ files: lib() });
    const started = Date.now();
    const first = await h.run(repo, 'run', '--detach', '--max-tokens', '8000');
    // The warm-up was created before the run returned: it ends 10 s after, at the latest.
    const warmupEndsBy = Date.now() + 10_000;
    expect(first.code, first.stderr).toBe(3);
    expect(Date.now() - started).toBeLessThan(7_000); // it did not wait for the warm-up (10 s; margin for a loaded machine)
    expect(first.stderr).toMatch(/cache warm-up msgbatch_\w+ submitted/);
    expect(h.emulator.stats().batchesCreated).toBe(1);
    let s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.batches.map((b: { purpose: string }) => b.purpose)).toEqual(['warmup']);
    expect(s.counts.pending).toBe(6);

    // While the warm-up runs, another detached run submits nothing more.
    const second = await h.run(repo, 'run', '--detach', '--max-tokens', '8000');
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toMatch(/still running; the batch waits for it/);
    expect(h.emulator.stats().batchesCreated).toBe(1);

    await sleep(Math.max(0, warmupEndsBy + 500 - Date.now())); // the warm-up has ended (timed from the run's return, not its start: a loaded machine takes a while to create it)
    const third = await h.run(repo, 'run', '--detach', '--max-tokens', '8000');
    expect(third.code, third.stderr).toBe(3);
    expect(h.emulator.stats().batchesCreated).toBe(2);
    s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.batches.map((b: { purpose: string; status: string }) => [b.purpose, b.status])).toEqual([
      ['warmup', 'collected'],
      ['tasks', 'in_progress'],
    ]);

    const last = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(last.code, last.stderr).toBe(0);
    expect((await expectedFiles(repo)).filter((f) => !f.ok)).toEqual([]);
    s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.batches[1].usage.cache_creation_input_tokens).toBe(0); // the real batch read the cache
  }, 120_000);

  it('after cache.warmupMaxWaitMs a detached run submits the batch although the warm-up still runs', async () => {
    h = await withEmulator({ processingMs: 8000 });
    const repo = await makeTarget({ files: { ...lib(), 'harness.config.mjs': 'export default { cache: { warmupMaxWaitMs: 1000 } };\n' } });
    const first = await h.run(repo, 'run', '--detach', '--max-tokens', '8000');
    expect(first.code, first.stderr).toBe(3);
    expect(h.emulator.stats().batchesCreated).toBe(1);
    await sleep(1200);
    const second = await h.run(repo, 'run', '--detach', '--max-tokens', '8000');
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toMatch(/still running after 1 s: submitting without waiting longer/);
    expect(h.emulator.stats().batchesCreated).toBe(2);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.counts.submitted).toBe(6);
  });
});
