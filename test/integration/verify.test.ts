/**
 * Verify and repair end to end, against the emulator: a verify command (a node
 * script in the temp repo) that names a generated file sends that task back for repair, and the
 * run ends with exit 0 once it passes; a failure naming no task, a timeout, or a task out of
 * repairs end the run with exit 3.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defectResponder } from '../../src/emulator/index.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git } from '../helpers/git.js';
import { commitSubjects, makeTarget, statusJson } from '../helpers/target.js';
import { makeTempDir } from '../helpers/tmp.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const config = (verify: Record<string, unknown>) =>
  `export default { cache: { warmup: false }, verify: ${JSON.stringify({ command: 'node check.mjs', ...verify })} };\n`;

/** A check that fails naming `src/models/user.ts` on its first `failures` runs (a counter file outside the repo), then passes. */
async function check(failures: number, line = "src/models/user.ts(1,1): error TS1005: ';' expected."): Promise<string> {
  const counter = path.join(await makeTempDir('verify-counter-'), 'runs');
  return `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const counter = ${JSON.stringify(counter)};
const runs = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0;
writeFileSync(counter, String(runs + 1));
if (runs < ${failures}) { console.log(${JSON.stringify(line)}); process.exit(2); }
console.log('ok');
`;
}

/** Each batch's paths from the journal, in submit order. */
async function batchPaths(repo: string): Promise<string[][]> {
  const lines = (await readFile(path.join(repo, '.harness', 'journal.jsonl'), 'utf8')).trim().split('\n');
  const events = lines.map((l) => JSON.parse(l) as { type: string; purpose?: string; requests?: { paths: string[] }[] });
  return events.filter((e) => e.type === 'intent' && e.purpose !== 'warmup').map((e) => e.requests!.flatMap((r) => r.paths));
}

describe('verify and repair', () => {
  it('a named task goes back to pending, is asked again alone, and the run ends with exit 0 once the check passes', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { 'harness.config.mjs': config({}), 'check.mjs': await check(1) } });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const batches = await batchPaths(repo);
    expect(batches.at(-1)).toEqual(['src/models/user.ts']);
    const subjects = commitSubjects(repo);
    expect(subjects).toContain('harness: verify (1 to repair)');
    expect(subjects[0]).toBe('harness: verify (passed)');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.tasks.every((t: { status: string }) => t.status === 'done')).toBe(true);
    expect(s.verify).toMatchObject({ command: 'node check.mjs', passed: true, failing: [] });
  });

  it('harness verify runs the command now and marks the named task, submitting nothing', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { 'harness.config.mjs': config({}), 'check.mjs': await check(0) } });
    const run = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(run.code, run.stderr).toBe(0);
    await writeFile(path.join(repo, 'check.mjs'), await check(1));
    git(repo, 'commit', '-qam', 'check again');
    const r = await h.run(repo, 'verify');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('verify: 1 to repair');
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.tasks.find((t: { path: string }) => t.path === 'src/models/user.ts').status).toBe('pending');
    expect(h.emulator.stats().batchesCreated).toBe(1);
  });

  it('a failure naming no task ends the run with exit 3 and shows the output', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { 'harness.config.mjs': config({}), 'check.mjs': await check(9, 'something else broke') } });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toContain('something else broke');
    expect(await batchPaths(repo)).toHaveLength(1);
    expect(commitSubjects(repo)[0]).toBe('harness: verify (failed, no task named)');
  });

  it('a timeout ends the run with exit 3', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { 'harness.config.mjs': config({ command: 'sleep 60', timeoutMs: 500 }) } });
    const started = Date.now();
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code).toBe(3);
    // Far less than the command's 60 s, even on a loaded machine: it was killed at its timeout.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(commitSubjects(repo)[0]).toBe('harness: verify (timed out)');
  });

  it('a task out of repairs fails with the last diagnostic as its reason, exit 3', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { 'harness.config.mjs': config({ repairs: 1 }), 'check.mjs': await check(9) } });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code).toBe(3);
    expect(await batchPaths(repo)).toHaveLength(2);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    const user = s.tasks.find((t: { path: string }) => t.path === 'src/models/user.ts');
    expect(user.status).toBe('failed');
    expect(user.reason).toContain("error TS1005: ';' expected.");
    expect(s.verify).toMatchObject({ command: 'node check.mjs', passed: false, failing: ['src/models/user.ts'] });
    const human = await h.run(repo, 'status');
    expect(human.stdout).toContain('verify failed');
  });

  it("repairWith 'sync': the named file is asked again with one streaming call, committed like refine, its cost counted as repair", async () => {
    const user = 'src/models/user.ts';
    const diagnostic = `${user}(3,1): error TS1005: ';' expected.`;
    h = await withEmulator({ responder: defectResponder({ path: user, diagnostic }) });
    // The check prints the diagnostic from two halves: the check is in the codebase every request carries.
    const script = `import { readFileSync } from 'node:fs';
if (readFileSync(${JSON.stringify(user)}, 'utf8').includes('DEFECT')) { console.log(${JSON.stringify(diagnostic.slice(0, 20))} + ${JSON.stringify(diagnostic.slice(20))}); process.exit(2); }
`;
    const repo = await makeTarget({ files: { 'harness.config.mjs': config({ repairWith: 'sync' }), 'check.mjs': script } });
    const posts = () => h!.emulator.log().filter((e) => e.method === 'POST' && e.path === '/v1/messages').length;
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(await readFile(path.join(repo, user), 'utf8')).not.toContain('DEFECT');
    expect(h.emulator.stats().batchesCreated).toBe(1);
    expect(posts()).toBe(1);
    expect(commitSubjects(repo).slice(0, 3)).toEqual(['harness: verify (passed)', `harness: repair ${user}`, 'harness: verify (1 to repair)']);
    expect(git(repo, 'log', '-1', '--skip=1', '--format=%B')).toMatch(/Harness-Cost-USD: /);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.calls.map((c: { purpose: string; path: string }) => [c.purpose, c.path])).toEqual([['repair', user]]);
    expect(s.repair_cost_usd).toBeCloseTo(s.calls[0].cost_usd, 6);
    expect(s.repair_cost_usd).toBeGreaterThan(0);
    const json = JSON.parse((await h.run(repo, 'run', '--json')).stdout);
    expect(json).toMatchObject({ exit_code: 0, collected: [], submitted: [], verify: { passed: true, failing: [] } });
  });
});
