import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRepo } from '../../src/git/repo.js';
import { git, makeRepo } from '../helpers/git.js';

describe('git port', () => {
  it('commits only the given paths, leaving staged and unstaged changes of the person alone', async () => {
    const dir = await makeRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    await writeFile(path.join(dir, 'a.txt'), 'person edit\n');
    git(dir, 'add', 'a.txt'); // staged by the person
    await writeFile(path.join(dir, 'b.txt'), 'unstaged edit\n');
    await writeFile(path.join(dir, 'gen.ts'), 'generated\n');
    await writeFile(path.join(dir, '*.ts'), 'odd name\n');
    const repo = await openRepo(dir);
    const hash = await repo.commit(['gen.ts', '*.ts'], 'harness: collect b1 (2 files)', { 'Harness-Batch': 'b1', 'Harness-Cost-USD': '0.0100' });
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
    expect(git(dir, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort()).toEqual(['*.ts', 'gen.ts']);
    expect(git(dir, 'log', '-1', '--format=%B')).toBe('harness: collect b1 (2 files)\n\nHarness-Batch: b1\nHarness-Cost-USD: 0.0100\n\n');
    expect(git(dir, 'log', '-1', '--format=%(trailers:key=Harness-Batch,valueonly)').trim()).toBe('b1');
    // The person's staged change is still staged, the unstaged one still unstaged.
    expect(git(dir, 'diff', '--cached', '--name-only').trim()).toBe('a.txt');
    expect(git(dir, 'diff', '--name-only').trim()).toBe('b.txt');
    expect(await repo.findCommitWithTrailer('Harness-Batch', 'b1')).toBe(hash);
    expect(await repo.findCommitWithTrailer('Harness-Batch', 'b2')).toBeNull();
  });

  it('returns null when nothing changed, and lists dirty paths', async () => {
    const dir = await makeRepo({ 'a.txt': 'a\n', 'c/d.txt': 'd\n' });
    const repo = await openRepo(dir);
    expect(await repo.commit(['a.txt'], 'nothing')).toBeNull();
    await writeFile(path.join(dir, 'a.txt'), 'changed\n');
    await writeFile(path.join(dir, 'new.txt'), 'new\n');
    expect((await repo.dirtyPaths(['a.txt', 'c/d.txt', 'new.txt', 'absent.txt'])).sort()).toEqual(['a.txt', 'new.txt']);
  });

  it('runs git init when asked and makes the first commit', async () => {
    const dir = await makeRepo({ 'x.md': 'x\n' }, { git: false });
    const repo = await openRepo(dir, { init: true });
    expect(await repo.commit(['x.md'], 'first')).toMatch(/^[0-9a-f]{40}$/);
    expect(await repo.log()).toHaveLength(1);
  });
});
