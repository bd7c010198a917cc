/** What git is in the middle of (refused before anything), detached HEADs, and the person's hooks. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertNoGitOperation, readGitState } from '../../src/git/git-state.js';
import { commitHooks } from '../../src/git/hooks.js';
import { openRepo } from '../../src/git/repo.js';
import { HarnessError } from '../../src/shared/errors.js';
import { git, gitEnv, makeRepo } from '../helpers/git.js';

/** Runs git quietly; true when it failed (a conflict stops the operation half-way, as wanted here). */
function fails(dir: string, ...args: string[]): boolean {
  try {
    execFileSync('git', args, { cwd: dir, env: { ...process.env, ...gitEnv }, stdio: 'pipe' });
    return false;
  } catch {
    return true;
  }
}

/** A repo whose `main` and `other` branches both changed notes.txt. */
async function diverged(): Promise<string> {
  const dir = await makeRepo({ 'notes.txt': 'base\n', 'a.txt': 'a\n' });
  git(dir, 'checkout', '-q', '-b', 'other');
  await writeFile(path.join(dir, 'notes.txt'), 'theirs\n');
  git(dir, 'commit', '-q', '-am', 'theirs');
  git(dir, 'checkout', '-q', 'main');
  await writeFile(path.join(dir, 'notes.txt'), 'ours\n');
  git(dir, 'commit', '-q', '-am', 'ours');
  return dir;
}

function refusal(state: Awaited<ReturnType<typeof readGitState>>): HarnessError {
  try {
    assertNoGitOperation(state);
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('git state', () => {
  it('a clean repo on a branch: nothing in progress, not detached', async () => {
    const dir = await makeRepo({ 'a.txt': 'a\n' });
    const s = await readGitState(dir);
    expect(s).toMatchObject({ isRepo: true, operation: null, unmerged: [], detachedAt: null });
    expect(s.head).toMatch(/^[0-9a-f]{40}$/);
    expect(() => assertNoGitOperation(s)).not.toThrow();
  });

  it('outside a repository, and before the first commit', async () => {
    const plain = await makeRepo({ 'a.txt': 'a\n' }, { git: false });
    expect(await readGitState(plain)).toMatchObject({ isRepo: false, top: null, head: null });
    const fresh = await makeRepo({}, { commit: false });
    expect(await readGitState(fresh)).toMatchObject({ isRepo: true, head: null, detachedAt: null, operation: null });
  });

  it('a conflicted merge is refused (exit 2) naming the way out', async () => {
    const dir = await diverged();
    expect(fails(dir, 'merge', '-q', 'other')).toBe(true);
    const s = await readGitState(dir);
    expect(s.operation).toBe('merge');
    expect(s.unmerged).toEqual(['notes.txt']);
    const e = refusal(s);
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^a merge is in progress in /);
    expect(e.hint).toContain('git merge --abort');
  });

  it('a cherry-pick, a rebase, a revert and a bisect in progress are named', async () => {
    const pick = await diverged();
    expect(fails(pick, 'cherry-pick', 'other')).toBe(true);
    expect(refusal(await readGitState(pick)).hint).toContain('git cherry-pick --abort');

    const rebase = await diverged();
    expect(fails(rebase, 'rebase', '-q', 'other')).toBe(true);
    expect((await readGitState(rebase)).operation).toBe('rebase');
    expect(refusal(await readGitState(rebase)).hint).toContain('git rebase --abort');

    const revert = await diverged();
    await writeFile(path.join(revert, 'notes.txt'), 'ours again\n');
    git(revert, 'commit', '-q', '-am', 'again');
    expect(fails(revert, 'revert', '--no-edit', 'HEAD~1')).toBe(true);
    expect((await readGitState(revert)).operation).toBe('revert');

    const bisect = await diverged();
    git(bisect, 'bisect', 'start');
    expect((await readGitState(bisect)).operation).toBe('bisect');
    expect(refusal(await readGitState(bisect)).hint).toContain('git bisect reset');
  });

  it('a detached HEAD is reported with its commit', async () => {
    const dir = await makeRepo({ 'a.txt': 'a\n' });
    git(dir, 'checkout', '-q', '--detach');
    const s = await readGitState(dir);
    expect(s.detachedAt).toMatch(/^[0-9a-f]{12}$/);
    expect(() => assertNoGitOperation(s)).not.toThrow();
  });
});

describe('git hooks', () => {
  async function rejectingHook(dir: string): Promise<void> {
    await mkdir(path.join(dir, '.git/hooks'), { recursive: true });
    const hook = path.join(dir, '.git/hooks/pre-commit');
    await writeFile(hook, '#!/bin/sh\necho "lint: generated code is not formatted" >&2\nexit 1\n');
    await chmod(hook, 0o755);
  }

  it('off by default: commits go through a rejecting pre-commit hook (which is listed, so the CLI can say so)', async () => {
    const dir = await makeRepo({ 'a.txt': 'a\n' });
    await rejectingHook(dir);
    expect(await commitHooks(dir)).toEqual(['pre-commit']);
    await writeFile(path.join(dir, 'gen.ts'), 'generated\n');
    const repo = await openRepo(dir);
    expect(await repo.commit(['gen.ts'], 'harness: collect b1 (1 files)')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('with hooks on, a rejecting hook is a clear error naming the hook output and the config switch, nothing left staged', async () => {
    const dir = await makeRepo({ 'a.txt': 'a\n' });
    await rejectingHook(dir);
    await writeFile(path.join(dir, 'gen.ts'), 'generated\n');
    const head = git(dir, 'rev-parse', 'HEAD');
    const repo = await openRepo(dir, { hooks: true });
    const error = await repo.commit(['gen.ts'], 'harness: collect b1 (1 files)').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HarnessError);
    const e = error as HarnessError;
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/hook probably rejected it/);
    expect(e.message).toContain('lint: generated code is not formatted');
    expect(e.hint).toContain('git: { hooks: false }');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'diff', '--cached', '--name-only')).toBe('');
    expect(git(dir, 'status', '--porcelain')).toBe('?? gen.ts\n');
  });

  it('with hooks on, a passing hook runs on the commit', async () => {
    const dir = await makeRepo({ 'a.txt': 'a\n' });
    const hook = path.join(dir, '.git/hooks/pre-commit');
    await writeFile(hook, '#!/bin/sh\ntouch "$(git rev-parse --git-dir)/hook-ran"\n');
    await chmod(hook, 0o755);
    await writeFile(path.join(dir, 'gen.ts'), 'generated\n');
    const repo = await openRepo(dir, { hooks: true });
    expect(await repo.commit(['gen.ts'], 'harness: collect b1 (1 files)')).toMatch(/^[0-9a-f]{40}$/);
    expect(existsSync(path.join(dir, '.git/hook-ran'))).toBe(true);
  });
});
