/** scanRepo: what reaches the codebase context, what is skipped and why, in a stable order. */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES, FILE_RULES } from '../../src/repo/default-excludes.js';
import { defaultExcludeReason, scanOne, scanRepo, type ScanResult } from '../../src/repo/scan.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A temp dir (not a git repo unless asked) with the files written in the given order. */
async function tree(files: Record<string, string | Buffer>, order?: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'harness-scan-'));
  dirs.push(dir);
  for (const rel of order ?? Object.keys(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), files[rel]!);
  }
  return dir;
}

const defaults = { include: ['**/*'], exclude: [] as string[], maxFileBytes: 1024 * 1024, concurrency: 8 };
const scan = (dir: string, o: Partial<typeof defaults> & { omit?: (p: string) => boolean } = {}) => scanRepo(dir, { ...defaults, ...o });
const paths = (r: ScanResult) => r.files.map((f) => f.path);
const reasonOf = (r: ScanResult, p: string) => r.skipped.find((s) => s.path === p)?.reason;

describe('scanRepo: ignore files and config globs', () => {
  it('honours .gitignore at the root and in subdirectories, negations included', async () => {
    const dir = await tree({
      '.gitignore': '*.log\nlogs/\n!keep.log\n',
      'a.ts': 'a',
      'debug.log': 'x',
      'keep.log': 'kept',
      'logs/today.txt': 'x',
      'pkg/.gitignore': 'generated.ts\n',
      'pkg/generated.ts': 'x',
      'pkg/index.ts': 'i',
    });
    const r = await scan(dir);
    expect(paths(r)).toEqual(['.gitignore', 'a.ts', 'keep.log', 'pkg/.gitignore', 'pkg/index.ts']);
  });

  it('honours .harnessignore (gitignore syntax) at the root and in subdirectories', async () => {
    const dir = await tree({
      '.harnessignore': '# big fixtures\nfixtures/\n*.snap\n',
      'src/a.ts': 'a',
      'src/a.test.ts.snap': 's',
      'fixtures/huge.json': '{}',
      'docs/.harnessignore': 'draft.md\n',
      'docs/draft.md': 'd',
      'docs/guide.md': 'g',
    });
    expect(paths(await scan(dir))).toEqual(['.harnessignore', 'docs/.harnessignore', 'docs/guide.md', 'src/a.ts']);
  });

  it('applies config include and exclude', async () => {
    const dir = await tree({ 'src/a.ts': 'a', 'src/a.test.ts': 't', 'src/gen/x.ts': 'x', 'README.md': 'r', 'scripts/b.js': 'b' });
    const r = await scan(dir, { include: ['src/**', 'README.md'], exclude: ['**/*.test.ts', 'src/gen/**'] });
    expect(paths(r)).toEqual(['README.md', 'src/a.ts']);
  });

  it('includes dot files and directories', async () => {
    const dir = await tree({ '.github/workflows/ci.yml': 'on: push', '.eslintrc.json': '{}', 'a.ts': 'a' });
    expect(paths(await scan(dir))).toEqual(['.eslintrc.json', '.github/workflows/ci.yml', 'a.ts']);
  });

  it('agrees with git ls-files --exclude-standard on what .gitignore files leave in', async () => {
    const dir = await tree({
      '.gitignore': '*.tmp\n/only-root.txt\nnested/**/deep.txt\n!important.tmp\ncache/\n',
      'only-root.txt': 'x',
      'sub/only-root.txt': 'kept',
      'a.tmp': 'x',
      'important.tmp': 'kept',
      'nested/x/y/deep.txt': 'x',
      'nested/x/shallow.txt': 'kept',
      'cache/c.txt': 'x',
      'src/cache.ts': 'kept',
      'src/.gitignore': '*.gen.ts\n',
      'src/a.gen.ts': 'x',
      'src/a.ts': 'kept',
      'weird name [1].ts': 'kept',
    });
    const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
    execFileSync('git', ['init', '-q'], { cwd: dir, env });
    const oracle = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: dir, env, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean)
      .sort();
    const r = await scan(dir);
    expect(paths(r)).toEqual(oracle);
    expect(r.skipped).toEqual([{ path: '.git/', reason: 'default exclude: version control' }]);
  });
});

