import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveSafeTarget } from '../../src/output/guard.js';
import { writeFiles, writeSafe } from '../../src/output/write.js';
import { writeFileAtomic } from '../../src/shared/atomic-write.js';

let base: string;
let repo: string;
let outside: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'harness-output-')));
  repo = path.join(base, 'repo');
  outside = path.join(base, 'outside');
  await mkdir(repo);
  await mkdir(outside);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Every entry under `dir`, relative, sorted; symbolic links are listed, not followed. */
async function tree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    out.push(prefix + entry.name);
    if (entry.isDirectory()) out.push(...(await tree(path.join(dir, entry.name), `${prefix}${entry.name}/`)));
  }
  return out.sort();
}

async function rejected(outputRoot: string, relPath: string): Promise<string> {
  const r = await writeSafe(repo, outputRoot, relPath, 'pwned\n');
  expect(r.ok).toBe(false);
  return r.ok ? '' : r.reason;
}

describe('writeSafe: path text', () => {
  it.each([
    ['../x', /leaves the output root/],
    ['/etc/passwd', /absolute/],
    ['C:\\x', /backslash|drive/],
    ['C:/x', /drive/],
    ['a\0b', /NUL/],
    ['.git/hooks/pre-commit', /\.git/],
    ['.GIT/config', /\.git/],
    ['src/.git/config', /\.git/],
    ['.harness/journal.jsonl', /harness state/],
    ['task-list.md', /task list/],
    ['a/./b', /normalised/],
    ['', /empty/],
  ])('rejects %j and writes nothing', async (p, reason) => {
    expect(await rejected('.', p)).toMatch(reason);
    expect(await tree(repo)).toEqual([]);
    expect(await tree(outside)).toEqual([]);
  });

  it('rejects a path that leaves a sub-directory output root', async () => {
    expect(await rejected('gen', '../x')).toMatch(/leaves the output root/);
    expect(await tree(repo)).toEqual([]);
  });

  it('rejects repo-relative paths that land in .git, .harness or the task list through the output root', async () => {
    expect(await rejected('.git', 'config')).toMatch(/\.git/);
    expect(await rejected('.harness', 'x.json')).toMatch(/harness state/);
    expect(await rejected('gen/..', 'task-list.md')).toMatch(/task list/);
  });

  it('judges the repo-relative path as written, even when a link makes its real path harmless', async () => {
    await mkdir(path.join(repo, 'gen'));
    await symlink(path.join(repo, 'gen'), path.join(repo, '.harness'), 'dir');
    expect(await rejected('.harness', 'x.json')).toBe('.harness/x.json: path is inside the harness state (.harness/)');
    expect(await tree(path.join(repo, 'gen'))).toEqual([]);
  });

  it('rejects an output root outside the repo', async () => {
    expect(await rejected('../outside', 'x.ts')).toMatch(/output root .* is outside the repo/);
    expect(await rejected(outside, 'x.ts')).toMatch(/output root .* is outside the repo/);
    expect(await tree(outside)).toEqual([]);
  });
});

