/**
 * The walk (src/repo/walk-repo.ts) finds the files in the code-unit order of their whole paths, so
 * that the scan may read them while it goes on: whatever the names (`a-b` sorts before `a/x`, `-`
 * being below `/`; `a.ts` after `a/`...), what `found` is told is always a prefix of the final list.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILE_RULES } from '../../src/repo/default-excludes.js';
import { comparePaths, defaultExcludeReason, walkRepo } from '../../src/repo/walk-repo.js';
import { globToRegExp } from '../../src/shared/glob.js';

const options = { include: ['**/*'], exclude: [] as string[], maxFileBytes: 1024 * 1024, concurrency: 8 };

describe('walkRepo', () => {
  it('finds the files in path order, and tells them as it goes in that order (property)', async () => {
    const segment = fc.stringMatching(/^[a-c.\-_0é]{1,3}$/).filter((s) => s !== '.' && s !== '..');
    const filePath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((xs) => xs.join('/'));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(filePath, { minLength: 1, maxLength: 25 }), async (paths) => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'harness-walk-'));
        try {
          // A path that is a directory of another is left out (a file and a directory cannot share a name).
          const files = paths.filter((p) => !paths.some((q) => q.startsWith(`${p}/`)) && !paths.some((q) => p.startsWith(`${q}/`)));
          for (const p of files) {
            await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
            await writeFile(path.join(dir, p), 'x\n');
          }
          const told: string[][] = [];
          const walk = await walkRepo(dir, options, (toRead) => told.push([...toRead]));
          expect(walk.toRead).toEqual([...files].sort(comparePaths));
          for (const t of told) expect(walk.toRead.slice(0, t.length)).toEqual(t);
          expect(told.at(-1)).toEqual(walk.toRead);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the default-exclude file rules', () => {
  /** What the rules say, straight: the first rule with a name glob that matches, in any case. */
  const reference = (name: string): string | null =>
    FILE_RULES.find((r) => r.names.some((n) => new RegExp(globToRegExp(n).source, 'i').test(name)))?.reason ?? null;

  it('a file name falls under the rule the globs say, whatever its case (property)', () => {
    const pieces = FILE_RULES.flatMap((r) => r.names)
      .flatMap((n) => n.split(/[*?]/))
      .filter((p) => p !== '')
      .flatMap((p) => [p, p.toUpperCase(), p.slice(1), p.slice(0, -1)]);
    const name = fc
      .array(fc.constantFrom(...pieces, '.', 'x', 'É', 'İ', 'ſ', 'K', '_', '-', 'ts'), { minLength: 1, maxLength: 5 })
      .map((xs) => xs.join(''))
      .filter((n) => !n.includes('/') && n !== 'task-list.md');
    fc.assert(
      fc.property(name, (n) => {
        expect(defaultExcludeReason(n), n).toBe(reference(n));
      }),
      { numRuns: 3000 },
    );
    for (const n of ['yarn.lock', 'YARN.LOCK', 'id_rsa.pub', '.env.local', 'prod.env', 'x.tfstate.backup', 'credentials', 'credentials.JSON', 'a.ts'])
      expect(defaultExcludeReason(n), n).toBe(reference(n));
  });
});
