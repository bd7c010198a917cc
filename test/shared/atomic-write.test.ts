/**
 * The one atomic write (src/shared/atomic-write.ts): all or nothing, durable in the right order,
 * modes kept, temporary files found again after a crash.
 */
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { removeStaleTemps, writeFileAtomic } from '../../src/shared/atomic-write.js';
import { makeTempDir } from '../helpers/tmp.js';

// The order of the file system calls is the whole point of the durability, and nothing on disk
// shows it afterwards: node:fs/promises is wrapped (calls pass through) to record it.
const calls = vi.hoisted(() => [] as string[]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (file, flags, mode) => {
    const handle = await real.open(file, flags, mode);
    const sync = handle.sync.bind(handle);
    handle.sync = () => {
      calls.push(`sync ${path.basename(String(file))}`);
      return sync();
    };
    return handle;
  };
  const rename: typeof real.rename = (from, to) => {
    calls.push(`rename ${path.basename(String(from))} ${path.basename(String(to))}`);
    return real.rename(from, to);
  };
  return { ...real, open, rename, default: { ...real, open, rename } };
});

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('harness-atomic-');
  calls.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('syncs the temporary file, renames it over the target, then syncs the directory', async () => {
    await writeFileAtomic(path.join(dir, 'a.txt'), 'a\n');
    expect(calls.map((c) => c.replace(/\.\d+\.[0-9a-f]{12}\.tmp\b/, '.PID.HEX.tmp'))).toEqual([
      'sync .a.txt.PID.HEX.tmp',
      'rename .a.txt.PID.HEX.tmp a.txt',
      `sync ${path.basename(dir)}`,
    ]);
    expect(await readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('creates missing parent directories, unless told not to (then ENOENT and nothing left behind)', async () => {
    await writeFileAtomic(path.join(dir, 'x', 'y', 'z.bin'), new Uint8Array([0, 255]));
    expect([...(await readFile(path.join(dir, 'x', 'y', 'z.bin')))]).toEqual([0, 255]);
    await expect(writeFileAtomic(path.join(dir, 'missing', 'f'), 'f', { createParents: false })).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(dir)).sort()).toEqual(['x']);
  });

  it("keeps an existing file's mode and leaves no temporary file", async () => {
    const file = path.join(dir, 'run.sh');
    await writeFile(file, 'old\n');
    await chmod(file, 0o750);
    await writeFileAtomic(file, 'new\n');
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect((await stat(file)).mode & 0o777).toBe(0o750);
    expect(await readdir(dir)).toEqual(['run.sh']);
  });

  it('removes the temporary file when the rename fails', async () => {
    await mkdir(path.join(dir, 'taken', 'child'), { recursive: true });
    await expect(writeFileAtomic(path.join(dir, 'taken'), 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });
});

describe('removeStaleTemps', () => {
  it('removes the temporary files other processes left for the given targets, and nothing else', async () => {
    const target = path.join(dir, 'a.b.ts');
    const stale = `.a.b.ts.999999999.0123456789ab.tmp`;
    const mine = `.a.b.ts.${process.pid}.0123456789ab.tmp`;
    const other = `.c.ts.999999999.0123456789ab.tmp`; // another target's
    const odd = `.a.b.ts.999999999.nothex.tmp`;
    for (const name of [stale, mine, other, odd]) await writeFile(path.join(dir, name), 'x');
    await mkdir(path.join(dir, `.a.b.ts.999999998.0123456789ab.tmp`)); // not a regular file
    expect(await removeStaleTemps([target, path.join(dir, 'missing-dir', 'x.ts')])).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([`.a.b.ts.999999998.0123456789ab.tmp`, mine, odd, other].sort());
  });
});
