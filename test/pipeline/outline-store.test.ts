/**
 * The outlines kept between snapshots (src/pipeline/outline-store.ts): a map built again parses only
 * the files whose content changed, and a harness whose outlines differ reads none of the old ones.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OUTLINE_VERSION, outlinesFor } from '../../src/pipeline/outline-store.js';
import { repoMapFor } from '../../src/pipeline/repo-map-store.js';
import { buildRepoMap, type FileOutline, outlineFile } from '../../src/repomap/repo-map.js';
import { fixtureSources } from '../repomap/load-fixtures.js';
import { ROOT } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

async function stateDir(): Promise<string> {
  const dir = await makeTempDir('outline-store-');
  await mkdir(path.join(dir, '.harness'));
  return dir;
}

/** outlineFile, counting the files it parses. */
function counting() {
  const parsed: string[] = [];
  const outline = (p: string, content: string): Promise<FileOutline> => {
    parsed.push(p);
    return outlineFile(p, content);
  };
  return { parsed, outline };
}

const files = [
  { path: 'src/a.ts', content: "import { b } from './b.js';\nexport function a(): number {\n  return b();\n}\n" },
  { path: 'src/b.ts', content: 'export function b(): number {\n  return 1;\n}\n' },
  { path: 'lib/c.py', content: 'def c():\n    return 3\n' },
];

