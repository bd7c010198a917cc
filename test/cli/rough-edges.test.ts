/**
 * Mistakes a person makes on day one get exit 2 naming the flag (never "internal error"), `--json`
 * always prints one JSON document, a closed stdout ends output quietly, and counts read right.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/git.js';
import { runCli, startCli } from '../helpers/cli.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { makeTarget } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const OFFLINE = { ANTHROPIC_BASE_URL: 'http://127.0.0.1:1', ANTHROPIC_API_KEY: 'k' };

describe('user mistakes are exit 2 naming the flag', () => {
  it('--repo that does not exist, or is a file', async () => {
    for (const command of ['status', 'run', 'init', 'estimate']) {
      const r = await runCli([command, '--repo', '/nonexistent/dir'], { env: OFFLINE });
      expect(r.code, command).toBe(2);
      expect(r.stderr).toContain('--repo /nonexistent/dir: no such directory');
      expect(r.stderr).not.toMatch(/internal error|please report/);
    }
    const dir = await makeRepo({ 'a.txt': 'a\n' });
    const r = await runCli(['status', '--repo', path.join(dir, 'a.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--repo .*a\.txt: not a directory/);
  });

  it('--once and --detach together are refused before anything', async () => {
    const repo = await makeTarget();
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await runCli(['run', '--once', '--detach', '--repo', repo], { env: OFFLINE });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--once and --detach cannot be used together/);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('a bad --model or --max-tokens is blamed on the flag, not on "defaults" or the config file', async () => {
    const repo = await makeTarget({ files: { 'harness.config.mjs': "export default { model: 'claude-haiku-4-5', maxTokens: 8000 };\n" } });
    const model = await runCli(['run', '--model', 'no-such-model', '--repo', repo], { env: OFFLINE });
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/^✖ --model: unknown model "no-such-model"/m);
    const tokens = await runCli(['run', '--max-tokens', '100000', '--repo', repo], { env: OFFLINE });
    expect(tokens.code).toBe(2);
    expect(tokens.stderr).toMatch(/^✖ --max-tokens: maxTokens 100000 is too large for Claude Haiku 4\.5/m);
    expect(tokens.stderr).toMatch(/pass --max-tokens at most 64000/);
    expect(tokens.stderr).not.toMatch(/defaults:|harness\.config\.mjs:/);
    const zero = await runCli(['estimate', '--max-tokens', '0', '--repo', repo], { env: OFFLINE });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--max-tokens needs a whole number of at least 1, got "0"/);
  });
});

describe('--json without a task list', () => {
  it('status --json and estimate --json print one JSON document with an error field, exit 2', async () => {
    const dir = await makeRepo({ 'src/a.ts': 'export {};\n' });
    const status = await runCli(['status', '--json', '--repo', dir]);
    expect(status.code).toBe(2);
    const s = JSON.parse(status.stdout);
    expect(s.tasks).toEqual([]);
    expect(s.counts).toEqual({ pending: 0, submitted: 0, done: 0, failed: 0 });
    expect(s.batches).toEqual([]);
    expect(s.error).toMatchObject({ code: 'BAD_TASK_LIST', file: 'task-list.md', exit_code: 2 });
    expect(s.error.message).toMatch(/no task-list\.md/);
    expect(status.stderr).toMatch(/no task-list\.md/);

    const estimate = await runCli(['estimate', '--json', '--repo', dir], { env: OFFLINE });
    expect(estimate.code).toBe(2);
    const e = JSON.parse(estimate.stdout);
    expect(e.error).toMatchObject({ code: 'BAD_TASK_LIST', exit_code: 2 });
    expect(e.batches).toBe(0);
  });

  it('a bad config under --json is one JSON document too', async () => {
    const dir = await makeRepo({ 'task-list.md': '- [ ] `a.ts` — a\n', 'harness.config.mjs': 'export default { maxTokens: "lots" };\n' });
    const r = await runCli(['status', '--json', '--repo', dir]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'BAD_CONFIG', file: 'harness.config.mjs' });
  });
});

describe('output', () => {
  it('harness status | head: a reader that goes away ends the output quietly (no EPIPE stack trace)', async () => {
    let list = '# Tasks\n\n## Files\n\n';
    for (let i = 0; i < 4000; i++) list += `- [ ] \`src/generated/file${i}.ts\` — generated file number ${i}\n`;
    const dir = await makeRepo({ 'task-list.md': list });
    const p = startCli(['status', '--repo', dir]);
    p.child.stdout!.once('data', () => p.child.stdout!.destroy());
    const r = await p.done;
    expect(r.stderr).not.toMatch(/EPIPE|Error:|at .*\(node:/);
    expect(r.code).toBe(0);
  });

  it('FORCE_COLOR=1 colours the table in a pipe and it stays aligned; FORCE_COLOR=0 and TERM=dumb print none', async () => {
    const dir = await makeRepo({ 'task-list.md': '# Tasks\n\n- [ ] `src/a.ts` — a\n- [x] `src/a-much-longer-name.ts` — b\n' });
    const on = await runCli(['status', '--repo', dir], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toMatch(/\x1b\[/);
    const lines = on.stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
    const header = lines.find((l) => l.startsWith('id'))!;
    const rows = lines.filter((l) => l.includes('src/a'));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.indexOf('src/a')).toBe(header.indexOf('path'));
    for (const env of [{ FORCE_COLOR: '0' }, { TERM: 'dumb' }]) {
      const off = await runCli(['status', '--repo', dir], { env: { NO_COLOR: undefined, FORCE_COLOR: undefined, ...env } });
      expect(off.stdout).not.toMatch(/\x1b\[/);
    }
  });

  it('counts read right: "1 batch: 1 file", not "1 batch(es): 1 files"', async () => {
    h = await withEmulator({ processingMs: 100 });
    const repo = await makeTarget({ tasks: [{ path: 'src/one.ts', description: 'the only file', group: 'One' }] });
    expect((await h.run(repo, 'run', '--detach')).code).toBe(3);
    await new Promise((r) => setTimeout(r, 400));
    const r = await h.run(repo, 'collect');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('collected 1 batch: 1 file; 0 still in flight\n');
  });
});

describe('the repository from a subdirectory', () => {
  it('status from a subdirectory finds the task list at the top of the repository; a package with harness files of its own is its own root', async () => {
    const dir = await makeRepo({ 'task-list.md': '# Tasks\n\n- [ ] `src/a.ts` — a\n', 'src/deep/x.ts': 'export {};\n' });
    await mkdir(path.join(dir, 'src/deep/er'), { recursive: true });
    const r = await runCli(['status', '--json'], { cwd: path.join(dir, 'src/deep/er') });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tasks.map((t: { path: string }) => t.path)).toEqual(['src/a.ts']);

    // A package with its own harness files is a root of its own (a monorepo).
    const mono = await makeRepo({
      'task-list.md': '# Tasks\n\n- [ ] `src/top.ts` — top\n',
      'packages/api/task-list.md': '# Tasks\n\n- [ ] `src/api.ts` — api\n',
    });
    await writeFile(path.join(mono, 'packages/api/x.ts'), 'export {};\n');
    const pkg = await runCli(['status'], { cwd: path.join(mono, 'packages/api') });
    expect(pkg.code, pkg.stderr).toBe(0);
    expect(pkg.stdout).toContain('src/api.ts');
    expect(pkg.stdout).not.toContain('src/top.ts');
    expect(pkg.stderr).toBe(''); // the current directory is the root: nothing to say
  });
});
