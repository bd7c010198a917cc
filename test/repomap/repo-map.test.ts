import { describe, expect, it } from 'vitest';
import { assembleRepoMap, buildRepoMap, outlineFile } from '../../src/repomap/repo-map.js';
import { estimateTokens } from '../../src/shared/tokens.js';
import { fixtureSources } from './load-fixtures.js';

const files = fixtureSources();
const mapOf = () => buildRepoMap(files);

describe('the repo map of the fixture repo', () => {
  it('resolves imports to repo files: TS/JS extensions and index files, Python modules and packages, Go packages via go.mod', async () => {
    const map = await mapOf();
    expect(map.imports.get('ts/src/server.ts')).toEqual([
      'ts/src/config.ts',
      'ts/src/routes/orders.ts',
      'ts/src/routes/users.ts',
      'ts/src/util/log.ts',
    ]);
    expect(map.imports.get('ts/src/app.tsx')).toEqual(['ts/src/util/log.ts']);
    expect(map.imports.get('js/lib/index.js')).toEqual(['js/lib/parse.js']); // './parse' without extension
    expect(map.imports.get('js/lib/render.mjs')).toEqual(['js/lib/index.js', 'js/lib/parse.js']); // import and import()
    expect(map.imports.get('py/shop/service.py')).toEqual(['py/shop/db.py', 'py/shop/models.py']);
    expect(map.imports.get('py/main.py')).toEqual(['py/shop/__init__.py', 'py/shop/service.py']); // from shop import service
    expect(map.imports.get('py/shop/__init__.py')).toEqual(['py/shop/models.py']); // from .models import Order
    expect(map.imports.get('go/main.go')).toEqual(['go/store/item.go', 'go/store/store.go']);
    expect(map.imports.get('docs/notes.txt')).toEqual([]);
    expect(map.importedBy.get('ts/src/util/log.ts')).toEqual([
      'ts/src/app.tsx',
      'ts/src/routes/orders.ts',
      'ts/src/routes/users.ts',
      'ts/src/server.ts',
    ]);
    expect(map.importedBy.get('ts/src/index.ts')).toEqual([]);
    expect([...map.imports.keys()].sort()).toEqual(files.map((f) => f.path));
  });

  it('ranks a file the others import above the leaves that import it', async () => {
    const { rank } = await mapOf();
    const r = (p: string) => rank.get(p)!;
    expect(r('ts/src/util/log.ts')).toBeGreaterThan(r('ts/src/routes/users.ts'));
    expect(r('ts/src/config.ts')).toBeGreaterThan(r('ts/src/index.ts'));
    expect(r('py/shop/models.py')).toBeGreaterThan(r('py/main.py'));
    expect(r('go/store/store.go')).toBeGreaterThan(r('go/main.go'));
    expect(r('js/lib/parse.js')).toBeGreaterThan(r('js/lib/render.mjs'));
    expect([...rank.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('renders every file once, most referred-to first (ties by path), declarations indented under their file', async () => {
    const map = await mapOf();
    const lines = map.text.split('\n');
    expect(lines[0]).toBe(`<repo_map files="${files.length}">`);
    expect(lines.at(-2)).toBe('</repo_map>');
    expect(lines.at(-1)).toBe('');
    const pathLines = lines.slice(2, -2).filter((l) => !l.startsWith(' '));
    expect([...pathLines].sort()).toEqual(files.map((f) => f.path));
    const ranks = pathLines.map((p) => map.rank.get(p)!);
    for (let i = 1; i < ranks.length; i++) {
      expect(ranks[i]!).toBeLessThanOrEqual(ranks[i - 1]!);
      if (ranks[i] === ranks[i - 1]) expect(pathLines[i]! > pathLines[i - 1]!).toBe(true);
    }
    const at = lines.indexOf('ts/src/util/log.ts');
    expect(lines.slice(at, at + 4)).toEqual([
      'ts/src/util/log.ts',
      "  export type Level = 'debug' | 'info' | 'warn';",
      '  export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void',
      '  export const warn = (message: string): void =>',
    ]);
    const server = lines.indexOf('ts/src/server.ts');
    expect(lines[server + 3]).toBe('    constructor(readonly config: Config = DEFAULTS)');
    // a file without a grammar: its path line and nothing under it
    const notes = lines.indexOf('docs/notes.txt');
    expect(lines[notes + 1]!.startsWith(' ')).toBe(false);
    expect(map.tokens).toBe(estimateTokens(map.text));
    expect(map.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('assembleRepoMap equals buildRepoMap, and refuses two outlines of one path', async () => {
    const outlines = await Promise.all(files.map((f) => outlineFile(f.path, f.content)));
    expect(assembleRepoMap(outlines).text).toBe((await mapOf()).text);
    expect(() => assembleRepoMap([outlines[0]!, outlines[0]!])).toThrow(/two outlines/);
    expect(assembleRepoMap([]).text).toBe(`<repo_map files="0">\n${assembleRepoMap([]).text.split('\n')[1]}\n</repo_map>\n`);
  });

  it('a bare import of a workspace package resolves through its package.json name', async () => {
    const map = await buildRepoMap([
      { path: 'packages/db/package.json', content: '{ "name": "@acme/db", "version": "1.0.0" }' },
      { path: 'packages/db/src/index.ts', content: "export * from './client.js';\n" },
      { path: 'packages/db/src/client.ts', content: 'export class Client {}\n' },
      { path: 'packages/ui/package.json', content: '{ "name": "ui" }' },
      { path: 'packages/ui/index.js', content: 'export const Button = () => null;\n' },
      { path: 'bad/package.json', content: '{ not json' },
      {
        path: 'apps/web/page.ts',
        content: "import { db } from '@acme/db';\nimport { Client } from '@acme/db/client';\nimport 'ui';\nimport 'react';\n",
      },
    ]);
    expect(map.imports.get('apps/web/page.ts')).toEqual(['packages/db/src/client.ts', 'packages/db/src/index.ts', 'packages/ui/index.js']);
    expect(map.text).toContain('packages/db/package.json\n  package @acme/db\n');
    expect(map.text).toMatch(/\nbad\/package.json\n(?! )/);
  });

  it('a relative import that climbs out of the repo, or names no file, resolves to nothing', async () => {
    const map = await buildRepoMap([
      { path: 'a.ts', content: "import x from '../../etc/passwd';\nimport y from './missing.js';\nimport z from 'lodash';\n" },
      { path: 'b.ts', content: 'export const b = 1;\n' },
    ]);
    expect(map.imports.get('a.ts')).toEqual([]);
  });
});

describe('a token budget for the map', () => {
  /** Every file a map lists: path lines at the margin, and the names of `dir/: a b` group lines. */
  const listed = (text: string) =>
    text
      .split('\n')
      .slice(3, -2)
      .filter((l) => !l.startsWith(' '))
      .flatMap((l) => {
        const m = /^(.*)\/: (.*)$/.exec(l);
        return m ? m[2]!.split(' ').map((n) => (m[1] === '.' ? n : `${m[1]}/${n}`)) : [l];
      })
      .sort();

  it('keeps every path, declarations only for the highest-ranked files that fit, the rest one line per directory, within the budget', async () => {
    const full = await buildRepoMap(files);
    const pathsOnly = await buildRepoMap(files, { maxTokens: 0 });
    expect(pathsOnly.text).toContain(`the first 0 files with their declarations; then the other ${files.length} by path only`);
    expect(pathsOnly.text.split('\n').filter((l) => l.startsWith(' '))).toEqual([]);
    expect(pathsOnly.text).toContain('\nts/src/routes/: orders.ts users.ts\n');
    expect(listed(pathsOnly.text)).toEqual(files.map((f) => f.path));
    expect(estimateTokens(pathsOnly.text.split('\n').slice(3, -2).join('\n'))).toBeLessThan(estimateTokens(files.map((f) => f.path).join('\n')));
    const budget = Math.round((pathsOnly.tokens + full.tokens) / 2);
    const cut = await buildRepoMap(files, { maxTokens: budget });
    expect(cut.tokens).toBeLessThanOrEqual(budget);
    expect(cut.tokens).toBeGreaterThan(pathsOnly.tokens);
    expect(listed(cut.text)).toEqual(files.map((f) => f.path));
    const lines = cut.text.split('\n');
    const top = lines[3]!;
    expect(top).toBe(full.text.split('\n')[2]); // the highest-ranked file, with its declarations
    expect(lines[4]).toBe(full.text.split('\n')[3]);
    expect(lines).not.toContain('ts/src/index.ts'); // ranked last: in its directory's line
    expect(await buildRepoMap(files, { maxTokens: full.tokens })).toMatchObject({ text: full.text });
    for (let b = pathsOnly.tokens; b <= full.tokens; b += 37) expect((await buildRepoMap(files, { maxTokens: b })).tokens).toBeLessThanOrEqual(b);
  });

  it('escapes blanks in grouped names so a name cannot pass for two', async () => {
    const map = await buildRepoMap(
      [
        { path: 'd/a b.txt', content: '' },
        { path: 'd/c.txt', content: '' },
        { path: 'e.ts', content: 'export function e(): void {}\n' },
      ],
      { maxTokens: 0 },
    );
    expect(map.text).toContain('\nd/: a\\u{20}b.txt c.txt\n');
    expect(map.text).toContain('\n./: e.ts\n');
  });
});
