import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeSafe } from '../../src/output/write.js';

// mkdir is wrapped so a test can swap a directory for a symbolic link right after it is created.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, mkdir: vi.fn(actual.mkdir) };
});

const actualFs = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
let base: string;
let repo: string;

beforeEach(async () => {
  base = await actualFs.realpath(await actualFs.mkdtemp(path.join(os.tmpdir(), 'harness-race-')));
  repo = path.join(base, 'repo');
  await actualFs.mkdir(path.join(repo, 'other'), { recursive: true });
  await actualFs.mkdir(path.join(base, 'outside'));
});

afterEach(async () => {
  await actualFs.rm(base, { recursive: true, force: true });
});

/** The next mkdir creates its directory, then the directory is replaced by a link to `to`. */
function swapNextMkdirFor(to: string): void {
  vi.mocked(fs.mkdir).mockImplementationOnce(async (dir, options) => {
    await actualFs.mkdir(dir, options);
    await actualFs.rm(dir, { recursive: true });
    await actualFs.symlink(to, dir, 'dir');
    return undefined;
  });
}

describe('writeSafe checks the target again after creating its directory', () => {
  it('does not follow a directory swapped for a link to outside the root', async () => {
    swapNextMkdirFor(path.join(base, 'outside'));
    const r = await writeSafe(repo, '.', 'sub/x.ts', 'pwned\n');
    expect(r).toEqual({ ok: false, reason: 'the path leads outside the output root through a symbolic link' });
    expect(await actualFs.readdir(path.join(base, 'outside'))).toEqual([]);
  });

  it('does not write when the target moved elsewhere inside the root meanwhile', async () => {
    swapNextMkdirFor(path.join(repo, 'other'));
    const r = await writeSafe(repo, '.', 'sub/x.ts', 'x\n');
    expect(r).toEqual({ ok: false, reason: 'the target changed while its directory was created' });
    expect(await actualFs.readdir(path.join(repo, 'other'))).toEqual([]);
  });
});
