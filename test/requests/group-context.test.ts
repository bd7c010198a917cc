/** The group-context selection (requests/group-context.ts): own files first, then related by rank, then same directories, within a budget. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byDirectory, groupContextText, type RelatedGraph, selectGroupContext } from '../../src/requests/group-context.js';

const TOKENS = new Map<string, number>([
  ['src/a/own.ts', 100],
  ['src/a/own2.ts', 50],
  ['src/a/sibling.ts', 40],
  ['src/a/sibling-big.ts', 500],
  ['src/b/dep.ts', 30],
  ['src/b/dep-low.ts', 30],
  ['src/c/user.ts', 60],
  ['src/d/far.ts', 10],
]);

const GRAPH: RelatedGraph = {
  imports: new Map([['src/a/own.ts', ['src/b/dep.ts', 'src/b/dep-low.ts']]]),
  importedBy: new Map([['src/a/own.ts', ['src/c/user.ts']]]),
  rank: new Map([
    ['src/b/dep.ts', 0.3],
    ['src/b/dep-low.ts', 0.01],
    ['src/c/user.ts', 0.2],
    ['src/a/sibling.ts', 0.05],
    ['src/a/sibling-big.ts', 0.4],
  ]),
};

const select = (own: string[], budget: number, skip?: Set<string>) =>
  selectGroupContext({ own, tokens: TOKENS, dirs: byDirectory(TOKENS.keys()), graph: GRAPH, budget, ...(skip ? { skip } : {}) });

describe('selectGroupContext', () => {
  it('takes the own files, then imports and importers by rank, then same-directory files, while the budget has room', () => {
    const s = select(['src/a/own.ts', 'src/a/new.ts'], 1_000);
    expect(s.own).toEqual(['src/a/own.ts']);
    expect(s.ownTokens).toBe(100);
    // 100 own + 30 dep + 60 user + 30 dep-low = 220; then sibling-big (500) = 720, own2 (50) = 770, sibling (40) = 810.
    expect(s.paths).toEqual([
      'src/a/own.ts',
      'src/a/own2.ts',
      'src/a/sibling-big.ts',
      'src/a/sibling.ts',
      'src/b/dep-low.ts',
      'src/b/dep.ts',
      'src/c/user.ts',
    ]);
    expect(s.tokens).toBe(810);
    expect(s.paths).not.toContain('src/d/far.ts');
  });

  it('by rank within a tier: with room for one related file, the highest-ranked import comes in', () => {
    expect(select(['src/a/own.ts'], 130).paths).toEqual(['src/a/own.ts', 'src/b/dep.ts']);
    expect(select(['src/a/own.ts'], 190).paths).toEqual(['src/a/own.ts', 'src/b/dep.ts', 'src/c/user.ts']);
  });

  it('a file too big for the rest of the budget is skipped and smaller ones after it still come in', () => {
    const s = select(['src/a/own.ts'], 320);
    expect(s.paths).not.toContain('src/a/sibling-big.ts');
    expect(s.paths).toContain('src/a/own2.ts');
    expect(s.tokens).toBeLessThanOrEqual(320);
  });

  it('own files are always selected, even past the budget; files sent elsewhere (skip) are not', () => {
    const s = select(['src/a/own.ts', 'src/a/sibling-big.ts'], 10);
    expect(s.own).toEqual(['src/a/own.ts', 'src/a/sibling-big.ts']);
    expect(s.ownTokens).toBe(600);
    expect(s.paths).toEqual(['src/a/own.ts', 'src/a/sibling-big.ts']);
    expect(select(['src/a/own.ts'], 1_000, new Set(['src/b/dep.ts'])).paths).not.toContain('src/b/dep.ts');
  });

  it('property: within the budget beyond the own files, own files first, and the same input gives the same paths in any own order', () => {
    const paths = [...TOKENS.keys()];
    fc.assert(
      fc.property(fc.subarray(paths, { minLength: 1 }), fc.integer({ min: 0, max: 1_500 }), (own, budget) => {
        const s = select(own, budget);
        expect(s.tokens).toBeLessThanOrEqual(Math.max(budget, s.ownTokens));
        for (const p of own) expect(s.paths).toContain(p);
        expect(select([...own].reverse(), budget).paths).toEqual(s.paths);
        expect(s.paths).toEqual([...s.paths].sort());
      }),
    );
  });

  it('the block lists its files in path order whatever the input order: the same selection, the same bytes', () => {
    const a = groupContextText([
      { path: 'b.ts', content: 'B\n' },
      { path: 'a.ts', content: 'A' },
    ]);
    const b = groupContextText([
      { path: 'a.ts', content: 'A' },
      { path: 'b.ts', content: 'B\n' },
    ]);
    expect(a).toBe(b);
    expect(a.indexOf('<file path="a.ts">\nA\n</file>')).toBeLessThan(a.indexOf('<file path="b.ts">\nB\n</file>'));
  });
});
