import { describe, expect, it } from 'vitest';
import { assembleRepoMap, buildRepoMap, outlineFile } from '../../src/repomap/repo-map.js';

describe('repo map interface', () => {
  it('a file without a grammar gets its path only', async () => {
    const o = await outlineFile('notes/readme.txt', 'function looksLikeCode() {}\n');
    expect(o).toEqual({ path: 'notes/readme.txt', language: null, declarations: [], imports: [], references: [] });
  });

  it('every file is in the map, and the map does not depend on the input order', async () => {
    const files = [
      { path: 'b.txt', content: 'b' },
      { path: 'a.txt', content: 'a' },
    ];
    const one = await buildRepoMap(files);
    const two = await buildRepoMap([...files].reverse());
    expect(one.text).toBe(two.text);
    expect(one.sha256).toBe(two.sha256);
    expect(one.text).toContain('a.txt\n');
    expect(one.text).toContain('b.txt\n');
    expect([...one.rank.keys()].sort()).toEqual(['a.txt', 'b.txt']);
    expect(assembleRepoMap([]).tokens).toBeGreaterThan(0);
  });
});
