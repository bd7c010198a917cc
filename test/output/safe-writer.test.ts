/**
 * The collect's writer (output/safe-writer.ts): writeSafe's outcomes for every path, with the
 * guard's walk once per directory; later files of a directory still refused when their own target
 * is a link, a directory or outside; a refused first file keeps nothing; the bytes' sha256 is
 * returned; directories are synced by sync(), once each.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SafeWriter } from '../../src/output/safe-writer.js';
import { writeSafe } from '../../src/output/write.js';

let base: string;
let repo: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'harness-safe-writer-')));
  repo = path.join(base, 'repo');
  await mkdir(path.join(repo, 'src'), { recursive: true });
  await mkdir(path.join(base, 'outside'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('SafeWriter', () => {
  it('writes like writeSafe, with the sha256 of the bytes written, and refuses what writeSafe refuses, file after file', async () => {
    await symlink(path.join(base, 'outside'), path.join(repo, 'src', 'out'));
    await symlink(path.join(base, 'outside', 'x.ts'), path.join(repo, 'src', 'link.ts'));
    await mkdir(path.join(repo, 'src', 'dir.ts'));
    await writeFile(path.join(repo, 'src', 'old.ts'), 'old\n');
    const writer = new SafeWriter(repo, '.');
    const paths = ['src/a.ts', 'src/link.ts', 'src/dir.ts', 'src/out/x.ts', 'src/old.ts', '.git/config', 'src/b/c.ts', 'task-list.md', 'src/é.ts'];
    const got = [];
    for (const p of paths) got.push(await writer.write(p, `// ${p} é\n`));
    await writer.sync();
    const other = path.join(base, 'other');
    await mkdir(path.join(other, 'src'), { recursive: true });
    await symlink(path.join(base, 'outside'), path.join(other, 'src', 'out'));
    await symlink(path.join(base, 'outside', 'x.ts'), path.join(other, 'src', 'link.ts'));
    await mkdir(path.join(other, 'src', 'dir.ts'));
    await writeFile(path.join(other, 'src', 'old.ts'), 'old\n');
    const expected = [];
    for (const p of paths) expected.push(await writeSafe(other, '.', p, `// ${p} é\n`));
    expect(got.map((r) => (r.ok ? { ok: true, repoRelPath: r.repoRelPath } : r))).toEqual(expected);
    for (const [i, r] of got.entries()) {
      if (!r.ok) continue;
      const bytes = await readFile(path.join(repo, r.repoRelPath));
      expect(bytes.toString()).toBe(`// ${paths[i]} é\n`);
      expect(r.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    expect(await readdir(path.join(base, 'outside'))).toEqual([]);
  });

  it('a first file refused for its own target does not stop the next file of the directory; a directory refused stays refused', async () => {
    await mkdir(path.join(repo, 'src', 'x.ts'));
    await writeFile(path.join(repo, 'plain'), 'a file\n');
    const writer = new SafeWriter(repo, '.');
    const [first, second, third, fourth] = await Promise.all([
      writer.write('src/x.ts', 'x\n'),
      writer.write('src/y.ts', 'y\n'),
      writer.write('plain/a.ts', 'a\n'),
      writer.write('plain/b.ts', 'b\n'),
    ]);
    expect(first).toEqual({ ok: false, reason: 'the target is a directory' });
    expect(second).toMatchObject({ ok: true, repoRelPath: 'src/y.ts' });
    expect(third).toEqual({ ok: false, reason: 'plain is not a directory' });
    expect(fourth).toEqual({ ok: false, reason: 'plain is not a directory' });
  });

  it('under an output root, files land below it, and a path text the guard refuses is refused without I/O', async () => {
    const writer = new SafeWriter(repo, 'src');
    expect(await writer.write('gen/a.ts', 'a\n')).toMatchObject({ ok: true, repoRelPath: 'src/gen/a.ts' });
    expect(await writer.write('gen/../../x.ts', 'x\n')).toEqual({ ok: false, reason: 'path leaves the output root (..)' });
    expect(await writer.write('gen/b.ts', 'b\n')).toMatchObject({ ok: true, repoRelPath: 'src/gen/b.ts' });
    await writer.sync();
    expect((await readdir(path.join(repo, 'src', 'gen'))).sort()).toEqual(['a.ts', 'b.ts']);
  });
});
