/**
 * Ignored paths and failed commits in the git port: a path .gitignore covers is reported (one
 * `git check-ignore` for all) and left out of a harness commit instead of failing it; a commit that
 * fails leaves the person's index exactly as it was (nothing of the harness's staged).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRepo } from '../../src/git/repo.js';
import { git, makeRepo } from '../helpers/git.js';

const staged = (dir: string): string[] => git(dir, 'diff', '--cached', '--name-only').split('\n').filter(Boolean).sort();

describe('git port: ignored paths', () => {
  it('checkIgnored names the ignored paths and the rule, never a tracked file, never a re-included one', async () => {
    const dir = await makeRepo({
      '.gitignore': '# build output\ndist/\n*.log\n!keep.log\n',
      'src/a.ts': 'a\n',
      'tracked.log': 'tracked before the rule\n',
    });
    git(dir, 'add', '-f', 'tracked.log');
    git(dir, 'commit', '-qm', 'track a log');
    await writeFile(path.join(dir, '.git/info/exclude'), 'local-only.txt\n');
    const repo = await openRepo(dir);
    const ignored = await repo.checkIgnored([
      'src/a.ts',
      'dist/out.js',
      'src/new.ts',
      'debug.log',
      'keep.log',
      'tracked.log',
      'local-only.txt',
      'odd *.ts',
    ]);
    expect(ignored).toEqual([
      { path: 'dist/out.js', source: '.gitignore', line: 2, pattern: 'dist/' },
      { path: 'debug.log', source: '.gitignore', line: 3, pattern: '*.log' },
      { path: 'local-only.txt', source: '.git/info/exclude', line: 1, pattern: 'local-only.txt' },
    ]);
    expect(await repo.checkIgnored([])).toEqual([]);
    expect(await repo.checkIgnored(['src/a.ts'])).toEqual([]);
  });

  it('outside a repository nothing is ignored', async () => {
    const dir = await makeRepo({ '.gitignore': 'dist/\n' }, { git: false });
    expect(await (await openRepo(dir)).checkIgnored(['dist/out.js'])).toEqual([]);
  });

  it('a commit that includes an ignored path commits the rest and leaves nothing staged', async () => {
    const dir = await makeRepo({ '.gitignore': 'dist/\n', 'task-list.md': '# T\n' });
    await mkdir(path.join(dir, 'dist'));
    await writeFile(path.join(dir, 'dist/out.js'), 'generated\n');
    await writeFile(path.join(dir, 'src.ts'), 'generated too\n');
    await writeFile(path.join(dir, 'task-list.md'), '# T\n- [x] `dist/out.js`\n');
    const repo = await openRepo(dir);
    const hash = await repo.commit(['dist/out.js', 'src.ts', 'task-list.md'], 'harness: collect b1 (2 files)');
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
    expect(git(dir, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort()).toEqual(['src.ts', 'task-list.md']);
    expect(staged(dir)).toEqual([]);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(await readFile(path.join(dir, 'dist/out.js'), 'utf8')).toBe('generated\n');
    // Only ignored paths: nothing to commit, nothing staged.
    await writeFile(path.join(dir, 'dist/out.js'), 'again\n');
    expect(await repo.commit(['dist/out.js'], 'nothing')).toBeNull();
    expect(staged(dir)).toEqual([]);
  });
});

describe('git port: a failed commit', () => {
  it("puts the index back as it was: the harness files unstaged, the person's staged change still staged", async () => {
    const dir = await makeRepo({ 'a.txt': 'a\n', 'task-list.md': '# T\n' });
    await writeFile(path.join(dir, 'a.txt'), 'person edit\n');
    git(dir, 'add', 'a.txt');
    await writeFile(path.join(dir, 'gen.ts'), 'generated\n');
    await writeFile(path.join(dir, 'task-list.md'), '# T\n- [x] `gen.ts`\n');
    // Commits are signed with a program that always fails: git commit fails after the paths were staged.
    git(dir, 'config', 'commit.gpgsign', 'true');
    git(dir, 'config', 'gpg.program', 'false');
    const before = await readFile(path.join(dir, '.git/index'));
    const head = git(dir, 'rev-parse', 'HEAD');
    const repo = await openRepo(dir);
    await expect(repo.commit(['gen.ts', 'task-list.md'], 'harness: collect b1 (1 files)')).rejects.toMatchObject({ code: 'GIT' });
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(staged(dir)).toEqual(['a.txt']);
    expect(await readFile(path.join(dir, '.git/index'))).toEqual(before);
    expect(await readFile(path.join(dir, 'gen.ts'), 'utf8')).toBe('generated\n');
  });

  it('before the first commit, a failed commit leaves no index behind', async () => {
    const dir = await makeRepo({}, { commit: false });
    await writeFile(path.join(dir, 'gen.ts'), 'generated\n');
    git(dir, 'config', 'commit.gpgsign', 'true');
    git(dir, 'config', 'gpg.program', 'false');
    const repo = await openRepo(dir);
    await expect(repo.commit(['gen.ts'], 'first')).rejects.toMatchObject({ code: 'GIT' });
    expect(staged(dir)).toEqual([]);
    expect(git(dir, 'status', '--porcelain')).toBe('?? gen.ts\n');
  });
});
