/**
 * Targets are checked before anything is paid for: a path git ignores, a target that cannot be
 * written (a directory, a path through a file, a link out of the repo, a link itself), tasks that
 * are one file once resolved: `run` and `init` stop with exit 2 listing every bad line, and nothing
 * is submitted, written, committed or left staged. With `ignoredTargets: 'write-uncommitted'` an
 * ignored target is written and left out of the commits.
 */
import { existsSync } from 'node:fs';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git, makeRepo } from '../helpers/git.js';
import { makeTempDir } from '../helpers/tmp.js';
import { commitSubjects, statusJson, taskListText } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const list = (paths: string[]) => taskListText(paths.map((p) => ({ path: p, description: `the file ${p}`, group: 'G' })));
/** Task lines start on line 5 of taskListText (title, blank, heading, blank). */
const lineOf = (k: number) => 5 + k;

describe('targets checked before any spend', () => {
  it('run: a target .gitignore covers is refused (exit 2, its line), nothing submitted, nothing staged', async () => {
    h = await withEmulator();
    const repo = await makeRepo({ '.gitignore': 'dist/\n', 'task-list.md': list(['src/a.ts', 'dist/out.js']) });
    const before = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`task-list.md:${lineOf(1)}: dist/out.js is ignored by .gitignore`);
    expect(r.stderr).toMatch(/ignoredTargets: 'write-uncommitted'/);
    expect(h.emulator.stats().batchesCreated).toBe(0);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(repo, 'diff', '--cached', '--name-only')).toBe('');
    expect(existsSync(path.join(repo, 'src/a.ts'))).toBe(false);
  });

  it("ignoredTargets: 'write-uncommitted': the ignored file is written and done, the rest committed, nothing staged", async () => {
    h = await withEmulator();
    const repo = await makeRepo({
      '.gitignore': 'dist/\n',
      'harness.config.mjs': "export default { ignoredTargets: 'write-uncommitted' };\n",
      'task-list.md': list(['src/a.ts', 'dist/out.js']),
    });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 target\(s\) ignored by git will be written but not committed/);
    expect(await readFile(path.join(repo, 'dist/out.js'), 'utf8')).toMatch(/\S/);
    expect(git(repo, 'log', '--format=', '--name-only').split('\n')).not.toContain('dist/out.js');
    expect(git(repo, 'log', '--format=', '--name-only').split('\n')).toContain('src/a.ts');
    expect(git(repo, 'diff', '--cached', '--name-only')).toBe('');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.tasks.map((t: { path: string; status: string }) => [t.path, t.status])).toEqual([
      ['src/a.ts', 'done'],
      ['dist/out.js', 'done'],
    ]);
  });

  it('run: every unwritable target is listed at once, before anything is submitted', async () => {
    h = await withEmulator();
    const outside = await makeTempDir('harness-outside-');
    const tasks = [
      'src/ok.ts', // fine
      'src/dir', // a directory
      'src/a.ts/b.ts', // through a file
      'out/x.ts', // through a link leading out of the repo
      'src/link.ts', // a link itself
      'inner/same.ts', // the same file as src/same.ts (inner -> src)
      'src/same.ts',
      'gen/a', // a file another task needs as a directory
      'gen/a/b.ts',
      'src/Case.ts', // differs only in case
      'src/case.ts',
    ];
    const repo = await makeRepo({ 'src/a.ts': 'export {};\n', 'src/dir/keep.txt': 'x\n', 'src/real.ts': 'x\n', 'task-list.md': list(tasks) });
    await symlink(outside, path.join(repo, 'out'));
    await symlink('real.ts', path.join(repo, 'src/link.ts'));
    await symlink('src', path.join(repo, 'inner'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'links');
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.includes('task-list.md:'));
    expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      `task-list.md:${lineOf(1)}: cannot write src/dir: the target is a directory`,
      `task-list.md:${lineOf(2)}: cannot write src/a.ts/b.ts: a.ts is not a directory`,
      `task-list.md:${lineOf(3)}: cannot write out/x.ts: the path leads outside the output root through a symbolic link`,
      `task-list.md:${lineOf(4)}: cannot write src/link.ts: the target is a symbolic link`,
      `task-list.md:${lineOf(6)}: src/same.ts is the same file as inner/same.ts (line ${lineOf(5)})`,
      `task-list.md:${lineOf(8)}: gen/a/b.ts needs gen/a to be a directory, but gen/a is a task too (line ${lineOf(7)})`,
      `task-list.md:${lineOf(10)}: src/case.ts differs from src/Case.ts (line ${lineOf(9)}) only in case: one file on macOS and Windows`,
    ]);
    expect(r.stderr).toMatch(/nothing was submitted/);
    expect(h.emulator.stats().batchesCreated).toBe(0);
    expect(existsSync(path.join(repo, 'src/ok.ts'))).toBe(false);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('init: a plan with an unwritable or ignored target is refused before it is committed or submitted', async () => {
    h = await withEmulator();
    const repo = await makeRepo({
      '.gitignore': 'build/\n',
      'src/a.ts': 'export {};\n',
      'task-list.md': list(['src/b.ts', 'src/a.ts/c.ts', 'build/x.js']),
    });
    const subjects = commitSubjects(repo);
    const r = await h.run(repo, 'init');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`task-list.md:${lineOf(1)}: cannot write src/a.ts/c.ts: a.ts is not a directory`);
    expect(r.stderr).toContain(`task-list.md:${lineOf(2)}: build/x.js is ignored by .gitignore`);
    expect(commitSubjects(repo)).toEqual(subjects);
    expect(h.emulator.stats().batchesCreated).toBe(0);
    expect(git(repo, 'diff', '--cached', '--name-only')).toBe('');
  });

  it('a task written ./src/a.ts is src/a.ts; several bad lines are all reported', async () => {
    h = await withEmulator();
    const repo = await makeRepo({ 'task-list.md': '# T\n\n- [ ] `./src/a.ts` — a\n' });
    const ok = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(path.join(repo, 'src/a.ts'))).toBe(true);
    expect((await statusJson((...a) => h!.run(repo, ...a))).tasks[0]).toMatchObject({ path: 'src/a.ts', status: 'done' });

    await writeFile(path.join(repo, 'task-list.md'), '# T\n\n- [ ] no path\n- [ ] `../up.ts` — x\n- [ ] `b.ts` — b\n- [ ] `./b.ts` — again\n');
    const bad = await h.run(repo, 'run');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('task-list.md:3: task has no path');
    expect(bad.stderr).toContain('task-list.md:4: unsafe path "../up.ts": path leaves the output root (..)');
    expect(bad.stderr).toContain('task-list.md:6: duplicate path "b.ts" (first on line 5)');
  });

  it('status shows a task ticked by hand as skipped (still done in the counts), and one the harness generated as done', async () => {
    h = await withEmulator();
    const repo = await makeRepo({ 'task-list.md': '# T\n\n- [ ] `src/a.ts` — a\n- [x] `src/b.ts` — ticked by hand\n' });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.tasks.map((t: { path: string; status: string; skipped: boolean }) => [t.path, t.status, t.skipped])).toEqual([
      ['src/a.ts', 'done', false],
      ['src/b.ts', 'done', true],
    ]);
    expect(s.counts).toMatchObject({ done: 2 });
    const table = await h.run(repo, 'status');
    expect(table.stdout).toMatch(/src\/b\.ts\s+skipped/);
    expect(table.stdout).toMatch(/src\/a\.ts\s+done/);
    expect(table.stdout).toMatch(/2 done \(1 of them skipped: ticked by hand, never generated\)/);
    expect(existsSync(path.join(repo, 'src/b.ts'))).toBe(false);
  });
});
