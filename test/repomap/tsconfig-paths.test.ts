import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRepoMap, type MapSource, outlineFile } from '../../src/repomap/repo-map.js';

const ts = (path: string, ...imports: string[]): MapSource => ({
  path,
  content: `${imports.map((s, i) => `import * as m${i} from '${s}';\n`).join('')}export const x${path.length} = 1;\n`,
});
const json = (path: string, value: unknown): MapSource => ({ path, content: JSON.stringify(value, null, 2) });

describe('tsconfig and jsconfig files in the outline', () => {
  it('reads paths, baseUrl and extends from JSON with comments and trailing commas', async () => {
    const o = await outlineFile(
      'tsconfig.json',
      `// the root config
{
  "extends": "./tsconfig.base", /* no .json */
  "compilerOptions": {
    "baseUrl": ".",
    "paths": { "@app/*": ["src/app/*", "gen/*",], "~/*": ["./src/*"], "bad": "not-a-list", },
  },
}
`,
    );
    expect(o.language).toBe('tsconfig');
    expect(o.declarations).toEqual([]);
    expect(o.tsconfig).toEqual({
      extends: ['./tsconfig.base'],
      baseUrl: '.',
      paths: [
        ['@app/*', ['src/app/*', 'gen/*']],
        ['~/*', ['./src/*']],
      ],
      references: [],
      include: null,
    });
    expect((await outlineFile('a/tsconfig.build.json', '{"extends": ["./a.json", 3, "@tsconfig/node20/tsconfig.json"]}')).tsconfig).toEqual({
      extends: ['./a.json', '@tsconfig/node20/tsconfig.json'],
      baseUrl: null,
      paths: null,
      references: [],
      include: null,
    });
    expect((await outlineFile('jsconfig.json', '{"compilerOptions": {"paths": {}}}')).tsconfig?.paths).toEqual([]);
    expect((await outlineFile('tsconfig.json', '{"references": [{"path": "./a"}, {"x": 1}, "b"], "include": ["src", 3]}')).tsconfig).toMatchObject({
      references: ['./a'],
      include: ['src'],
    });
  });

  it('a config that does not parse contributes nothing and does not throw', async () => {
    for (const content of ['{ "compilerOptions": { "baseUrl": ', '[1, 2]', 'null', '', '{"compilerOptions": {"paths": {"a": ["b"]}} junk']) {
      const o = await outlineFile('tsconfig.json', content);
      expect(o.language).toBe('tsconfig');
      expect(o.tsconfig).toBeUndefined();
    }
    expect((await outlineFile('tsconfigs.json', '{}')).language).toBeNull(); // not a config name
  });
});