describe('scanRepo: default excludes', () => {
  it('leaves out each class of default exclude and lists it in skipped with the reason', async () => {
    const dir = await tree({
      'src/a.ts': 'a',
      'package-lock.json': '{}',
      'yarn.lock': '#',
      'Cargo.lock': '#',
      'go.sum': 'x',
      '.env': 'X=1',
      '.env.local': 'X=2',
      'config/prod.env': 'X=3',
      'keys/id_rsa': 'k',
      'keys/id_ed25519.pub': 'k',
      'certs/server.pem': 'c',
      'certs/tls.key': 'c',
      '.npmrc': '//registry',
      'home/.aws/credentials': '[default]',
      'gcp/credentials.json': '{}',
      'infra/terraform.tfstate': '{}',
      'node_modules/lib/index.js': 'x',
      'packages/app/node_modules/dep/index.js': 'x',
      'dist/bundle.js': 'x',
      'build/out.js': 'x',
      'target/debug/app': 'x',
      'src/__pycache__/m.pyc': 'x',
      '.next/cache/x': 'x',
    });
    const r = await scan(dir);
    expect(paths(r)).toEqual(['src/a.ts']);
    const expected: Record<string, string> = {
      'package-lock.json': 'lock file',
      'yarn.lock': 'lock file',
      'Cargo.lock': 'lock file',
      'go.sum': 'lock file',
      '.env': 'environment file',
      '.env.local': 'environment file',
      'config/prod.env': 'environment file',
      'keys/id_rsa': 'private key',
      'keys/id_ed25519.pub': 'private key',
      'certs/server.pem': 'private key',
      'certs/tls.key': 'private key',
      '.npmrc': 'credentials',
      'home/.aws/credentials': 'credentials',
      'gcp/credentials.json': 'credentials',
      'infra/terraform.tfstate': 'credentials',
      'node_modules/': 'dependencies',
      'packages/app/node_modules/': 'dependencies',
      'dist/': 'build output',
      'build/': 'build output',
      'target/': 'build output',
      'src/__pycache__/': 'build output',
      '.next/': 'build output',
    };
    for (const [p, reason] of Object.entries(expected)) expect(reasonOf(r, p), p).toBe(`default exclude: ${reason}`);
    // excluded directories are listed once, never their contents
    expect(r.skipped.filter((s) => s.path.includes('node_modules')).map((s) => s.path)).toEqual(['node_modules/', 'packages/app/node_modules/']);
    expect(r.skipped).toHaveLength(Object.keys(expected).length);
  });

  it("excludes the harness's own state and the root task list, but not a nested task-list.md", async () => {
    const dir = await tree({
      '.harness/context.txt': 'old context',
      '.harness/journal.jsonl': '{}',
      'task-list.md': '- [ ] `a.ts` — a',
      'docs/task-list.md': 'a doc that happens to have this name',
      'a.ts': 'a',
    });
    const r = await scan(dir);
    expect(paths(r)).toEqual(['a.ts', 'docs/task-list.md']);
    expect(reasonOf(r, '.harness/')).toBe('default exclude: harness state');
    expect(reasonOf(r, 'task-list.md')).toBe('default exclude: task list');
  });

  it('excludes generic build directory names only at the root, and keeps source modules named like credentials', async () => {
    const dir = await tree({
      'build/x.js': 'x',
      'src/build/index.ts': 'export {}',
      'src/commands/out/print.ts': 'p',
      'src/auth/credentials.ts': 'export type Credentials = {}',
    });
    const r = await scan(dir);
    expect(paths(r)).toEqual(['src/auth/credentials.ts', 'src/build/index.ts', 'src/commands/out/print.ts']);
  });

  it('classifies default excludes before opening them (a huge key is not "too large", a FIFO .env is not opened)', async () => {
    const dir = await tree({ 'big.pem': 'x'.repeat(5000), 'a.ts': 'a' });
    execFileSync('mkfifo', [path.join(dir, '.env')]);
    const r = await scan(dir, { maxFileBytes: 1000 });
    expect(reasonOf(r, 'big.pem')).toBe('default exclude: private key');
    expect(reasonOf(r, '.env')).toBe('default exclude: environment file');
  });

  it('lists an excluded directory only where the walk looked (include scope)', async () => {
    const dir = await tree({ 'node_modules/x/i.js': 'x', 'src/a.ts': 'a', 'src/node_modules/y/i.js': 'y', 'lib/dist/o.js': 'o' });
    const r = await scan(dir, { include: ['src/**'] });
    expect(paths(r)).toEqual(['src/a.ts']);
    expect(r.skipped).toEqual([{ path: 'src/node_modules/', reason: 'default exclude: dependencies' }]);
  });

  it('walks into the fixed directories of include globs only, a literal `!` in a name among them', async () => {
    const dir = await tree({ 'web!app/src/a.ts': 'a', 'web!app/b.md': 'b', 'other/c.ts': 'c', 'pkg/x/d.ts': 'd', 'pkg/y/e.ts': 'e' });
    const r = await scan(dir, { include: ['web!app/src/**', 'pkg/*/d.ts'] });
    expect(paths(r)).toEqual(['pkg/x/d.ts', 'web!app/src/a.ts']);
  });

  it('exports the default excludes as globs, consistent with the classifier', () => {
    expect(DEFAULT_EXCLUDES).toEqual(
      expect.arrayContaining(['**/node_modules/**', '**/.git/**', '**/*.pem', '**/.env', '**/.env.*', 'task-list.md']),
    );
    expect(defaultExcludeReason('a/b/.env.production')).toBe('environment file');
    expect(defaultExcludeReason('src/index.ts')).toBeNull();
  });

  it('classifies every default file name by its rule, at any depth and in any case', () => {
    for (const rule of FILE_RULES) {
      for (const name of rule.names) {
        const sample = name.replaceAll('*', 'x');
        expect(defaultExcludeReason(sample), sample).toBe(rule.reason);
        expect(defaultExcludeReason(`a/b/${sample.toUpperCase()}`), sample).toBe(rule.reason);
      }
    }
    expect(defaultExcludeReason('src/credentials.ts')).toBeNull(); // `credentials*.json` and the like, not a module
    expect(defaultExcludeReason('src/env.ts')).toBeNull();
  });
});

