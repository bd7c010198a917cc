/** Cost: estimate vs bill, the budget cap, the cache warm-up, and `harness refine`. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { cacheableCodebase, commitSubjects, makeTarget, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const codebase = cacheableCodebase;

const inputTotal = (u: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number }) =>
  u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;

describe('cost', () => {
  it('estimate (count_tokens) is within 5% of the billed input tokens', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: codebase() });
    const e = await h.run(repo, 'estimate', '--json', '--max-tokens', '8000');
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.input_source).toBe('count_tokens');
    expect(report.requests).toBe(6);
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    const main = s.batches.find((b: { purpose: string }) => b.purpose === 'tasks');
    const billed = inputTotal(main.usage);
    const estimated = inputTotal(report.estimate.usage);
    expect(Math.abs(estimated - billed) / billed).toBeLessThan(0.05);
    // The run keeps its own (local) estimate with the batch, and the report sets it against the bill.
    // The emulator counts tokens by its own rule, not the harness's: the local estimate must err on
    // the safe side of it (budget caps are checked against it).
    expect(inputTotal(main.estimate_usage)).toBeGreaterThanOrEqual(billed);
    const text = await h.run(repo, 'status');
    expect(text.stdout).toMatch(/Estimate vs bill/);
  });

  it('estimate falls back to the local figure when count_tokens fails, and says so', async () => {
    h = await withEmulator({ faults: { http: [{ path: 'count_tokens', kind: 'status', status: 400, times: 0 }] } });
    const repo = await makeTarget({ files: codebase(4) });
    const e = await h.run(repo, 'estimate');
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/local estimate/);
  });

  it('the budget cap stops before the create call: exit 2 with the numbers, git and journal unchanged, no batch', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { 'harness.config.mjs': 'export default { budget: { perRunUsd: 0.0001 } };\n' } });
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/budget\.perRunUsd \$0\.0001/);
    expect(r.stderr).toMatch(/estimate \$\d/);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(existsSync(path.join(repo, '.harness/journal.jsonl'))).toBe(false);
    expect(h.emulator.stats().batchesCreated).toBe(0);
    expect(h.emulator.log().filter((e) => e.method === 'POST')).toEqual([]);
  });

  it('the total budget counts what the journal says was spent', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: codebase(4) });
    expect((await h.run(repo, 'run')).code).toBe(0);
    const spent = (await statusJson((...a) => h!.run(repo, ...a))).cost_usd;
    const list = path.join(repo, 'task-list.md');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(list, (await readFile(list, 'utf8')).replace('- [x] `test/order.test.ts`', '- [ ] `test/order.test.ts`'));
    await writeFile(path.join(repo, 'harness.config.mjs'), `export default { budget: { totalUsd: ${spent} } };\n`);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'redo one, cap the total');
    const r = await h.run(repo, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/budget\.totalUsd/);
    expect(h.emulator.stats().batchesCreated).toBe(1);
  });

  it('cache warm-up: a one-request batch writes the cache first, every request of the real batch reads it, and it costs less than without', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: codebase() });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.batches.map((b: { purpose: string; requests: number }) => [b.purpose, b.requests])).toEqual([
      ['warmup', 1],
      ['tasks', 6],
    ]);
    expect(s.batches[0].usage.cache_creation_input_tokens).toBeGreaterThan(4096);
    const u = s.batches[1].usage;
    expect(u.cache_creation_input_tokens).toBe(0);
    expect(u.cache_read_input_tokens).toBeGreaterThan(6 * 4096);
    expect(s.cache_read_share).toBeGreaterThan(0.8);
    expect(
      commitSubjects(repo)
        .slice(0, 4)
        .map((x) => x.replace(/msgbatch_\w+/, 'B')),
    ).toEqual(['harness: collect B (6 files)', 'harness: submit B (6 tasks)', 'harness: collect B (0 files)', 'harness: submit B (0 tasks)']);

    // The same job with the warm-up off: the requests that run at once all write the prefix.
    const cold = await makeTarget({
      files: {
        ...codebase(),
        'src/lib/other.ts': 'export const other = 1;\n',
        'harness.config.mjs': 'export default { cache: { warmup: false } };\n',
      },
    });
    expect((await h.run(cold, 'run', '--max-tokens', '8000')).code).toBe(0);
    const c = await statusJson((...a) => h!.run(cold, ...a));
    expect(c.batches).toHaveLength(1);
    expect(c.batches[0].usage.cache_creation_input_tokens).toBeGreaterThan(1 * 4096);
    expect(s.cost_usd).toBeLessThan(c.cost_usd);
  });

  it('refine: one streaming call rewrites one file and commits it', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    expect((await h.run(repo, 'run')).code).toBe(0);
    const before = await readFile(path.join(repo, 'src/models/user.ts'), 'utf8');
    const r = await h.run(repo, 'refine', 'src/models/user.ts', '--message', 'validate the email');
    expect(r.code, r.stderr).toBe(0);
    expect(commitSubjects(repo)[0]).toBe('harness: refine src/models/user.ts');
    const after = await readFile(path.join(repo, 'src/models/user.ts'), 'utf8');
    expect(after).not.toBe(before);
    expect(git(repo, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort()).toEqual(['.harness/journal.jsonl', 'src/models/user.ts']);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.calls.filter((c: { purpose: string }) => c.purpose === 'refine')).toHaveLength(1);
  });

  it('refine: a stream that errors mid-way writes nothing and commits nothing (exit 1)', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    expect((await h.run(repo, 'run')).code).toBe(0);
    const head = git(repo, 'rev-parse', 'HEAD');
    const before = await readFile(path.join(repo, 'src/models/user.ts'), 'utf8');
    h.emulator.setFaults({ http: [{ method: 'POST', path: '^/v1/messages$', kind: 'stream-error', afterChars: 20, times: 0 }] }); // every attempt fails (a single failure is retried)
    const r = await h.run(repo, 'refine', 'src/models/user.ts', '--message', 'validate the email');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/overloaded/);
    expect(await readFile(path.join(repo, 'src/models/user.ts'), 'utf8')).toBe(before);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('refine refuses a path that is not in the task list unless --force', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const r = await h.run(repo, 'refine', 'src/app.ts', '--message', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--force/);
    expect(h.emulator.log()).toEqual([]);
  });
});