describe('imports through tsconfig paths and baseUrl', () => {
  it('resolves `paths` patterns relative to baseUrl, an exact key before patterns, the longest prefix first, each target in order', async () => {
    const map = await buildRepoMap([
      json('tsconfig.json', {
        compilerOptions: {
          baseUrl: './src',
          paths: {
            '@app/*': ['app/*', 'generated/*'],
            '@app/special/*': ['special/*'],
            '@app/config': ['settings/index.ts'],
            '*-icon': ['icons/*.svg.ts'],
          },
        },
      }),
      ts('src/app/orders.ts'),
      ts('src/app/util/index.ts'),
      ts('src/generated/schema.ts'),
      ts('src/special/x.ts'),
      ts('src/app/special/x.ts'),
      ts('src/settings/index.ts'),
      ts('src/app/config.ts'),
      ts('src/icons/home.svg.ts'),
      ts('src/lib/log.ts'),
      ts(
        'src/pages/home.ts',
        '@app/orders',
        '@app/util',
        '@app/schema.js',
        '@app/special/x',
        '@app/config',
        'home-icon',
        'lib/log',
        'react',
        '@app/missing',
      ),
    ]);
    expect(map.imports.get('src/pages/home.ts')).toEqual([
      'src/app/orders.ts', // @app/* -> app/*
      'src/app/util/index.ts', // a directory's index
      'src/generated/schema.ts', // the second target, with .js -> .ts
      'src/icons/home.svg.ts', // a pattern with a suffix
      'src/lib/log.ts', // baseUrl-relative
      'src/settings/index.ts', // the exact key wins over @app/*
      'src/special/x.ts', // the longer prefix wins
    ]);
    expect(map.importedBy.get('src/app/orders.ts')).toEqual(['src/pages/home.ts']);
  });

  it('without baseUrl, targets are relative to the config that sets paths; the nearest config applies to a file', async () => {
    const map = await buildRepoMap([
      json('tsconfig.json', { compilerOptions: { paths: { '~/*': ['./src/*'] } } }),
      json('tools/jsconfig.json', { compilerOptions: { paths: { '~/*': ['./lib/*'] } } }),
      ts('src/db.ts'),
      ts('tools/lib/db.js'),
      ts('src/deep/a/b/user.ts', '~/db'),
      ts('tools/run.js', '~/db'),
      ts('db.ts'),
      ts('top.ts', 'db'), // no baseUrl: a bare `db` is not the root's db.ts
    ]);
    expect(map.imports.get('src/deep/a/b/user.ts')).toEqual(['src/db.ts']);
    expect(map.imports.get('tools/run.js')).toEqual(['tools/lib/db.js']);
    expect(map.imports.get('top.ts')).toEqual([]);
  });

  it('follows extends within the repo: a child’s paths replace the parent’s, baseUrl is relative to the config that sets it', async () => {
    const map = await buildRepoMap([
      {
        path: 'tsconfig.base.json',
        content:
          '{\n  // shared\n  "compilerOptions": { "baseUrl": ".", "paths": { "@shared/*": ["packages/shared/src/*"], "@old/*": ["old/*"], }, },\n}\n',
      },
      json('apps/web/tsconfig.json', { extends: '../../tsconfig.base', compilerOptions: { paths: { '@web/*': ['apps/web/src/*'] } } }),
      json('apps/api/tsconfig.json', { extends: ['@tsconfig/node20/tsconfig.json', '../../tsconfig.base.json'] }),
      json('apps/cli/tsconfig.json', { extends: './tsconfig.mid.json' }),
      json('apps/cli/tsconfig.mid.json', { extends: '../../tsconfig.base.json', compilerOptions: { baseUrl: './src' } }),
      ts('packages/shared/src/money.ts'),
      ts('old/legacy.ts'),
      ts('apps/web/src/cart.ts'),
      ts('apps/cli/src/args.ts'),
      ts('apps/cli/src/packages/shared/src/money.ts'),
      ts('apps/web/src/page.ts', '@web/cart', '@shared/money', '@old/legacy'),
      ts('apps/api/src/server.ts', '@shared/money', '@old/legacy'),
      ts('apps/cli/src/main.ts', '@shared/money', 'args'),
    ]);
    // the child's own `paths` replace the base's wholesale; its baseUrl (the base's: the repo root) still applies
    expect(map.imports.get('apps/web/src/page.ts')).toEqual(['apps/web/src/cart.ts']);
    // a package in `extends` is skipped, the relative one is followed
    expect(map.imports.get('apps/api/src/server.ts')).toEqual(['old/legacy.ts', 'packages/shared/src/money.ts']);
    // the middle config's baseUrl (relative to itself) replaces the base's, and the base's paths resolve against it
    expect(map.imports.get('apps/cli/src/main.ts')).toEqual(['apps/cli/src/args.ts', 'apps/cli/src/packages/shared/src/money.ts']);
    expect(map.importedBy.get('packages/shared/src/money.ts')).toEqual(['apps/api/src/server.ts']);
  });

  it('`${configDir}` in a shared config is the directory of the config that uses it', async () => {
    const map = await buildRepoMap([
      json('tsconfig.shared.json', { compilerOptions: { paths: { '#/*': ['${configDir}/src/*'] } } }),
      json('configs/tsconfig.base.json', { compilerOptions: { baseUrl: '${configDir}/lib' } }),
      json('apps/a/tsconfig.json', { extends: '../../tsconfig.shared.json' }),
      json('apps/b/tsconfig.json', { extends: ['../../configs/tsconfig.base.json', '../../tsconfig.shared.json'] }),
      ts('apps/a/src/x.ts'),
      ts('apps/b/src/x.ts'),
      ts('apps/b/lib/y.ts'),
      ts('src/x.ts'),
      ts('apps/a/main.ts', '#/x'),
      ts('apps/b/main.ts', '#/x', 'y'),
    ]);
    expect(map.imports.get('apps/a/main.ts')).toEqual(['apps/a/src/x.ts']);
    // with a baseUrl, a `${configDir}` target is still the config's directory, not under baseUrl
    expect(map.imports.get('apps/b/main.ts')).toEqual(['apps/b/lib/y.ts', 'apps/b/src/x.ts']);
  });

  it('a solution-style tsconfig.json (references, no paths of its own) applies the referenced project whose include covers the file', async () => {
    const map = await buildRepoMap([
      // Vite's React template: the root config only lists its projects
      {
        path: 'tsconfig.json',
        content:
          '{\n  "files": [],\n  "references": [{ "path": "./tsconfig.node.json" }, { "path": "./tsconfig.app.json" }, { "path": "./packages/ui" }],\n}\n',
      },
      json('tsconfig.node.json', { include: ['vite.config.ts'], compilerOptions: { paths: { '@/*': ['./config/*'] } } }),
      json('tsconfig.app.json', { include: ['src/**/*.ts', 'src/**/*.tsx'], compilerOptions: { baseUrl: '.', paths: { '@/*': ['./src/*'] } } }),
      json('packages/ui/tsconfig.json', { compilerOptions: { paths: { '@/*': ['./lib/*'] } } }),
      ts('src/lib/utils.ts'),
      ts('config/utils.ts'),
      ts('packages/ui/lib/utils.ts'),
      ts('src/components/button.tsx', '@/lib/utils'),
      ts('vite.config.ts', '@/utils'),
      ts('scripts/build.ts', '@/lib/utils'), // in no project's include
      ts('packages/ui/button.ts', '@/utils'), // its own nearest config
    ]);
    expect(map.imports.get('src/components/button.tsx')).toEqual(['src/lib/utils.ts']);
    expect(map.imports.get('vite.config.ts')).toEqual(['config/utils.ts']);
    expect(map.imports.get('scripts/build.ts')).toEqual([]);
    expect(map.imports.get('packages/ui/button.ts')).toEqual(['packages/ui/lib/utils.ts']);
  });

  it('a cycle of extends, a broken config, or paths out of the repo resolve to nothing and never throw; workspace packages still resolve', async () => {
    const map = await buildRepoMap([
      json('a/tsconfig.json', { extends: './tsconfig.b.json', compilerOptions: { paths: { '@a/*': ['src/*'] } } }),
      json('a/tsconfig.b.json', { extends: './tsconfig.json', compilerOptions: { baseUrl: '.' } }),
      { path: 'b/tsconfig.json', content: '{ "compilerOptions": { "paths": { "@b/*": ["src/*"] ' },
      json('c/tsconfig.json', { compilerOptions: { baseUrl: '../..', paths: { '@c/*': ['../../../*', '/etc/*'] } } }),
      json('packages/kit/package.json', { name: '@acme/kit' }),
      ts('packages/kit/src/index.ts'),
      ts('a/src/x.ts'),
      ts('b/src/y.ts'),
      ts('a/main.ts', '@a/x', 'src/x'),
      ts('b/main.ts', '@b/y'),
      ts('c/main.ts', '@c/passwd', 'etc/passwd', '@acme/kit'),
    ]);
    expect(map.imports.get('a/main.ts')).toEqual(['a/src/x.ts']);
    expect(map.imports.get('b/main.ts')).toEqual([]);
    expect(map.imports.get('c/main.ts')).toEqual(['packages/kit/src/index.ts']);
  });

  it('ranks a module the repo imports only through an alias above the files that import it', async () => {
    const pages = Array.from({ length: 6 }, (_, i) => ts(`src/pages/p${i}.ts`, '@core/store'));
    const map = await buildRepoMap([
      json('tsconfig.json', { compilerOptions: { paths: { '@core/*': ['./src/core/*'] } } }),
      ts('src/core/store.ts'),
      ...pages,
    ]);
    const r = (p: string) => map.rank.get(p)!;
    for (const p of pages) expect(r('src/core/store.ts')).toBeGreaterThan(r(p.path) * 3);
    expect(map.text.split('\n')[2]).toBe('src/core/store.ts');
  });
});