describe('writeSafe: real paths', () => {
  it('writes under the output root, creating directories, and returns the repo-relative path', async () => {
    expect(await writeSafe(repo, '.', 'src/a/b.ts', 'b\n')).toEqual({ ok: true, repoRelPath: 'src/a/b.ts' });
    expect(await writeSafe(repo, 'gen/', 'x.ts', 'x\n')).toEqual({ ok: true, repoRelPath: 'gen/x.ts' });
    expect(await writeSafe(repo, path.join(repo, 'gen'), 'y.ts', 'y\n')).toEqual({ ok: true, repoRelPath: 'gen/y.ts' });
    expect(await readFile(path.join(repo, 'src/a/b.ts'), 'utf8')).toBe('b\n');
    expect(await tree(repo)).toEqual(['gen', 'gen/x.ts', 'gen/y.ts', 'src', 'src/a', 'src/a/b.ts']);
  });

  it('rejects a symlinked directory that points outside the root, and writes nothing outside', async () => {
    await symlink(outside, path.join(repo, 'link'), 'dir');
    expect(await rejected('.', 'link/x.ts')).toMatch(/outside the output root/);
    expect(await rejected('.', 'link/deep/er/x.ts')).toMatch(/outside the output root/);
    expect(await tree(outside)).toEqual([]);
  });

  it('rejects a symlinked directory from a sub-directory root to elsewhere in the repo', async () => {
    await mkdir(path.join(repo, 'gen'));
    await mkdir(path.join(repo, 'src'));
    await symlink(path.join(repo, 'src'), path.join(repo, 'gen', 'up'), 'dir');
    expect(await rejected('gen', 'up/x.ts')).toMatch(/outside the output root/);
    expect(await tree(path.join(repo, 'src'))).toEqual([]);
  });

  it('rejects an output root that is a symlink to outside the repo', async () => {
    await symlink(outside, path.join(repo, 'gen'), 'dir');
    expect(await rejected('gen', 'x.ts')).toMatch(/resolves outside the repo/);
    expect(await tree(outside)).toEqual([]);
  });

  it('rejects a target that is a symlink (even to a file inside the root) and leaves both files alone', async () => {
    await writeFile(path.join(outside, 'secret'), 'keep\n');
    await symlink(path.join(outside, 'secret'), path.join(repo, 'out.ts'));
    await writeFile(path.join(repo, 'real.ts'), 'real\n');
    await symlink(path.join(repo, 'real.ts'), path.join(repo, 'alias.ts'));
    expect(await rejected('.', 'out.ts')).toMatch(/symbolic link/);
    expect(await rejected('.', 'alias.ts')).toMatch(/symbolic link/);
    expect(await readFile(path.join(outside, 'secret'), 'utf8')).toBe('keep\n');
    expect(await readFile(path.join(repo, 'real.ts'), 'utf8')).toBe('real\n');
    expect((await lstat(path.join(repo, 'alias.ts'))).isSymbolicLink()).toBe(true);
  });

  it('rejects a dangling symlink on the way and a target that is a directory or under a file', async () => {
    await symlink(path.join(base, 'nowhere'), path.join(repo, 'dangling'), 'dir');
    expect(await rejected('.', 'dangling/x.ts')).toMatch(/points nowhere/);
    await mkdir(path.join(repo, 'dir'));
    expect(await rejected('.', 'dir')).toMatch(/directory/);
    await writeFile(path.join(repo, 'file.ts'), 'f\n');
    expect(await rejected('.', 'file.ts/x.ts')).toMatch(/not a directory/);
    expect(await tree(base)).toEqual(['outside', 'repo', 'repo/dangling', 'repo/dir', 'repo/file.ts']);
  });

  it('rejects a link inside the root that leads into .git or to the task list', async () => {
    await mkdir(path.join(repo, '.git', 'hooks'), { recursive: true });
    await symlink(path.join(repo, '.git'), path.join(repo, 'g'), 'dir');
    expect(await rejected('.', 'g/hooks/pre-commit')).toMatch(/resolves to \.git\/hooks\/pre-commit/);
    await mkdir(path.join(repo, 'gen'));
    await symlink(repo, path.join(repo, 'gen', 'top'), 'dir');
    expect(await rejected('gen', 'top/task-list.md')).toMatch(/outside the output root/);
    expect(await tree(path.join(repo, '.git'))).toEqual(['hooks']);
  });

  it('writes through a symlink inside the root to another place inside the root, under the real path', async () => {
    await mkdir(path.join(repo, 'src'));
    await symlink(path.join(repo, 'src'), path.join(repo, 'alias'), 'dir');
    expect(await writeSafe(repo, '.', 'alias/x.ts', 'x\n')).toEqual({ ok: true, repoRelPath: 'src/x.ts' });
    expect(await readFile(path.join(repo, 'src', 'x.ts'), 'utf8')).toBe('x\n');
    const guard = await resolveSafeTarget(repo, '.', 'alias/new/y.ts');
    expect(guard).toEqual({ ok: true, absPath: path.join(repo, 'src', 'new', 'y.ts'), repoRelPath: 'src/new/y.ts' });
  });

  it('resolves a repo given through a symlink', async () => {
    const viaLink = path.join(base, 'repo-link');
    await symlink(repo, viaLink, 'dir');
    expect(await writeSafe(viaLink, '.', 'a.ts', 'a\n')).toEqual({ ok: true, repoRelPath: 'a.ts' });
    expect(await readFile(path.join(repo, 'a.ts'), 'utf8')).toBe('a\n');
  });

  it('rejects path segments too long for the file system instead of throwing', async () => {
    expect(await rejected('.', `${'x'.repeat(300)}/a.ts`)).toMatch(/too long/);
  });
});

