import { describe, expect, it } from 'vitest';
import { buildRepoMap, type MapSource, outlineFile } from '../../src/repomap/repo-map.js';

const ts = (path: string, ...imports: string[]): MapSource => ({
  path,
  content: `${imports.map((s, i) => `import * as m${i} from '${s}';\n`).join('')}export const x${path.length} = 1;\n`,
});
const json = (path: string, value: unknown): MapSource => ({ path, content: JSON.stringify(value) });

describe('package.json exports and imports', () => {
  it('the outline keeps every relative target of exports and imports, conditions flattened in order', async () => {
    const o = await outlineFile(
      'packages/db/package.json',
      JSON.stringify({
        name: '@acme/db',
        exports: { '.': { types: './dist/index.d.ts', import: './src/index.ts' }, './client': ['./src/client.ts'], './*': './src/*.ts', bad: './x' },
        imports: { '#internal/*': { node: './src/internal/*.ts', default: 'polyfill-pkg' }, nohash: './y.ts' },
      }),
    );
    expect(o.language).toBe('package.json');
    expect(o.declarations.map((d) => d.signature)).toEqual(['package @acme/db']);
    expect(o.packageJson).toEqual({
      exports: [
        ['.', ['./dist/index.d.ts', './src/index.ts']],
        ['./client', ['./src/client.ts']],
        ['./*', ['./src/*.ts']],
      ],
      imports: [['#internal/*', ['./src/internal/*.ts']]],
    });
    expect((await outlineFile('package.json', '{"exports": "./main.js"}')).packageJson).toEqual({ exports: [['.', ['./main.js']]], imports: [] });
    expect(await outlineFile('package.json', '{"version": "1.0.0"}')).toMatchObject({ language: null, declarations: [] });
  });

  it('a workspace package subpath goes through its exports (exact key, else the longest pattern), else the src/, root, lib/ rule', async () => {
    const map = await buildRepoMap([
      json('packages/db/package.json', {
        name: '@acme/db',
        exports: {
          '.': { types: './dist/index.d.ts', default: './src/main.ts' },
          './client': './src/client/index.ts',
          './models/*': './src/models/*.ts',
          './*': './src/other/*.ts',
        },
      }),
      ts('packages/db/src/main.ts'),
      ts('packages/db/src/index.ts'),
      ts('packages/db/src/client/index.ts'),
      ts('packages/db/src/models/user.ts'),
      ts('packages/db/src/other/user.ts'),
      ts('packages/db/src/misc.ts'),
      ts('apps/web/page.ts', '@acme/db', '@acme/db/client', '@acme/db/models/user', '@acme/db/misc'),
    ]);
    expect(map.imports.get('apps/web/page.ts')).toEqual([
      'packages/db/src/client/index.ts',
      'packages/db/src/main.ts', // `.`: the first target that is a repo file (dist/ is not)
      'packages/db/src/misc.ts', // ./* names src/other/misc.ts, which is not there: the src/ rule
      'packages/db/src/models/user.ts', // the longer prefix wins over ./*
    ]);
  });

  it('#subpath imports resolve through the nearest package.json’s imports, after tsconfig paths', async () => {
    const map = await buildRepoMap([
      json('package.json', {
        name: 'app',
        imports: { '#db': './src/db/index.js', '#utils/*': './src/utils/*.js', '#env': { node: './src/env.node.ts' } },
      }),
      json('tools/package.json', { name: 'tools' }),
      ts('src/db/index.ts'),
      ts('src/utils/strings.ts'),
      ts('src/env.node.ts'),
      ts('src/main.ts', '#db', '#utils/strings', '#env', '#missing'),
      ts('tools/run.ts', '#db'), // its package scope is tools/, which has no imports
    ]);
    expect(map.imports.get('src/main.ts')).toEqual(['src/db/index.ts', 'src/env.node.ts', 'src/utils/strings.ts']);
    expect(map.imports.get('tools/run.ts')).toEqual([]);
  });
});
