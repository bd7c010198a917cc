import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoMapFor } from '../../src/pipeline/repo-map-store.js';
import { makeTempDir } from '../helpers/tmp.js';

const files = [
  { path: 'src/a.ts', content: "import { b } from './b.js';\nexport function a(): number {\n  return b();\n}\n" },
  { path: 'src/b.ts', content: 'export function b(): number {\n  return 1;\n}\n' },
];

describe('repoMapFor: the map of a map-mode snapshot is built once and read back', () => {
  it('a reuse of the same snapshot and budget reads the stored map (no parse), another snapshot or budget builds anew', async () => {
    const dir = await makeTempDir('repo-map-store-');
    await mkdir(path.join(dir, '.harness'));
    const built = await repoMapFor(dir, files, 'sha-1', 10_000);
    expect(existsSync(path.join(dir, '.harness/repo-map.json'))).toBe(true);
    expect(built.text).toContain('function b');
    // Same snapshot and budget: the stored map, whatever the files passed (they are the snapshot's).
    const read = await repoMapFor(dir, [], 'sha-1', 10_000);
    expect(read).toEqual(built);
    // Another snapshot: built from the files given.
    expect((await repoMapFor(dir, [], 'sha-2', 10_000)).text).not.toContain('function b');
    expect((await repoMapFor(dir, files, 'sha-2', 5_000)).text).toContain('function b');
  });
});
