/**
 * The dead-export check of `npm test` (scripts/dead-exports.js), on a small repository laid out
 * like this one: what counts as a use, what is reported, and the exit code.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

const FILES: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'fixture',
    type: 'module',
    exports: {
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './sub': { import: './dist/sub/index.js' },
      './package.json': './package.json',
    },
  }),
  // The public API: everything it exports is used, also through `export *`.
  'src/index.ts': "export { api } from './a.js';\nexport * from './star.js';\nexport { b } from './b.js';\nexport { d } from './d.js';\n",
  'src/sub/index.ts': 'export const subApi = 1;\n',
  'src/star.ts': 'export const starred = 1;\n',
  'src/a.ts': [
    'export const api = 1;',
    'export const usedByB = 2;',
    'export const onlyHere = 3;',
    'export const unused = 4;',
    'export interface Options { x: number }',
    'export function withOptions(o: Options): number { return o.x + onlyHere; }',
    'export type Lonely = string;',
    'export const viaReexport = 5;',
    'export const viaDeadReexport = 6;',
    'export const byBench = 7;',
    'export type ByImportType = number;',
    '',
  ].join('\n'),
  'src/b.ts': "import { usedByB } from './a.js';\nimport { again } from './c.js';\nexport const b = usedByB + again;\n",
  'src/c.ts': "export { viaReexport as again, viaDeadReexport } from './a.js';\n",
  'src/d.ts': "import * as all from './e.js';\nexport const d = all;\nexport let t: import('./a.js').ByImportType = 1;\n",
  'src/e.ts': 'export const e1 = 1;\nexport const e2 = 2;\n',
  'test/a.test.ts': "import { withOptions } from '../src/a.js';\nwithOptions({ x: 1 });\n",
  'bench/x.js': "const { byBench } = await import('../dist/a.js');\nconsole.log(byBench);\n",
};

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('harness-dead-exports-');
  for (const [rel, text] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const check = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'dead-exports.js'), '--root', dir, ...args], { encoding: 'utf8' });

describe('scripts/dead-exports.js', () => {
  it('reports the exports no other file imports, and fails', () => {
    const r = check();
    expect(r.status).toBe(1);
    const listed = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('  '))
      .map((l) => l.trim().replace(/:\d+ +/, ' '));
    expect(listed.sort()).toEqual([
      'src/a.ts Lonely',
      'src/a.ts onlyHere',
      'src/a.ts unused',
      'src/a.ts viaDeadReexport',
      'src/c.ts viaDeadReexport',
      'src/d.ts t',
    ]);
  });

  it('counts tests as users, and lists the exports only tests use on request', () => {
    const r = check('--test-only');
    expect(r.stdout).toMatch(/Exports only tests use \(1\):\n {2}src\/a\.ts:6 {2}withOptions {2}\(test\/a\.test\.ts\)/);
  });
});
