/**
 * A batch the API does not know (a key of another workspace, another ANTHROPIC_BASE_URL, a deleted
 * batch) no longer wedges the repo: `run` and `cancel` say what it means and how to get out, and
 * `harness cancel --forget BATCH` gives it up (journal event, tasks back to pending, never asked
 * about again), after which `run` finishes the job.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, expectedFiles, makeTarget, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('a batch the API does not know', () => {
  it('run and cancel explain it; cancel --forget gives it up; the next run submits its tasks again and never asks about it', async () => {
    h = await withEmulator({ processingMs: 60_000 });
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--detach', '--max-tokens', '8000')).code).toBe(3);
    const batchId: string = (await statusJson((...a) => h!.run(repo, ...a))).batches[0].id;

    // A task of a batch in flight cannot be retried.
    const busy = await h.run(repo, 'retry', 'src/models/user.ts');
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain(`in a batch still in flight: src/models/user.ts (${batchId})`);

    // The same repo against another API (another server, or another workspace's key): the batch is unknown there.
    await h.close();
    h = await withEmulator({ processingMs: 100 });
    for (const args of [['run', '--max-tokens', '8000'], ['cancel']]) {
      const r = await h.run(repo, ...args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`batch ${batchId} failed: the API does not know this batch`);
      expect(r.stderr).toContain('ANTHROPIC_API_KEY');
      expect(r.stderr).toContain('ANTHROPIC_BASE_URL');
      expect(r.stderr).toContain(`harness cancel --forget ${batchId}`);
    }
    expect((await h.run(repo, 'init')).code).toBe(2); // still in flight: init refuses

    const unknownId = await h.run(repo, 'cancel', '--forget', 'msgbatch_nope');
    expect(unknownId.code).toBe(2);
    expect(unknownId.stderr).toContain('no batch msgbatch_nope in the journal');

    const requestsBefore = h.emulator.log().length;
    const forget = await h.run(repo, 'cancel', '--forget', batchId);
    expect(forget.code, forget.stderr).toBe(0);
    expect(forget.stdout).toMatch(new RegExp(`forgot ${batchId}: 6 task(s|\\(s\\))? back to pending`));
    expect(h.emulator.log().length).toBe(requestsBefore); // no API call
    expect(commitSubjects(repo)[0]).toBe(`harness: forget ${batchId} (6 tasks back to pending)`);
    let s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.batches[0]).toMatchObject({ id: batchId, status: 'forgotten' });
    expect(s.counts).toMatchObject({ pending: 6, submitted: 0 });

    const again = await h.run(repo, 'cancel', '--forget', batchId);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${batchId} was forgotten already`);

    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    expect((await expectedFiles(repo)).every((f) => f.ok)).toBe(true);
    expect(
      h.emulator
        .log()
        .slice(requestsBefore)
        .some((e) => e.path.includes(batchId)),
    ).toBe(false); // never asked about again
    s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.batches.map((b: { status: string }) => b.status)).toEqual(['forgotten', 'collected']);
    expect((await h.run(repo, 'cancel')).stdout).toMatch(/nothing in flight/);
  });
});
