/**
 * Failures that stay contained: two repos sharing one API key (a crashed or lost create adopts
 * only this repo's batch, proven by the nonce its custom_ids carry), a results download cut
 * half-way on a batch of thousands of tasks, and `status` reading the journal while a run appends.
 */
import { existsSync } from 'node:fs';
import { appendFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, commitsPerPath, expectedFiles, makeTarget, statusJson, TASKS, type TaskSpec } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** Repo P's tasks: other paths, the same shape (so its batches have as many requests as Q's). */
const P_TASKS: TaskSpec[] = TASKS.map((t) => ({ ...t, path: `p/${t.path}`, description: `${t.description} (P)` }));

const ARGS = ['--max-tokens', '8000']; // one task per request: 6 requests per batch

const journal = async (repo: string) =>
  (await readFile(path.join(repo, '.harness/journal.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; batchId?: string; adopted?: boolean; reason?: string });

/** Batch ids in the order the emulator created them. */
const created = (harness: Harness) =>
  harness.emulator
    .log()
    .filter((e) => e.method === 'POST' && e.path === '/v1/messages/batches' && e.batchId)
    .map((e) => e.batchId!);

async function expectOwnWork(harness: Harness, repo: string, tasks: readonly TaskSpec[], others: readonly TaskSpec[]) {
  expect((await expectedFiles(repo, tasks)).filter((f) => !f.ok)).toEqual([]);
  for (const t of others) expect(existsSync(path.join(repo, t.path)), t.path).toBe(false);
  const perPath = commitsPerPath(repo);
  for (const t of tasks) expect(perPath.get(t.path), t.path).toBe(1);
  expect(git(repo, 'status', '--porcelain')).toBe('');
  const s = await statusJson((...a) => harness.run(repo, ...a));
  expect(s.counts).toEqual({ pending: 0, submitted: 0, done: 6, failed: 0 });
  return s;
}

describe('two repos sharing one key', () => {
  it("two repos sharing one key: Q is killed right after its batch is created while P's batch of the same size runs; Q adopts its own batch, never P's", async () => {
    h = await withEmulator({ processingMs: 400 });
    const p = await makeTarget({ tasks: P_TASKS });
    const q = await makeTarget();
    const pFirst = await h.run(p, 'run', '--detach', ...ARGS);
    expect(pFirst.code, pFirst.stderr).toBe(3);
    const killed = await h.start(q, ['run', ...ARGS], { HARNESS_FAILPOINT: 'submit:created' }).done;
    expect(killed.signal).toBe('SIGKILL');
    const [pBatch, qBatch] = created(h);

    const resumed = await h.run(q, 'run', ...ARGS);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`adopted batch ${qBatch}`);
    const pDone = await h.run(p, 'run', ...ARGS);
    expect(pDone.code, pDone.stderr).toBe(0);

    // Exactly one batch per repo was created and billed; each repo holds its own files only.
    expect(h.emulator.stats().batchesCreated).toBe(2);
    const qs = await expectOwnWork(h, q, TASKS, P_TASKS);
    expect(qs.batches).toEqual([expect.objectContaining({ id: qBatch, adopted: true, status: 'collected', files: 6 })]);
    const ps = await expectOwnWork(h, p, P_TASKS, TASKS);
    expect(ps.batches).toEqual([expect.objectContaining({ id: pBatch, adopted: false, status: 'collected', files: 6 })]);
    // P's batch was only ever a candidate for Q: never recorded as Q's, never collected or committed there.
    const qEvents = await journal(q);
    expect(
      qEvents
        .filter((e) => e.batchId === pBatch)
        .map((e) => e.type)
        .every((t) => t === 'foreign'),
    ).toBe(true);
    expect(git(q, 'log', '--format=%B')).not.toContain(pBatch!);
    // The submit of the adopted batch is committed once, as a submit.
    expect(commitSubjects(q).filter((s) => s.startsWith('harness: submit'))).toEqual([`harness: submit ${qBatch} (6 tasks)`]);
  });

  it("two repos sharing one key: a create whose response is lost is adopted once its results carry this repo's nonce, while P's batch of the same size runs", async () => {
    h = await withEmulator({ processingMs: 600 });
    const p = await makeTarget({ tasks: P_TASKS });
    const q = await makeTarget();
    expect((await h.run(p, 'run', '--detach', ...ARGS)).code).toBe(3);
    h.emulator.setFaults({ http: [{ method: 'POST', path: '^/v1/messages/batches$', kind: 'reset', afterProcessing: true }] });
    const r = await h.run(q, 'run', ...ARGS);
    expect(r.code, r.stderr).toBe(0);
    const [pBatch, qBatch] = created(h);
    expect(h.emulator.log().find((e) => e.batchId === qBatch && e.method === 'POST')?.fault).toBe('reset:after-processing');
    expect(h.emulator.stats().batchesCreated).toBe(2); // never a second create for Q
    const qs = await expectOwnWork(h, q, TASKS, P_TASKS);
    expect(qs.batches).toEqual([expect.objectContaining({ id: qBatch, adopted: true })]);
    expect((await journal(q)).some((e) => e.type === 'submitted' && e.batchId === pBatch)).toBe(false);
    expect((await h.run(p, 'run', ...ARGS)).code).toBe(0);
    await expectOwnWork(h, p, P_TASKS, TASKS);
  });

  it("two repos sharing one key: a dead intent (killed before its create) is closed, never adopted, though P's batch of the same size is in its window", async () => {
    h = await withEmulator({ processingMs: 200 });
    const p = await makeTarget({ tasks: P_TASKS });
    const q = await makeTarget();
    expect((await h.run(p, 'run', '--detach', ...ARGS)).code).toBe(3);
    const killed = await h.start(q, ['run', ...ARGS], { HARNESS_FAILPOINT: 'submit:intent-recorded' }).done;
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await h.run(q, 'run', ...ARGS);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [pBatch, qBatch] = created(h);
    expect(h.emulator.stats().batchesCreated).toBe(2);
    const events = await journal(q);
    expect(events.find((e) => e.type === 'foreign')).toMatchObject({ batchId: pBatch });
    expect(events.find((e) => e.type === 'abandoned')?.reason).toMatch(/no batch was created/);
    const qs = await expectOwnWork(h, q, TASKS, P_TASKS);
    expect(qs.batches).toEqual([expect.objectContaining({ id: qBatch, adopted: false })]);
    expect((await h.run(p, 'run', ...ARGS)).code).toBe(0);
    await expectOwnWork(h, p, P_TASKS, TASKS);
  });
});

/**
 * Warm-ups off: the plan of many tasks (in every request) makes the prefix long enough to cache, and
 * these tests count the batches, downloads and journal events of the task batch alone.
 */
const NO_WARMUP = { 'harness.config.mjs': 'export default { cache: { warmup: false } };\n' };

/** `n` tasks in groups of 50. */
const manyTasks = (n: number): TaskSpec[] =>
  Array.from({ length: n }, (_, i) => ({
    path: `gen/g${Math.floor(i / 50)}/f${i}.ts`,
    description: `file ${i}`,
    group: `Group ${Math.floor(i / 50)}`,
  }));

describe('a results stream cut half-way', () => {
  const N = 2000;

  it('a results stream cut half-way on a batch of 2,000 tasks is resumed on the same run: every file, one collect commit, no stray files', async () => {
    h = await withEmulator({ processingMs: 300, faults: { http: [{ kind: 'cut', path: '/results$' }] } });
    const tasks = manyTasks(N);
    const repo = await makeTarget({ tasks, files: NO_WARMUP });
    const r = await h.run(repo, 'run', ...ARGS);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/results download of msgbatch_\w+ was cut at \d+ of \d+ bytes.*resuming/);
    const gets = h.emulator.log().filter((e) => e.method === 'GET' && e.path.endsWith('/results'));
    expect(gets.map((e) => [e.status, e.fault ?? null])).toEqual([
      [200, 'cut'],
      [206, null],
    ]);
    expect((await expectedFiles(repo, tasks)).filter((f) => !f.ok)).toEqual([]);
    expect(commitSubjects(repo).filter((s) => s.startsWith('harness: collect'))).toEqual([expect.stringMatching(`\\(${N} files\\)$`)]);
    expect(git(repo, 'status', '--porcelain', '--ignored')).toBe('!! .harness/context.json\n!! .harness/context.txt\n!! .harness/report.html\n');
    expect(existsSync(path.join(repo, '.harness/results')) ? await readdir(path.join(repo, '.harness/results')) : []).toEqual([]);
  }, 120_000);

  it('a results stream cut every time: exit 1 with a plain message naming the API and what keeps running, nothing written; the next run collects it all, with one submit commit', async () => {
    h = await withEmulator({ processingMs: 300, faults: { http: [{ kind: 'cut', path: '/results$', afterBytes: 0, times: 0 }] } });
    const tasks = manyTasks(N);
    const repo = await makeTarget({ tasks, files: NO_WARMUP });
    const failed = await h.run(repo, 'run', ...ARGS);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).not.toMatch(/internal error|please report/);
    expect(failed.stderr).toContain(`from ${h.emulator.url} failed`);
    expect(failed.stderr).toMatch(/has ended on the server.*`harness run`/);
    expect(tasks.some((t) => existsSync(path.join(repo, t.path)))).toBe(false);
    // Nothing but the harness's own journal is left changed, and nothing untracked.
    expect(git(repo, 'status', '--porcelain')).toBe(' M .harness/journal.jsonl\n');

    h.emulator.setFaults({});
    const again = await h.run(repo, 'run', ...ARGS);
    expect(again.code, again.stderr).toBe(0);
    expect((await expectedFiles(repo, tasks)).filter((f) => !f.ok)).toEqual([]);
    const subjects = commitSubjects(repo);
    expect(subjects.filter((s) => s.startsWith('harness: submit'))).toHaveLength(1);
    expect(subjects.filter((s) => s.startsWith('harness: collect'))).toHaveLength(1);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(h.emulator.stats().batchesCreated).toBe(1);
  }, 180_000);
});

