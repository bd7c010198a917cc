/**
 * Canary: the globby internals the scan's file system shim relies on (src/repo/walk-fs.ts).
 * globby is pinned with `~` in package.json, but fast-glob and @nodelib/fs.* come with it under
 * `^` ranges: an update of any of them can change how the walk touches the file system. These
 * tests fail with a message saying what changed; the shim's comment says what then breaks.
 */
import fs, { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { globby, type Options as GlobbyOptions } from 'globby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanRepo } from '../../src/repo/scan.js';
import { recordingFs } from '../../src/repo/walk-fs.js';
import { ROOT } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

const versionOf = (pkg: string): string => {
  for (const dir of [path.join(ROOT, 'node_modules', pkg), path.join(ROOT, 'node_modules', 'globby', 'node_modules', pkg)]) {
    try {
      return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not here
    }
  }
  return 'unknown';
};
const INSTALLED = `globby ${versionOf('globby')} with fast-glob ${versionOf('fast-glob')} and @nodelib/fs.scandir ${versionOf('@nodelib/fs.scandir')}`;
const CHECKED = 'globby 16.2.4 with fast-glob 3.3.3 and @nodelib/fs.scandir 2.1.5';
const changed = (what: string) =>
  `UPSTREAM CHANGE (${INSTALLED}; the shim was checked with ${CHECKED}): ${what}. ` +
  'Read src/repo/walk-fs.ts, adapt the shim to the new behaviour (or drop it), then update the versions in its comment and here.';

let root: string;
beforeAll(async () => {
  root = await makeTempDir('harness-canary-globby-');
  for (const [rel, text] of Object.entries({
    '.gitignore': 'ignored.txt\n',
    'a.ts': 'a',
    'ignored.txt': 'i',
    'src/b.ts': 'b',
    'src/deep/c.ts': 'c',
    'node_modules/pkg/index.js': 'x',
  })) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The options scanRepo walks with (src/repo/scan.ts), with `fs` swapped for the given one. */
const walk = (fsOption: GlobbyOptions['fs']) =>
  globby(['**'], {
    cwd: root,
    fs: fsOption,
    gitignore: true,
    ignoreFiles: ['**/.harnessignore'],
    ignore: ['**/node_modules/**'],
    dot: true,
    onlyFiles: false,
    objectMode: true,
    followSymbolicLinks: false,
  });

describe('canary: globby walks through the `fs` it is given, as the scan expects', () => {
  it('lists each directory it enters with fs.readdir(absolute dir, { withFileTypes: true }, callback), never an ignored one', async () => {
    const listed: { dir: string; withFileTypes: boolean; callback: boolean }[] = [];
    const readdir = (dir: string, opts: unknown, cb?: unknown) => {
      const callback = typeof cb === 'function' || typeof opts === 'function';
      listed.push({ dir, withFileTypes: (opts as { withFileTypes?: boolean } | null)?.withFileTypes === true, callback });
      return (fs.readdir as (...args: unknown[]) => void)(dir, opts, cb);
    };
    await walk({ ...fs, readdir } as unknown as GlobbyOptions['fs']);
    expect(listed.length, changed('the walk no longer lists directories through the `fs` option (fs.readdir)')).toBeGreaterThan(0);
    for (const call of listed) {
      expect(
        call,
        changed(`fs.readdir was called as ${JSON.stringify(call)}; the shim records only (dir, { withFileTypes: true }, callback)`),
      ).toEqual({
        dir: call.dir,
        withFileTypes: true,
        callback: true,
      });
      expect(
        path.isAbsolute(call.dir) && path.normalize(call.dir) === call.dir,
        changed(`fs.readdir got a directory path that is not absolute and normalised: ${call.dir}`),
      ).toBe(true);
    }
    const entered = new Set(listed.map((c) => path.relative(root, c.dir).split(path.sep).join('/') || '.'));
    expect(entered.has('node_modules'), changed('the walk entered node_modules/ although `ignore` leaves it out')).toBe(false);
    expect(entered.has('src/deep'), changed('the walk did not list src/deep/ through fs.readdir')).toBe(true);
  });

  it("globby's gitignore filter asks fs.promises.stat(absolute path) of each result, and the recorded Dirent answers it", async () => {
    const shim = recordingFs();
    const asked: string[] = [];
    const options = shim.fs as unknown as { promises: { stat: (p: string) => Promise<fs.Stats | fs.Dirent> } };
    const stat = options.promises.stat;
    options.promises.stat = (p: string) => {
      asked.push(p);
      return stat(p);
    };
    const results = await walk(shim.fs);
    const plain = await walk(undefined);
    expect(results.map((r) => r.path).sort(), changed('the walk with the shim no longer finds what the walk without it finds')).toEqual(
      plain.map((r) => r.path).sort(),
    );
    const expected = results.map((r) => path.join(root, r.path));
    expect(asked.sort(), changed("globby's gitignore filter no longer asks fs.promises.stat of each result by absolute path")).toEqual(
      expect.arrayContaining(expected.sort()),
    );
    const missed = expected.filter((p) => !shim.seen.has(p));
    expect(missed, changed('results the walk never listed through fs.readdir (the shim cannot answer their stat from its record)')).toEqual([]);
    expect(results.map((r) => r.path).includes('ignored.txt'), changed('.gitignore is no longer applied')).toBe(false);
  });

  it('the scan still lists the excluded directories it did not enter (found in the parent listings the shim records)', async () => {
    const r = await scanRepo(root, { include: ['**'], exclude: [], maxFileBytes: 1_000_000, concurrency: 8 });
    expect(
      r.files.map((f) => f.path),
      changed('the scan finds other files'),
    ).toEqual(['.gitignore', 'a.ts', 'src/b.ts', 'src/deep/c.ts']);
    expect(r.skipped, changed('node_modules/ is no longer listed as skipped: the shim saw no listing of the repo root')).toEqual([
      { path: 'node_modules/', reason: 'default exclude: dependencies' },
    ]);
  });
});