describe('scanRepo: content checks', () => {
  it('skips binaries by content: a NUL byte in the first 8 KiB, or invalid UTF-8', async () => {
    const dir = await tree({
      'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]),
      'latin1.txt': Buffer.from('caf\xe9\n', 'latin1'),
      'nul-late.txt': Buffer.concat([Buffer.from('a'.repeat(9000)), Buffer.from([0]), Buffer.from('b')]),
      'utf8.txt': '\ufeffhéllo wörld ✓ 𝄞\r\n',
      'empty.txt': '',
    });
    const r = await scan(dir);
    expect(reasonOf(r, 'logo.png')).toBe('binary');
    expect(reasonOf(r, 'latin1.txt')).toMatch(/^binary/);
    // a NUL after the first 8 KiB of valid UTF-8 is text (as git decides)
    expect(paths(r)).toEqual(['empty.txt', 'nul-late.txt', 'utf8.txt']);
    const utf8 = r.files.find((f) => f.path === 'utf8.txt')!;
    expect(utf8.content).toBe('\ufeffhéllo wörld ✓ 𝄞\r\n');
    expect(utf8.size).toBe(Buffer.byteLength(utf8.content));
  });

  it('skips files over maxFileBytes with their size, keeps a file of exactly maxFileBytes', async () => {
    const dir = await tree({ 'big.ts': 'x'.repeat(101), 'edge.ts': 'y'.repeat(100) });
    const r = await scan(dir, { maxFileBytes: 100 });
    expect(paths(r)).toEqual(['edge.ts']);
    expect(reasonOf(r, 'big.ts')).toBe('too large (101 bytes)');
  });

  it('leaves out what the caller omits, without reading it', async () => {
    const dir = await tree({ 'a.ts': 'a', 'gen/b.ts': 'b' });
    const r = await scan(dir, { omit: (p) => p.startsWith('gen/') });
    expect(paths(r)).toEqual(['a.ts']);
    expect(reasonOf(r, 'gen/b.ts')).toBe('omitted');
  });
});

describe('scanRepo: symlinks', () => {
  it('never follows a symlink to a file or directory outside the repo', async () => {
    const outside = await tree({ 'secret.txt': 'OUTSIDE-CONTENT', 'dir/inner.txt': 'OUTSIDE-DIR-CONTENT' });
    const dir = await tree({ 'a.ts': 'a' });
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'link.txt'));
    await symlink(path.join(outside, 'dir'), path.join(dir, 'linkdir'));
    const r = await scan(dir);
    expect(paths(r)).toEqual(['a.ts']);
    expect(JSON.stringify(r)).not.toContain('OUTSIDE');
    expect(reasonOf(r, 'link.txt')).toBe('symlink to outside the repo (not followed)');
    expect(reasonOf(r, 'linkdir')).toBe('symlink to outside the repo (not followed)');
  });

  it('does not read through a link inside the repo either (no duplicate, no excluded file under another name)', async () => {
    const dir = await tree({ 'src/a.ts': 'a', '.env': 'TOKEN=x' });
    await symlink('src/a.ts', path.join(dir, 'alias.ts'));
    await symlink('.env', path.join(dir, 'settings.txt'));
    await symlink('missing', path.join(dir, 'broken'));
    const r = await scan(dir);
    expect(paths(r)).toEqual(['src/a.ts']);
    expect(reasonOf(r, 'alias.ts')).toMatch(/^symlink \(not followed/);
    expect(reasonOf(r, 'settings.txt')).toMatch(/^symlink \(not followed/);
    expect(reasonOf(r, 'broken')).toBe('symlink (broken, not followed)');
  });
});

