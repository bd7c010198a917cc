/** `harness collect` and `harness cancel` against the emulator. */
import { afterEach, describe, expect, it } from 'vitest';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, expectedFiles, makeTarget, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('collect and cancel', () => {
  it('collect: nothing while the batch runs; once it has ended, its files are written and committed; it never submits', async () => {
    h = await withEmulator({ processingMs: 6000 });
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--detach')).code).toBe(3);
    const early = await h.run(repo, 'collect');
    expect(early.code).toBe(0);
    expect(early.stdout).toMatch(/nothing to collect \(1 batch still in flight\)/);
    let late = early;
    for (let i = 0; i < 30 && !/collected/.test(late.stdout); i++) {
      await new Promise((r) => setTimeout(r, 500));
      late = await h.run(repo, 'collect');
      expect(late.code, late.stderr).toBe(0);
    }
    expect(late.stdout).toMatch(/collected 1 batch: 6 files/);
    expect((await expectedFiles(repo)).every((f) => f.ok)).toBe(true);
    expect(commitSubjects(repo)[0]).toMatch(/^harness: collect msgbatch_\w+ \(6 files\)$/);
    expect(h.emulator.stats().batchesCreated).toBe(1);
  });

  it('cancel: the batch in flight is canceled, its unfinished tasks return to pending with no attempt used, and a later run finishes them', async () => {
    h = await withEmulator({ processingMs: 60_000 });
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--detach', '--max-tokens', '8000')).code).toBe(3);
    const c = await h.run(repo, 'cancel');
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/canceled 1 batch; collected 1/);
    expect(h.emulator.log().some((e) => e.method === 'POST' && e.path.endsWith('/cancel'))).toBe(true);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.batches[0].status).toBe('canceled');
    expect(s.counts.submitted).toBe(0);
    expect(s.counts.pending).toBeGreaterThan(0);
    expect(s.counts.done + s.counts.pending).toBe(6);
    for (const t of s.tasks.filter((t: { status: string }) => t.status === 'pending')) expect(t.attempts).toBe(0);
    const done = s.counts.done;
    await h.restart({ processingMs: 100 });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    expect((await expectedFiles(repo)).every((f) => f.ok)).toBe(true);
    const intents = (await statusJson((...a) => h!.run(repo, ...a))).batches;
    expect(intents[1].tasks).toBe(6 - done);
  });

  it('cancel with nothing in flight says so', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const c = await h.run(repo, 'cancel');
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/nothing in flight/);
  });
});