describe('any tsconfig, package.json and import', () => {
  const segment = fc.constantFrom('src', 'lib', 'app', '..', '.', '*', '@a', '~', 'x.ts', 'index', '${configDir}', '/abs', '');
  const pathLike = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
  const dir = fc.constantFrom('', 'app/', 'app/src/', 'lib/');
  const config = fc.record({
    path: fc.tuple(dir, fc.constantFrom('tsconfig.json', 'jsconfig.json', 'tsconfig.base.json')).map(([d, n]) => d + n),
    extends: fc.option(fc.constantFrom('./tsconfig.base.json', '../tsconfig.json', '../../tsconfig.base', '@tsconfig/x', './tsconfig.json')),
    baseUrl: fc.option(pathLike),
    paths: fc.option(fc.dictionary(pathLike, fc.array(pathLike, { maxLength: 3 }), { maxKeys: 4 })),
    references: fc.array(fc.constantFrom('./tsconfig.base.json', './app', '../lib'), { maxLength: 2 }),
  });
  const file = fc.tuple(dir, fc.constantFrom('src/', 'lib/', 'app/', ''), fc.constantFrom('a.ts', 'x.ts', 'index.ts', 'b.js')).map((p) => p.join(''));

  it('resolves only to files of the repo, never throws, and gives the same map in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(config, { maxLength: 4 }),
        fc.array(file, { minLength: 1, maxLength: 8 }),
        fc.array(pathLike, { maxLength: 6 }),
        fc.option(fc.dictionary(fc.constantFrom('#a', '#a/*', '#*', '#x/*/y'), pathLike, { maxKeys: 3 })),
        async (configs, paths, specs, imports) => {
          const sources = new Map<string, MapSource>();
          for (const c of configs) {
            const options = { ...(c.baseUrl === null ? {} : { baseUrl: c.baseUrl }), ...(c.paths === null ? {} : { paths: c.paths }) };
            const refs = c.references.map((path) => ({ path }));
            sources.set(c.path, json(c.path, { ...(c.extends === null ? {} : { extends: c.extends }), compilerOptions: options, references: refs }));
          }
          if (imports) sources.set('app/package.json', json('app/package.json', { name: 'app', imports }));
          for (const p of paths) sources.set(p, ts(p, ...specs, ...specs.map((s) => `#${s}`)));
          const files = [...sources.values()];
          const map = await buildRepoMap(files);
          const known = new Set(files.map((f) => f.path));
          for (const targets of map.imports.values()) for (const t of targets) expect(known.has(t)).toBe(true);
          expect((await buildRepoMap([...files].reverse())).text).toBe(map.text);
        },
      ),
      { numRuns: 150 },
    );
  });
});
