import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRepoMap, type MapSource } from '../../src/repomap/repo-map.js';
import { fixtureSources } from './load-fixtures.js';

const fixtures = fixtureSources();

/** Extra generated files: small modules that import each other (TS relative or through ts/tsconfig.json's paths and baseUrl; Rust mods and uses), plus arbitrary text under other names. */
const extraFile = fc.oneof(
  fc
    .record({
      name: fc.stringMatching(/^[a-z]{1,6}$/),
      dir: fc.constantFrom('', 'lib/', 'lib/deep/', 'ts/src/'),
      imports: fc.array(fc.constantFrom('./util/log.js', '../config.js', './a.js', '../lib/b', './index.js', '@util/log.js', 'config'), {
        maxLength: 3,
      }),
      fn: fc.stringMatching(/^[a-zA-Z_]\w{0,10}$/),
    })
    .map(({ name, dir, imports, fn }) => ({
      path: `${dir}${name}.ts`,
      content: `${imports.map((s, i) => `import * as m${i} from '${s}';\n`).join('')}export function ${fn}(x: number): number {\n  return x;\n}\n`,
    })),
  // Rust files that declare and use each other's modules: which file is a crate root depends on the others
  fc
    .record({
      name: fc.stringMatching(/^[a-z]{1,4}$/),
      dir: fc.constantFrom('', 'rust-ws/core/src/', 'rust-ws/core/src/model/', 'rust-ws/core/tests/'),
      lines: fc.array(
        fc.constantFrom('mod a;', 'mod b;', 'mod model;', 'mod line;', 'use crate::model::Order;', 'use super::*;', 'use shop_core::store;'),
        {
          maxLength: 4,
        },
      ),
    })
    .map(({ name, dir, lines }) => ({ path: `${dir}${name}.rs`, content: `${lines.join('\n')}\npub fn f() {}\n` })),
  fc.record({ path: fc.stringMatching(/^[a-z]{1,8}\.(?:txt|py|go|js)$/), content: fc.string({ maxLength: 200 }) }),
);

/** Same set of files, any order, and one path never twice. */
const uniqueByPath = (files: MapSource[]) => [...new Map(files.map((f) => [f.path, f])).values()];

describe('the repo map is deterministic', () => {
  it('same set of files in any order gives the same bytes, hash, graph and ranks, with or without a budget', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(extraFile, { maxLength: 6 }), fc.infiniteStream(fc.nat()), async (extra, randoms) => {
        const files = uniqueByPath([...fixtures, ...extra]);
        const shuffled = files
          .map((f) => ({ f, k: randoms.next().value }))
          .sort((a, b) => a.k - b.k)
          .map(({ f }) => f);
        const one = await buildRepoMap(files);
        const two = await buildRepoMap(shuffled);
        expect(two.text).toBe(one.text);
        expect(two.sha256).toBe(one.sha256);
        expect([...two.rank.entries()].sort()).toEqual([...one.rank.entries()].sort());
        expect([...two.imports.entries()].sort()).toEqual([...one.imports.entries()].sort());
        expect([...two.importedBy.entries()].sort()).toEqual([...one.importedBy.entries()].sort());
        const budget = 400 + 5 * files.length;
        expect((await buildRepoMap(shuffled, { maxTokens: budget })).text).toBe((await buildRepoMap(files, { maxTokens: budget })).text);
      }),
      { numRuns: 25 },
    );
  });

  it('holds no timestamp, absolute path or machine detail', async () => {
    const map = await buildRepoMap(fixtures);
    expect(map.text).not.toContain(process.cwd());
    expect(map.text).not.toMatch(/\b20\d\d-\d\d-\d\d/);
    expect(map.text).not.toMatch(/\d\.\d{3,}/); // no rank numbers rendered
  });
});