describe('scanRepo: order', () => {
  const files: Record<string, string> = {
    'b.ts': 'b',
    'B.ts': 'B',
    'a.ts': 'a',
    'a-b.ts': 'ab',
    'a/b.ts': 'a/b',
    'a/A.ts': 'a/A',
    '_x.ts': 'x',
    'Zeta/z.ts': 'z',
    'é.ts': 'e',
    'pkg/data.bin': '\0bin',
    'yarn.lock': '#',
  };

  it('sorts files and skipped by plain code-unit order, whatever the creation order and concurrency', async () => {
    const keys = Object.keys(files);
    const one = await tree(files, keys);
    const two = await tree(files, [...keys].reverse());
    const r1 = await scan(one, { concurrency: 1 });
    const r2 = await scan(two, { concurrency: 64 });
    expect(r2).toEqual(r1);
    const expected = keys.filter((k) => !['pkg/data.bin', 'yarn.lock'].includes(k)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    expect(paths(r1)).toEqual(expected);
    expect(paths(r1)).toEqual(['B.ts', 'Zeta/z.ts', '_x.ts', 'a-b.ts', 'a.ts', 'a/A.ts', 'a/b.ts', 'b.ts', 'é.ts']);
    expect(r1.skipped.map((s) => s.path)).toEqual(['pkg/data.bin', 'yarn.lock']);
  });
});

describe('scanOne: one file as the scan would see it', () => {
  const files = {
    '.gitignore': '*.log\nlogs/\n',
    '.harnessignore': 'fixtures/\n',
    '.env': 'KEY=1\n',
    'a.ts': 'a',
    'debug.log': 'x',
    'logs/today.txt': 'x',
    'fixtures/big.json': '{}',
    'private/notes.md': 'n',
    'private/deep/data.ts': 'd',
    'src/a.ts': 'a',
    'src/gen/x.ts': 'x',
    'src/.harnessignore': 'secret.ts\n',
    'src/secret.ts': 's',
    'node_modules/pkg/index.js': 'x',
    'docs/guide.md': 'g',
    'big.txt': 'x'.repeat(5000),
  };
  const config = { include: ['**/*'], exclude: ['private', 'src/gen/**'], maxFileBytes: 4096 };

  it('agrees with scanRepo on every file: sent iff the whole-repo scan sends it', async () => {
    const dir = await tree(files);
    const whole = new Set(paths(await scan(dir, config)));
    for (const rel of Object.keys(files)) {
      const one = await scanOne(dir, rel, config);
      expect('file' in one, `${rel}: ${JSON.stringify(one)}`).toBe(whole.has(rel));
      if ('file' in one) expect(one.file.content).toBe(files[rel as keyof typeof files]);
    }
  });

  it('says why a file is left out, and when there is no such file', async () => {
    const dir = await tree(files);
    const reason = async (rel: string) => {
      const r = await scanOne(dir, rel, config);
      return 'reason' in r ? r.reason : 'missing' in r ? 'missing' : 'sent';
    };
    expect(await reason('.env')).toBe('default exclude: environment file');
    expect(await reason('private/deep/data.ts')).toMatch(/exclude/);
    expect(await reason('src/secret.ts')).toMatch(/\.harnessignore/);
    expect(await reason('debug.log')).toMatch(/\.gitignore/);
    expect(await reason('big.txt')).toMatch(/too large/);
    expect(await reason('src/new.ts')).toBe('missing');
    expect(await reason('src/a.ts')).toBe('sent');
    expect(await scanOne(dir, 'src/a.ts', { ...config, include: ['docs/**'] })).toEqual({ reason: 'not matched by the config (`include`)' });
  });

  it('refuses a symlink, and a file reached through a symlinked directory', async () => {
    const outside = await tree({ 'creds.txt': 'top secret' });
    const dir = await tree({ 'src/a.ts': 'a' });
    await symlink(path.join(outside, 'creds.txt'), path.join(dir, 'src/link.ts'));
    await symlink(outside, path.join(dir, 'linked'));
    expect(await scanOne(dir, 'src/link.ts', config)).toEqual({ reason: 'symlink to outside the repo (not followed)' });
    expect(await scanOne(dir, 'linked/creds.txt', config)).toEqual({ reason: 'under a symlinked directory (not followed)' });
  });
});
