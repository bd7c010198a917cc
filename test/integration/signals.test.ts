/**
 * Ctrl-C and SIGTERM: the first signal stops the run at a safe point and exits 130 / 143, the lock
 * goes only when the process ends, the message names what still runs on the server and how to
 * resume; a second `harness run` then finishes the job with exactly one collect per batch. A step
 * in hand (a collect) is finished before stopping; a second signal exits at once.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, expectedFiles, makeTarget, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const lockFile = (repo: string) => path.join(repo, '.harness/lock');
const journalHas = async (repo: string, type: string) =>
  (await readFile(path.join(repo, '.harness/journal.jsonl'), 'utf8').catch(() => '')).includes(`"type":"${type}"`);

/** Whether the lock ever went while the process was still running (for more than `graceMs`). */
function watchLock(repo: string, exited: () => boolean): { stop(): void; releasedEarlyMs: () => number } {
  let goneAt: number | null = null;
  let exitedAt: number | null = null;
  const timer = setInterval(() => {
    if (exitedAt !== null) return;
    if (exited()) exitedAt = Date.now();
    else if (goneAt === null && !existsSync(lockFile(repo))) goneAt = Date.now();
  }, 10);
  return {
    stop: () => clearInterval(timer),
    releasedEarlyMs: () => (goneAt === null ? 0 : (exitedAt ?? Date.now()) - goneAt),
  };
}

async function expectFinishedOnce(repo: string, harness: Harness): Promise<void> {
  const second = await harness.run(repo, 'run');
  expect(second.code, second.stderr).toBe(0);
  expect((await expectedFiles(repo)).filter((f) => !f.ok)).toEqual([]);
  expect(harness.emulator.stats().batchesCreated).toBe(1);
  const collects = commitSubjects(repo).filter((s) => s.startsWith('harness: collect'));
  expect(collects).toHaveLength(1);
  expect(git(repo, 'status', '--porcelain')).toBe('');
  const s = await statusJson((...a) => harness.run(repo, ...a));
  expect(s.counts).toEqual({ pending: 0, submitted: 0, done: 6, failed: 0 });
}

describe('signals', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} during the wait: exit ${code} at once, lock held until exit, batch named; a second run collects it once`, async () => {
      h = await withEmulator({ processingMs: 5000 });
      const repo = await makeTarget();
      const p = h.start(repo, ['run']);
      let exited = false;
      void p.done.then(() => (exited = true));
      await until('the submit commit', () => commitSubjects(repo)[0]!.startsWith('harness: submit'));
      expect(existsSync(lockFile(repo))).toBe(true);
      const batchId = /harness: submit (\S+)/.exec(commitSubjects(repo)[0]!)![1]!;
      const watch = watchLock(repo, () => exited);
      const sent = Date.now();
      p.child.kill(signal);
      const r = await p.done;
      watch.stop();
      expect(r.code, r.stderr).toBe(code);
      expect(Date.now() - sent).toBeLessThan(4000); // it did not wait for the batch (5 s)
      expect(watch.releasedEarlyMs()).toBeLessThan(1500); // never gone while the process kept working
      expect(existsSync(lockFile(repo))).toBe(false);
      expect(r.stderr).toContain(`still running on the server (and billed as they finish): ${batchId}`);
      expect(r.stderr).toContain('`harness run`');
      expect(r.stderr).toContain('`harness collect`');
      expect(commitSubjects(repo).filter((s) => s.startsWith('harness: collect'))).toEqual([]);
      await expectFinishedOnce(repo, h);
    });
  }

  it('SIGINT during a collect: the collect finishes (lock held meanwhile), then exit 130', async () => {
    h = await withEmulator({ processingMs: 150, faults: { http: [{ method: 'GET', path: '/results$', kind: 'slow', delayMs: 3000 }] } });
    const repo = await makeTarget();
    const p = h.start(repo, ['run']);
    let exited = false;
    void p.done.then(() => (exited = true));
    await until('the collect to begin', () => journalHas(repo, 'collect'));
    p.child.kill('SIGINT');
    await sleep(700);
    // Still downloading (the emulator holds the results 3 s): the process works and holds the lock.
    expect(exited).toBe(false);
    expect(existsSync(lockFile(repo))).toBe(true);
    const r = await p.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/stopping at the next safe point/);
    expect(r.stderr).toMatch(/nothing is running on the server/);
    expect(existsSync(lockFile(repo))).toBe(false);
    // The step in hand was finished: collected and committed before stopping.
    expect(commitSubjects(repo)[0]).toMatch(/^harness: collect msgbatch_\w+ \(6 files\)$/);
    await expectFinishedOnce(repo, h);
  });

  it('a second SIGINT exits at once, mid-collect; the next run finishes the job from the journal', async () => {
    h = await withEmulator({ processingMs: 150, faults: { http: [{ method: 'GET', path: '/results$', kind: 'slow', delayMs: 4000 }] } });
    const repo = await makeTarget();
    const p = h.start(repo, ['run']);
    await until('the collect to begin', () => journalHas(repo, 'collect'));
    p.child.kill('SIGINT');
    await sleep(300);
    const sent = Date.now();
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code, r.stderr).toBe(130);
    expect(Date.now() - sent).toBeLessThan(2500); // did not wait for the download
    expect(r.stderr).toMatch(/again: exiting now/);
    expect(existsSync(lockFile(repo))).toBe(false);
    expect(commitSubjects(repo).filter((s) => s.startsWith('harness: collect'))).toEqual([]);
    h.emulator.setFaults({});
    await expectFinishedOnce(repo, h);
  });
});