describe('status while a run appends', () => {
  it('status in a loop while a run appends loses no journal event, even one caught half-written', async () => {
    // 6 s of processing: the half-written line must be completed before the batch ends and the
    // run appends its collect (a status takes over a second on a loaded machine).
    h = await withEmulator({ processingMs: 6_000 });
    const tasks = manyTasks(300);
    const repo = await makeTarget({ tasks, files: NO_WARMUP });
    const run = h.start(repo, ['run', ...ARGS]);
    let ended = false;
    void run.done.then(() => (ended = true));
    const file = path.join(repo, '.harness/journal.jsonl');
    // An event another writer is in the middle of appending (as the run does with each of its own).
    const line = `${JSON.stringify({ type: 'cancel', at: new Date().toISOString(), batchId: 'msgbatch_elsewhere' })}\n`;
    let injected = false;
    let statuses = 0;
    while (!ended) {
      const s = await h.run(repo, 'status', '--json');
      expect(s.code, s.stderr).toBe(0);
      JSON.parse(s.stdout);
      statuses++;
      if (!injected && commitSubjects(repo).some((x) => x.startsWith('harness: submit')) && !ended) {
        // The run now waits for its batch: a half-written line, a status reading it, then the rest.
        await appendFile(file, line.slice(0, 40));
        expect((await h.run(repo, 'status', '--json')).code).toBe(0);
        await appendFile(file, line.slice(40));
        injected = true;
      }
    }
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    expect(injected).toBe(true);
    expect(statuses).toBeGreaterThan(2);
    const events = await journal(repo);
    expect(events.filter((e) => e.type === 'cancel')).toEqual([expect.objectContaining({ batchId: 'msgbatch_elsewhere' })]);
    const types = events.map((e) => e.type).filter((t) => t !== 'cancel');
    expect(types).toEqual(['intent', 'submitted', 'collect', 'collected']);
    expect((await expectedFiles(repo, tasks)).filter((f) => !f.ok)).toEqual([]);
  }, 120_000);
});