describe('atomic writes', () => {
  it('replaces existing content, keeps the mode and leaves no temporary file', async () => {
    const file = path.join(repo, 'bin', 'run.sh');
    await writeFileAtomic(file, 'old\n');
    await chmod(file, 0o755);
    expect(await writeSafe(repo, '.', 'bin/run.sh', 'new\n')).toEqual({ ok: true, repoRelPath: 'bin/run.sh' });
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect((await stat(file)).mode & 0o777).toBe(0o755);
    await writeFileAtomic(path.join(repo, 'bytes.bin'), new Uint8Array([0, 255, 10]));
    expect([...(await readFile(path.join(repo, 'bytes.bin')))]).toEqual([0, 255, 10]);
    expect(await tree(repo)).toEqual(['bin', 'bin/run.sh', 'bytes.bin']);
  });

  it('removes the temporary file when the rename fails', async () => {
    await mkdir(path.join(repo, 'taken', 'child'), { recursive: true });
    await expect(writeFileAtomic(path.join(repo, 'taken'), 'x\n')).rejects.toThrow();
    expect(await tree(repo)).toEqual(['taken', 'taken/child']);
  });

  it('writeFiles writes the safe files and lists the rejected ones', async () => {
    const r = await writeFiles(repo, 'gen', [
      { path: 'a.ts', content: 'a\n' },
      { path: '../escape.ts', content: 'e\n' },
      { path: 'b/c.ts', content: 'c\n' },
    ]);
    expect(r.written).toEqual(['gen/a.ts', 'gen/b/c.ts']);
    expect(r.rejected).toEqual([{ path: '../escape.ts', reason: 'path leaves the output root (..)' }]);
    expect(await tree(repo)).toEqual(['gen', 'gen/a.ts', 'gen/b', 'gen/b/c.ts']);
  });
});

describe('writeSafe property', () => {
  it('never creates anything outside the output root, whatever the path', async () => {
    const root = path.join(repo, 'gen');
    await mkdir(path.join(root, 'in'), { recursive: true });
    await symlink(outside, path.join(root, 'out'), 'dir');
    await symlink(path.join(root, 'in'), path.join(root, 'ok'), 'dir');
    await symlink(repo, path.join(root, 'up'), 'dir');
    const outsideRoot = (entries: string[]): string[] => entries.filter((e) => !e.startsWith('repo/gen/'));
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '', 'out', 'ok', 'up', 'in', '.git', '.harness', 'task-list.md', 'C:', '~', 'a\\b', 'a\0'),
      fc.string({ unit: fc.constantFrom('a', 'b', '.', '/', '\\', ':', '~', ' ', '\0', '\n'), maxLength: 6 }),
    );
    const relPath = fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/')),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(relPath, async (p) => {
        const before = outsideRoot(await tree(base));
        const r = await writeSafe(repo, 'gen', p, 'x\n');
        if (r.ok) {
          expect(r.repoRelPath.startsWith('gen/')).toBe(true);
          expect(path.join(repo, r.repoRelPath).startsWith(root + path.sep)).toBe(true);
        }
        expect(outsideRoot(await tree(base))).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});