describe('outlinesFor', () => {
  it('parses every file once; then only a changed or new file; a deleted one leaves the store', async () => {
    const dir = await stateDir();
    const first = counting();
    const fresh = await outlinesFor(dir, files, first);
    expect(first.parsed).toEqual(['src/a.ts', 'src/b.ts', 'lib/c.py']);
    expect(fresh).toEqual(await Promise.all(files.map((f) => outlineFile(f.path, f.content))));

    const again = counting();
    expect(await outlinesFor(dir, files, again)).toEqual(fresh);
    expect(again.parsed).toEqual([]);

    const changed = [
      { ...files[0]!, content: `${files[0]!.content}export const z = 1;\n` },
      files[1]!,
      { path: 'src/d.ts', content: 'export type D = 1;\n' },
    ];
    const third = counting();
    const outlines = await outlinesFor(dir, changed, third);
    expect(third.parsed).toEqual(['src/a.ts', 'src/d.ts']);
    expect(outlines).toEqual(await Promise.all(changed.map((f) => outlineFile(f.path, f.content))));
    const stored = JSON.parse(await readFile(path.join(dir, '.harness/outlines.json'), 'utf8')) as { outlines: [string, FileOutline][] };
    expect(stored.outlines.map(([, o]) => o.path)).toEqual(['src/a.ts', 'src/b.ts', 'src/d.ts']); // lib/c.py is gone
  });

  it('the same content under another path is parsed for that path (the language comes from the name)', async () => {
    const dir = await stateDir();
    await outlinesFor(dir, [{ path: 'a.ts', content: 'export function f() {}\n' }]);
    const moved = counting();
    const [o] = await outlinesFor(dir, [{ path: 'a.py', content: 'export function f() {}\n' }], moved);
    expect(moved.parsed).toEqual(['a.py']);
    expect(o!.path).toBe('a.py');
  });

  it('a damaged store, or one of another outline version, is ignored whole: every file is parsed again', async () => {
    const dir = await stateDir();
    await outlinesFor(dir, files);
    const file = path.join(dir, '.harness/outlines.json');
    const body = JSON.parse(await readFile(file, 'utf8')) as { version: number };
    await writeFile(file, JSON.stringify({ ...body, version: OUTLINE_VERSION + 1 }));
    const other = counting();
    await outlinesFor(dir, files, other);
    expect(other.parsed).toHaveLength(3);
    await writeFile(file, '{"version": 1, "outl');
    const damaged = counting();
    expect(await outlinesFor(dir, files, damaged)).toEqual(await Promise.all(files.map((f) => outlineFile(f.path, f.content))));
    expect(damaged.parsed).toHaveLength(3);
    // Of this version, but an outline without its imports: not this shape, ignored whole.
    await outlinesFor(dir, files);
    const good = JSON.parse(await readFile(file, 'utf8')) as { version: number; outlines: [string, Record<string, unknown>][] };
    const [k0, o0] = good.outlines[0]!;
    const [k1, o1] = good.outlines[1]!;
    const rest = good.outlines.slice(2);
    const { imports: _dropped, ...noImports } = o0;
    const expected = await Promise.all(files.map((f) => outlineFile(f.path, f.content)));
    await writeFile(file, JSON.stringify({ ...good, outlines: [[k0, noImports], [k1, o1], ...rest] }));
    const shapeless = counting();
    expect(await outlinesFor(dir, files, shapeless)).toEqual(expected);
    expect(shapeless.parsed).toHaveLength(3);
    // An outline kept under another path than its key's: that file alone is parsed again.
    await writeFile(file, JSON.stringify({ ...good, outlines: [[k0, o0], [k1, { ...o1, path: 'elsewhere.ts' }], ...rest] }));
    const moved = counting();
    expect(await outlinesFor(dir, files, moved)).toEqual(expected);
    expect(moved.parsed).toEqual([files[1]!.path]);
  });

  it('the map built from stored outlines is the map built from scratch (repoMapFor after a change)', async () => {
    const dir = await stateDir();
    const sources = fixtureSources();
    await repoMapFor(dir, sources, 'sha-1', 50_000);
    expect(existsSync(path.join(dir, '.harness/outlines.json'))).toBe(true);
    const edited = sources.map((f, i) => (i === 0 ? { ...f, content: `${f.content}\n` } : f));
    expect(await repoMapFor(dir, edited, 'sha-2', 50_000)).toEqual(await buildRepoMap(edited, { maxTokens: 50_000 }));
  });

  it("the built code outlines many files on worker threads, in the files' order: the same outlines as one by one", async () => {
    // 450 files (over the pool's minimum) of three languages; the pool runs from dist/ only.
    const many = Array.from({ length: 450 }, (_, i) =>
      i % 3 === 0
        ? {
            path: `src/m${i}.ts`,
            content: `import { f${i + 3} } from './m${i + 3}.js';\nexport function f${i}(x: number): number {\n  return x + ${i};\n}\n`,
          }
        : i % 3 === 1
          ? { path: `py/m${i}.py`, content: `def f${i}(x):\n    return x + ${i}\n` }
          : { path: `go/m${i}.go`, content: `package m\n\nfunc F${i}(x int) int { return x + ${i} }\n` },
    );
    const dir = await makeTempDir('outline-pool-');
    await writeFile(path.join(dir, 'files.json'), JSON.stringify(many));
    const script = [
      // Count the workers started and the outlines they sent back (node's Worker, swapped before the pool loads).
      "const { createRequire, syncBuiltinESMExports } = await import('node:module');",
      "const threads = createRequire(import.meta.url)('node:worker_threads');",
      'let started = 0;',
      'let replies = 0;',
      'threads.Worker = class extends threads.Worker {',
      '  constructor(...args) { super(...args); started++; this.on("message", (m) => { if (m.outlines) replies++; }); }',
      '};',
      'syncBuiltinESMExports();',
      `const { outlineMany } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/pipeline/outline-pool.js')).href)});`,
      `const files = JSON.parse((await import('node:fs')).readFileSync(${JSON.stringify(path.join(dir, 'files.json'))}, 'utf8'));`,
      'const outlines = await outlineMany(files);',
      'console.log(JSON.stringify({ started, replies, outlines }));',
    ].join('\n');
    // A script file, as the CLI is one (a worker started from `node -e` would inherit its --input-type).
    await writeFile(path.join(dir, 'run.mjs'), script);
    const built = JSON.parse(execFileSync(process.execPath, [path.join(dir, 'run.mjs')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
    expect(built.outlines).toEqual(await Promise.all(many.map((f) => outlineFile(f.path, f.content))));
    // Done by workers (not by this thread after a pool that failed): every slice of 100 came back from one.
    expect(built.started).toBeGreaterThanOrEqual(2);
    expect(built.replies).toBe(Math.ceil(many.length / 100));
  });

  it('OUTLINE_VERSION changes whenever the outlines of the fixtures change (else old stores would be read as new)', async () => {
    const outlines = await Promise.all(fixtureSources().map((f) => outlineFile(f.path, f.content)));
    const digest = createHash('sha256').update(JSON.stringify(outlines)).digest('hex').slice(0, 16);
    // When this fails: the outlines changed. Bump OUTLINE_VERSION in src/pipeline/outline-store.ts and
    // put both new values here (a fixture added, with the code as it was: the new digest only). The
    // fixtures hold every kind of file the outline reads apart: go.mod, package.json, Cargo.toml, tsconfig.
    expect({ version: OUTLINE_VERSION, digest }).toEqual({ version: 2, digest: 'ffd6b2959c0efcd6' });
  });
});
