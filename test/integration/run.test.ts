/**
 * `harness run` end to end: the real CLI, a temp git repo, the emulator through ANTHROPIC_BASE_URL.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, commitsPerPath, expectedFiles, makeTarget, statusJson, TASKS } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('harness run against the emulator', () => {
  it('happy path: every file written once, byte-exact, one submit and one collect commit with trailers', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.stderr).not.toMatch(/\berror:/i);
    expect(r.code).toBe(0);
    expect((await expectedFiles(repo)).filter((f) => !f.ok)).toEqual([]);

    const subjects = commitSubjects(repo);
    expect(subjects).toHaveLength(3);
    expect(subjects[0]).toMatch(/^harness: collect msgbatch_\w+ \(6 files\)$/);
    expect(subjects[1]).toMatch(/^harness: submit msgbatch_\w+ \(6 tasks\)$/);
    const batchId = /msgbatch_\w+/.exec(subjects[0]!)![0];
    const trailers = git(repo, 'log', '-1', '--format=%(trailers:only)');
    expect(trailers).toContain(`Harness-Batch: ${batchId}`);
    expect(trailers).toMatch(/Harness-Cost-USD: \d+\.\d+/);
    for (const t of TASKS) expect(commitsPerPath(repo).get(t.path)).toBe(1);
    expect(git(repo, 'status', '--porcelain')).toBe('');

    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.counts).toEqual({ pending: 0, submitted: 0, done: 6, failed: 0 });
    expect(s.batches).toEqual([expect.objectContaining({ id: batchId, status: 'collected', tasks: 6 })]);
    expect(s.usage.output_tokens).toBeGreaterThan(0);
    expect(s.cost_usd).toBeGreaterThan(0);
    expect(h.emulator.stats().batchesCreated).toBe(1);
    // The task list says so too: every line ticked, with its bookkeeping.
    const list = await readFile(path.join(repo, 'task-list.md'), 'utf8');
    expect(list.match(/^- \[x\] /gm)).toHaveLength(6);
  });

  it('a second run with nothing pending submits nothing and exits 0', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    expect((await h.run(repo, 'run')).code).toBe(0);
    const before = commitSubjects(repo).length;
    const again = await h.run(repo, 'run');
    expect(again.code).toBe(0);
    expect(commitSubjects(repo)).toHaveLength(before);
    expect(h.emulator.stats().batchesCreated).toBe(1);
  });

  it('unticking a done task regenerates only that file', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    expect((await h.run(repo, 'run')).code).toBe(0);
    const file = path.join(repo, 'task-list.md');
    const list = await readFile(file, 'utf8');
    await writeFile(file, list.replace('- [x] `src/models/user.ts`', '- [ ] `src/models/user.ts`'));
    await writeFile(path.join(repo, 'src/models/user.ts'), 'hand edit\n');
    git(repo, 'commit', '-qam', 'untick user model');
    const r = await h.run(repo, 'run');
    expect(r.code).toBe(0);
    expect((await expectedFiles(repo)).every((f) => f.ok)).toBe(true);
    const intents = (await readFile(path.join(repo, '.harness/journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'intent');
    expect(intents).toHaveLength(2);
    expect(intents[1].requests.flatMap((q: { paths: string[] }) => q.paths)).toEqual(['src/models/user.ts']);
  });

  it('truncation: only complete files are written; the rest are resubmitted and finished in the next pass', async () => {
    h = await withEmulator({ faults: { results: [{ batch: 1, kind: 'truncate', maxTokens: 120 }] } });
    const repo = await makeTarget();
    const r = await h.run(repo, 'run');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/max_tokens/);
    expect((await expectedFiles(repo)).filter((f) => !f.ok)).toEqual([]);
    expect(h.emulator.stats().batchesCreated).toBe(2);
    const perPath = commitsPerPath(repo);
    for (const t of TASKS) expect(perPath.get(t.path), t.path).toBe(1);
    const subjects = commitSubjects(repo).filter((s) => s.startsWith('harness: collect'));
    expect(subjects).toHaveLength(2);
    const first = Number(/\((\d+) files\)/.exec(subjects[1]!)![1]);
    expect(first).toBeLessThan(6);
    expect(Number(/\((\d+) files\)/.exec(subjects[0]!)![1])).toBe(6 - first);
  });

  it('errored (overloaded) requests are retried; invalid requests fail with the reason and exit 3', async () => {
    h = await withEmulator({
      faults: {
        results: [
          { batch: 1, customId: '^t1-', kind: 'errored', errorType: 'overloaded_error' },
          { customId: '^t2-', kind: 'errored', errorType: 'invalid_request_error' },
        ],
      },
    });
    const repo = await makeTarget();
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code).toBe(3);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    const byPath = new Map(s.tasks.map((t: { path: string }) => [t.path, t]));
    expect(byPath.get('src/models/user.ts')).toMatchObject({ status: 'done', attempts: 2 });
    expect(byPath.get('src/models/order.ts')).toMatchObject({ status: 'failed' });
    expect((byPath.get('src/models/order.ts') as { reason: string }).reason).toMatch(/invalid/);
    expect(s.counts.done).toBe(5);
    expect(existsSync(path.join(repo, 'src/models/order.ts'))).toBe(false);
  });

  it('expired and canceled results go back to pending without using an attempt', async () => {
    h = await withEmulator({
      faults: {
        results: [
          { batch: 1, customId: '^t1-', kind: 'expired' },
          { batch: 1, customId: '^t2-', kind: 'canceled' },
        ],
      },
    });
    const repo = await makeTarget();
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code).toBe(0);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    const byPath = new Map(s.tasks.map((t: { path: string }) => [t.path, t]));
    expect(byPath.get('src/models/user.ts')).toMatchObject({ status: 'done', attempts: 1 });
    expect(byPath.get('src/models/order.ts')).toMatchObject({ status: 'done', attempts: 1 });
    expect(h.emulator.stats().batchesCreated).toBe(2);
  });

  it('tasks over the attempts cap fail with the reason', async () => {
    h = await withEmulator({ faults: { results: [{ customId: '^t1-', kind: 'errored', errorType: 'api_error', times: 0 }] } });
    const repo = await makeTarget();
    await writeFile(path.join(repo, 'harness.config.mjs'), 'export default { attempts: 2, maxTokens: 8000 };\n');
    git(repo, 'add', 'harness.config.mjs');
    git(repo, 'commit', '-qm', 'config');
    const r = await h.run(repo, 'run');
    expect(r.code).toBe(3);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    const t1 = s.tasks.find((t: { id: string }) => t.id === 't1');
    expect(t1).toMatchObject({ status: 'failed', attempts: 2 });
    expect(t1.reason).toMatch(/api_error.*after 2 attempts/);
  });

  it('HTTP faults (529 and 500 on create, 429 with retry-after on polls, a reset) are ridden out', async () => {
    h = await withEmulator({
      faults: {
        http: [
          { method: 'POST', path: '^/v1/messages/batches$', kind: 'status', status: 529 },
          { method: 'GET', path: '^/v1/messages/batches/[^/]+$', kind: 'status', status: 429, retryAfterS: 1, times: 2 },
          { method: 'GET', path: '^/v1/messages/batches/[^/]+$', kind: 'status', status: 500, skip: 2 },
          { method: 'GET', path: '/results$', kind: 'reset' },
        ],
      },
    });
    const repo = await makeTarget();
    const r = await h.run(repo, 'run');
    expect(r.code).toBe(0);
    expect((await expectedFiles(repo)).every((f) => f.ok)).toBe(true);
    expect(h.emulator.stats().batchesCreated).toBe(1);
    const faults = h.emulator.log().filter((e) => e.fault);
    expect(faults.length).toBeGreaterThanOrEqual(4);
  });

  it('--once does one cycle and exits 3 while work is left; --detach submits and exits at once', async () => {
    h = await withEmulator({ processingMs: 400 });
    const repo = await makeTarget();
    const d = await h.run(repo, 'run', '--detach');
    expect(d.code).toBe(3);
    expect(commitSubjects(repo)[0]).toMatch(/^harness: submit /);
    let s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.counts.submitted).toBe(6);
    expect(s.batches[0].status).toBe('in_progress');
    // A detached run later collects what has ended.
    await new Promise((r) => setTimeout(r, 600));
    const again = await h.run(repo, 'run', '--detach');
    expect(again.code).toBe(0);
    s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.counts.done).toBe(6);
  });

  it('a second process on the same repo exits 1 with a clear message while the first works', async () => {
    h = await withEmulator({ processingMs: 6000 });
    const repo = await makeTarget();
    const first = h.start(repo, ['run']);
    // Wait for the first to hold the lock (it has submitted when the submit commit exists).
    for (let i = 0; i < 100 && !commitSubjects(repo)[0]!.startsWith('harness: submit'); i++) await new Promise((r) => setTimeout(r, 50));
    const second = await h.run(repo, 'run');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another harness process .* is working on this repo/);
    expect((await first.done).code).toBe(0);
    expect(h.emulator.stats().batchesCreated).toBe(1);
  });

  it('refuses to overwrite a file with uncommitted changes (exit 2), and --allow-dirty overrides', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { 'src/models/user.ts': 'old\n' } });
    await writeFile(path.join(repo, 'src/models/user.ts'), 'my uncommitted work\n');
    const r = await h.run(repo, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('src/models/user.ts');
    expect(h.emulator.stats().batchesCreated).toBe(0);
    const ok = await h.run(repo, 'run', '--allow-dirty');
    expect(ok.code).toBe(0);
  });
});
