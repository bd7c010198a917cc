/** `harness init` end to end: planners, commits, dry runs, secrets and the context guard. */
import { existsSync, realpathSync } from 'node:fs';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { git, makeRepo } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, statusJson, taskListText, TASKS } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const CODE = {
  'package.json': '{ "name": "target", "type": "module" }\n',
  'src/app.ts': 'export function route(path: string) {\n  return path;\n}\n',
  'src/util/strings.ts': 'export const upper = (s: string) => s.toUpperCase();\n',
};

describe('harness init', () => {
  it('list planner from --spec: commits the task list, submits one batch and exits without waiting', async () => {
    h = await withEmulator({ processingMs: 2000 });
    const repo = await makeRepo({ ...CODE, 'spec.md': taskListText() });
    const r = await h.run(repo, 'init', '--spec', 'spec.md');
    expect(r.code, r.stderr).toBe(0);
    const subjects = commitSubjects(repo);
    expect(subjects[0]).toMatch(/^harness: submit msgbatch_\w+ \(6 tasks\)$/);
    expect(subjects[1]).toBe('harness: plan 6 tasks (list planner)');
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.counts.submitted).toBe(6);
    expect(s.tasks.map((t: { path: string }) => t.path)).toEqual(TASKS.map((t) => t.path));
    expect(h.emulator.stats().batchesCreated).toBe(1);
  });

  it('runs git init on a directory that is not a repository', async () => {
    h = await withEmulator();
    const dir = await makeRepo({ ...CODE, 'spec.md': taskListText() }, { git: false });
    const r = await h.run(dir, 'init', '--spec', 'spec.md', '--no-submit');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(dir, '.git'))).toBe(true);
    expect(commitSubjects(dir)[0]).toBe('harness: plan 6 tasks (list planner)');
    expect(h.emulator.stats().batchesCreated).toBe(0);
  });

  it('mirror planner: one test task per source file matched by the config rule', async () => {
    h = await withEmulator();
    const repo = await makeRepo({
      ...CODE,
      'harness.config.mjs': "export default { planner: 'mirror', mirror: { rules: [{ from: 'src/**/*.ts', to: 'test/{dir}/{name}.test.ts' }] } };\n",
    });
    const r = await h.run(repo, 'init', '--no-submit');
    expect(r.code, r.stderr).toBe(0);
    const list = await readFile(path.join(repo, 'task-list.md'), 'utf8');
    expect(list).toContain('`test/app.test.ts`');
    expect(list).toContain('`test/util/strings.test.ts`');
    const run = await h.run(repo, 'run');
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(path.join(repo, 'test/util/strings.test.ts'))).toBe(true);
  });

  it('llm planner: one streaming call plans the task list from a prose spec, paid and recorded', async () => {
    h = await withEmulator();
    const spec = '# Orders\n\n## Entities\n\n- User: id, email\n- Order: id, userId, items\n';
    const repo = await makeRepo({ ...CODE, 'spec.md': spec });
    const r = await h.run(repo, 'init', '--planner', 'llm', '--spec', 'spec.md', '--no-submit');
    expect(r.code, r.stderr).toBe(0);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.tasks.length).toBeGreaterThanOrEqual(8);
    expect(s.tasks.map((t: { path: string }) => t.path)).toContain('src/models/user.ts');
    expect(s.calls).toEqual([expect.objectContaining({ purpose: 'plan' })]);
    expect(s.cost_usd).toBeGreaterThan(0);
    expect(h.emulator.stats().messages).toBe(1);
    // The llm planner refuses to plan over an existing list.
    const again = await h.run(repo, 'init', '--planner', 'llm', '--spec', 'spec.md');
    expect(again.code).toBe(2);
  });

  it('--dry-run writes the exact requests as JSONL, spends nothing and changes nothing in git', async () => {
    h = await withEmulator();
    const repo = await makeRepo({ ...CODE, 'spec.md': taskListText() });
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'init', '--spec', 'spec.md', '--dry-run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dry run/);
    expect(r.stdout).toMatch(/\$\d/);
    const dir = path.join(repo, '.harness/dry-run');
    const files = await readdir(dir);
    // The requests, and beside them what each request sees of the codebase (docs/json.md#dry-run-files).
    expect(files).toEqual(['batch-001.files.jsonl', 'batch-001.jsonl']);
    const lines = (await readFile(path.join(dir, 'batch-001.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    for (const l of lines) {
      expect(l.custom_id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(l.params.messages[0].content[0].cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    }
    // The cached block is byte-identical in every request; every asked path comes after it.
    expect(new Set(lines.map((l) => l.params.messages[0].content[0].text)).size).toBe(1);
    for (const [i, t] of TASKS.entries()) expect(lines[i].params.messages[0].content[1].text).toContain(`\`${t.path}\``);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(h.emulator.log().filter((e) => e.method === 'POST')).toEqual([]);
  });

  it('a secret in an included file stops init (exit 2) with path:line and kind, never the secret, nothing sent', async () => {
    h = await withEmulator();
    const key = 'AKIA' + 'QWERTYUIOPASDFGH';
    const repo = await makeRepo({
      ...CODE,
      'src/config.ts': `export const region = 'eu';\nexport const awsKey = '${key}';\n`,
      'spec.md': taskListText(),
    });
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'init', '--spec', 'spec.md');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/src\/config\.ts:2/);
    expect(r.stderr + r.stdout).not.toContain(key);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(h.emulator.log()).toEqual([]);
    // The context is written while its secrets are checked: to a file of its own, removed when they
    // are found, with the state folder it was written in.
    expect(existsSync(path.join(repo, '.harness'))).toBe(false);
  });

  it('.env files and keys never reach a request; the environment key never appears in one', async () => {
    h = await withEmulator();
    const repo = await makeRepo({
      ...CODE,
      '.env': 'DB_PASSWORD=hunter2-very-secret\n',
      'certs/server.pem': 'not really a key\n',
      'spec.md': taskListText(),
    });
    const r = await h.run(repo, 'init', '--spec', 'spec.md', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(path.join(repo, '.harness/dry-run/batch-001.jsonl'), 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('not really a key');
    expect(text).not.toContain(h.env.ANTHROPIC_API_KEY);
    expect(text).toContain('src/util/strings.ts');
  });

  it('context.mode full: a context larger than the model window stops with the sizes and what to exclude (exit 2)', async () => {
    h = await withEmulator();
    const big = Array.from({ length: 400 }, (_, i) => `export const value${i} = ${i}; // padding padding padding`).join('\n');
    const repo = await makeRepo({
      ...CODE,
      'src/big/generated.ts': big,
      'spec.md': taskListText(),
      'harness.config.mjs':
        "export default { model: 'tiny-model', models: { 'tiny-model': { contextWindow: 60000, maxOutput: 8000, extendedMaxOutput: null, prices: { input: 1, output: 5 } } }, maxTokens: 8000, context: { mode: 'full' } };\n",
    });
    const r = await h.run(repo, 'init', '--spec', 'spec.md');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/src\/big/);
    expect(h.emulator.log()).toEqual([]);
  });

  it('refuses to start when a path it would write has uncommitted changes, naming it', async () => {
    h = await withEmulator();
    const repo = await makeRepo({ ...CODE, 'src/models/user.ts': 'v1\n', 'spec.md': taskListText() });
    await writeFile(path.join(repo, 'src/models/user.ts'), 'v2, uncommitted\n');
    const r = await h.run(repo, 'init', '--spec', 'spec.md');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('src/models/user.ts');
    expect(h.emulator.stats().batchesCreated).toBe(0);
  });

  it('llm planner on a dirty repo: the paid plan is kept in task-list.md, the message says how to go on, nothing is paid twice', async () => {
    h = await withEmulator();
    const spec = '# Orders\n\n## Entities\n\n- User: id, email\n- Order: id, userId, items\n';
    const repo = await makeRepo({ ...CODE, 'spec.md': spec, 'src/models/user.ts': 'export const v = 1;\n' });
    await writeFile(path.join(repo, 'src/models/user.ts'), 'export const v = 2; // my uncommitted edit\n');
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'init', '--planner', 'llm', '--spec', 'spec.md');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('src/models/user.ts');
    expect(r.stderr).toMatch(/the plan you paid for \(\$[\d.]+\) is kept in task-list\.md/);
    expect(r.stderr).toContain('harness init --planner list');
    expect(h.emulator.stats().messages).toBe(1);
    expect(h.emulator.stats().batchesCreated).toBe(0);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    const list = await readFile(path.join(repo, 'task-list.md'), 'utf8');
    expect(list).toContain('`src/models/user.ts`');
    // The person's edit is untouched.
    expect(await readFile(path.join(repo, 'src/models/user.ts'), 'utf8')).toContain('my uncommitted edit');

    // Commit the edit, then go on from the kept plan: no second planner call.
    git(repo, 'commit', '-q', '-am', 'my edit');
    const next = await h.run(repo, 'init', '--planner', 'list', '--no-submit');
    expect(next.code, next.stderr).toBe(0);
    expect(commitSubjects(repo)[0]).toMatch(/^harness: plan \d+ tasks \(list planner\)$/);
    expect(h.emulator.stats().messages).toBe(1);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.calls).toEqual([expect.objectContaining({ purpose: 'plan' })]); // the spend is on record
  });

  it('a merge in progress: init and run refuse before anything (exit 2), the index and the work tree untouched', async () => {
    h = await withEmulator();
    const repo = await makeRepo({ ...CODE, 'spec.md': taskListText(), 'notes.txt': 'base\n' });
    git(repo, 'checkout', '-q', '-b', 'other');
    await writeFile(path.join(repo, 'notes.txt'), 'theirs\n');
    git(repo, 'commit', '-q', '-am', 'theirs');
    git(repo, 'checkout', '-q', 'main');
    await writeFile(path.join(repo, 'notes.txt'), 'ours\n');
    git(repo, 'commit', '-q', '-am', 'ours');
    expect(() => git(repo, 'merge', '-q', 'other')).toThrow(); // a real conflict
    const before = { index: git(repo, 'ls-files', '-s'), status: git(repo, 'status', '--porcelain'), head: git(repo, 'rev-parse', 'HEAD') };
    for (const args of [['init', '--spec', 'spec.md'], ['run']]) {
      const r = await h.run(repo, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/a merge is in progress in .*: harness commits would be mixed into it; nothing was changed/);
      expect(r.stderr).toContain('git merge --abort');
      expect({ index: git(repo, 'ls-files', '-s'), status: git(repo, 'status', '--porcelain'), head: git(repo, 'rev-parse', 'HEAD') }).toEqual(
        before,
      );
      expect(existsSync(path.join(repo, '.harness'))).toBe(false);
      expect(existsSync(path.join(repo, 'task-list.md'))).toBe(false);
    }
    expect(h.emulator.log()).toEqual([]);
  });

  it('a detached HEAD: the run works and warns that its commits are on no branch, saying how to keep them', async () => {
    h = await withEmulator();
    const repo = await makeRepo({ ...CODE, 'spec.md': taskListText() });
    git(repo, 'checkout', '-q', '--detach');
    const r = await h.run(repo, 'init', '--spec', 'spec.md', '--no-submit');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/HEAD is detached \(at [0-9a-f]+\): the harness's commits will be on no branch/);
    expect(r.stderr).toContain('git switch -c');
    expect(commitSubjects(repo)[0]).toBe('harness: plan 6 tasks (list planner)');
  });

  it('from a subdirectory without --repo, init works at the top of the enclosing repository and says so', async () => {
    h = await withEmulator();
    const repo = await makeRepo({ ...CODE, 'spec.md': taskListText() });
    const r = await runCli(['init', '--spec', 'spec.md', '--no-submit'], { cwd: path.join(repo, 'src'), env: h.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`working in ${realpathSync(repo)}`);
    expect(existsSync(path.join(repo, 'task-list.md'))).toBe(true);
    expect(existsSync(path.join(repo, 'src/task-list.md'))).toBe(false);
    // Later commands from the subdirectory find the same root.
    const s = await runCli(['status', '--json'], { cwd: path.join(repo, 'src'), env: h.env });
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).tasks).toHaveLength(6);
  });

  it('a failed init leaves the repo as it was: no .harness/ folder, no task list, no commit', async () => {
    h = await withEmulator();
    const key = 'AKIA' + 'QWERTYUIOPASDFGH';
    const repo = await makeRepo({ ...CODE, 'src/config.ts': `export const awsKey = '${key}';\n`, 'spec.md': taskListText() });
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'init', '--spec', 'spec.md');
    expect(r.code).toBe(2);
    expect(existsSync(path.join(repo, '.harness'))).toBe(false);
    expect(existsSync(path.join(repo, 'task-list.md'))).toBe(false);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it("the person's git hooks: skipped by default and said so; with git.hooks on, a rejecting hook stops init with its output, nothing staged or committed", async () => {
    h = await withEmulator();
    const repo = await makeRepo({ ...CODE, 'spec.md': taskListText() });
    const hook = path.join(repo, '.git/hooks/pre-commit');
    await writeFile(hook, '#!/bin/sh\necho "prettier: task-list.md is not formatted" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    const head = git(repo, 'rev-parse', 'HEAD');

    await writeFile(path.join(repo, 'harness.config.mjs'), 'export default { git: { hooks: true } };\n');
    git(repo, 'add', 'harness.config.mjs');
    git(repo, 'commit', '-q', '--no-verify', '-m', 'config');
    const on = await h.run(repo, 'init', '--spec', 'spec.md', '--no-submit');
    expect(on.code).toBe(1);
    expect(on.stderr).toContain('prettier: task-list.md is not formatted');
    expect(on.stderr).toContain('git: { hooks: false }');
    expect(git(repo, 'diff', '--cached', '--name-only')).toBe('');
    expect(commitSubjects(repo)[0]).toBe('config');

    await writeFile(path.join(repo, 'harness.config.mjs'), 'export default { git: { hooks: false } };\n');
    git(repo, 'commit', '-q', '--no-verify', '-am', 'hooks off');
    const off = await h.run(repo, 'init', '--spec', 'spec.md', '--no-submit');
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toMatch(/git hooks \(pre-commit\) are not run on harness commits/);
    expect(commitSubjects(repo)[0]).toBe('harness: plan 6 tasks (list planner)');
    expect(git(repo, 'rev-parse', 'HEAD~3')).toBe(head);
  });
});
