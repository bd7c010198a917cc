/**
 * The walk's per-file ignore check (src/repo/ignore-files.ts `isFileIgnored`) against asking every
 * layer about the whole path (`isIgnored`, the `ignore` package's answer), for files in directories
 * the walk enters.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type IgnoreLayer, isFileIgnored, isIgnored, readLayer } from '../../src/repo/ignore-files.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'harness-ignore-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A layer of `text` for the repo directory `dir` ('' or `a/`), read as the walk reads one. */
function layer(text: string, dir: string): IgnoreLayer | null {
  const abs = path.join(tmp, String(n++));
  mkdirSync(abs);
  writeFileSync(path.join(abs, '.gitignore'), text);
  return readLayer(abs, dir, (name) => name === '.gitignore');
}

const pattern = fc.constantFrom(
  '*.log',
  'tmp/',
  'a',
  'b*',
  '?c',
  '[ab]c',
  'x.log/',
  'a/b',
  '/a',
  '**/c',
  'c/**',
  '!x.log',
  '!b',
  'tmp\\ ',
  'c ',
  '#c',
  '',
  'b/',
  '*.LOG',
  'A*c',
  'b?',
  '*c[ab]',
  'é*',
  'x.log\t',
);
const segment = fc.constantFrom('a', 'b', 'c', 'ac', 'bc', 'x.log', 'tmp', 'tmp ', 'bb', 'A', 'X.LOG', 'abc', 'Éa', 'éb', 'cb', 'x.log\t', '\u212a');
const rel = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));

describe('isFileIgnored', () => {
  it('says what every layer says of the whole path, for a file whose directories the walk entered (property)', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { maxLength: 5 }),
        fc.array(pattern, { maxLength: 5 }),
        fc.array(rel, { minLength: 1, maxLength: 8 }),
        (root, sub, paths) => {
          const rootLayer = layer(root.join('\n'), '');
          const subLayer = layer(sub.join('\n'), 'a/');
          // The layers in force for the entries of a directory: the root's, and a/'s under a/.
          const at = (dir: string): IgnoreLayer[] =>
            [rootLayer, dir === 'a' || dir.startsWith('a/') ? subLayer : null].filter((l): l is IgnoreLayer => l !== null);
          for (const p of paths) {
            const segments = p.split('/');
            // The walk enters a directory only when its parent's layers do not ignore it.
            const entered = segments
              .slice(0, -1)
              .every((_, i) => !isIgnored(`${segments.slice(0, i + 1).join('/')}/`, at(segments.slice(0, i).join('/'))));
            if (!entered) continue;
            const layers = at(segments.slice(0, -1).join('/'));
            const negates = layers.some((l) => l.negates);
            expect(isFileIgnored(p, segments.at(-1)!, layers, negates), `${JSON.stringify({ root, sub, p })}`).toBe(isIgnored(p, layers));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('asks a layer of name patterns about the name alone', () => {
    const names = layer('*.log\ntmp/\n', '')!;
    const paths = layer('src/*.log\n', '')!;
    expect([names.byName, paths.byName]).toEqual([true, false]);
    expect(isFileIgnored('deep/down/x.log', 'x.log', [names], false)).toBe(true);
    expect(isFileIgnored('deep/down/x.ts', 'x.ts', [names], false)).toBe(false);
    expect(isFileIgnored('src/x.log', 'x.log', [paths], false)).toBe(true);
    expect(isFileIgnored('lib/x.log', 'x.log', [paths], false)).toBe(false);
  });

  it('does not ask a layer of name patterns about a name that starts or ends as none of its file patterns does', () => {
    const names = layer('*.log\ntmp/\nbuild-*\n', '')!;
    expect(names.fileNames).toEqual([
      { start: '', end: '.log' },
      { start: 'build-', end: '' },
    ]);
    const asked: string[] = [];
    const test = names.matcher.test.bind(names.matcher);
    names.matcher.test = (p: string) => {
      asked.push(p);
      return test(p);
    };
    for (const name of ['x.ts', 'tmp', 'readme.md', 'X.LOG', 'build-1.ts', 'a.log']) isFileIgnored(`deep/${name}`, name, [names], false);
    expect(asked).toEqual(['X.LOG', 'build-1.ts', 'a.log']);
  });
});
