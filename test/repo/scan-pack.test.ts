/**
 * scanAndPack (src/repo/scan-pack.ts): the one-pass scan + secret scan + context gives exactly what the
 * separate steps give (scanRepo, findSecrets, buildContext), whatever the tree; and a file that
 * changes while it is read never yields a content, size, hash and token count that disagree.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { buildContext, contextDigest } from '../../src/repo/context.js';
import { scanAndPack } from '../../src/repo/scan-pack.js';
import type { ReadPort } from '../../src/repo/read-files.js';
import { scanRepo } from '../../src/repo/scan.js';
import { findSecrets } from '../../src/repo/secrets.js';
import { estimateTokens } from '../../src/shared/tokens.js';
import { ROOT } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tree(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'harness-pack-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

/** The context's digest of its bytes, as context.ts defines it: the header (the first piece), then the digest of the rest. */
const digestOf = (bytes: readonly Buffer[]): string =>
  contextDigest(
    bytes[0]!,
    createHash('sha256')
      .update(Buffer.concat(bytes.slice(1)))
      .digest(),
  );

const options = { include: ['**/*'], exclude: [] as string[], maxFileBytes: 1024 * 1024, concurrency: 8 };
const env = (key?: string) => ({ allow: [] as string[], env: key === undefined ? {} : { ANTHROPIC_API_KEY: key } });

/** The separate steps, as the snapshot took them before the one pass. */
async function separately(dir: string, secrets = env()) {
  const scan = await scanRepo(dir, options);
  return { scan, context: buildContext(scan.files, scan.omitted), findings: await findSecrets(scan.files, secrets) };
}

/**
 * scanAndPack against the separate steps; also with ranges of two files in blocks of 256 bytes, so
 * that even a small tree is read on both threads, across many blocks, and with ranges of one file
 * in blocks of 64 KB, many ranges to a block (the last result is returned).
 */
async function expectSame(dir: string, secrets = env()) {
  const before = await separately(dir, secrets);
  let packed = await scanAndPack(dir, options, secrets);
  expectSameAs(packed, before);
  // With the write (over a longer file, to be cut): the context's bytes, the ones returned.
  const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'harness-pack-out-')), 'context.txt');
  dirs.push(path.dirname(out));
  await writeFile(out, 'x'.repeat(Buffer.byteLength(before.context.text) + 100));
  packed = await scanAndPack(dir, options, secrets, { rangeFiles: 2, blockBytes: 256, out });
  expectSameAs(packed, before);
  expect(fs.readFileSync(out)).toEqual(Buffer.concat(packed.bytes));
  // Ranges of one file in blocks of 64 KB: many ranges of each thread in one block.
  packed = await scanAndPack(dir, options, secrets, { rangeFiles: 1, blockBytes: 64 * 1024 });
  expectSameAs(packed, before);
  return packed;
}

function expectSameAs(packed: Awaited<ReturnType<typeof scanAndPack>>, before: Awaited<ReturnType<typeof separately>>) {
  expect(packed.context).toEqual(before.context);
  expect(Buffer.concat(packed.bytes).equals(Buffer.from(before.context.text, 'utf8'))).toBe(true);
  expect(digestOf(packed.bytes)).toBe(packed.context.sha256);
  expect(packed.scan).toEqual(before.scan);
  expect(packed.findings).toEqual(before.findings);
}

// Fake secrets, built from parts so that this file holds none whole.
const awsKeyId = ['AK', 'IA', 'QWERTYUIOPASDFGH'].join('');
const password = ['Tr0ub4dor', '&3-', 'xq7Lm2'].join('');
const envKey = ['sk', '-ant-', 'api03-', 'Zx9'.repeat(12)].join('');

describe('scanAndPack: the same results as scan, secret scan and context taken apart', () => {
  it('on a mixed tree: non-ASCII, CRLF, BOM, closing tags in contents, empty files, odd paths, binaries, ignores, secrets', async () => {
    const dir = await tree({
      '.gitignore': 'ignored/\n*.tmp\n',
      'README.md': '# Title\n\nSome prose … with “quotes” and an emoji 😀.\n',
      'src/a.ts': 'export const a = 1;\n',
      'src/crlf.ts': 'line one\r\nline two\r\n',
      'src/bom.ts': '\uFEFFexport const bom = true;\n',
      'src/no-newline.ts': 'export const x = 1;',
      'src/empty.ts': '',
      'src/tags.test.ts': "expect(text).toContain('</file>');\nexpect(t).toContain('</file_2>');\n",
      'src/é/ünïcode.ts': 'export const ü = "ß";\n',
      'src/a & b "q" <x>.ts': 'odd path\n',
      'src/data.bin': Buffer.from([0x89, 0x50, 0x00, 0x01]),
      'src/latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
      'ignored/x.ts': 'never read\n',
      'tmp.tmp': 'x',
      'config/db.ts': `export const db = { password: '${password}' };\n`,
      'config/aws.ts': `const id = '${awsKeyId}';\n`,
      'config/allowed.ts': `const id = '${awsKeyId}'; // secretlint-disable-line\n`,
      'config/env.ts': `const key = '${envKey}';\n`,
      'config/settings.json': '{ "name": "x" }\n',
      'docs/SG.notes.md': 'a file whose path holds a marker, and whose content holds none\n',
      'package-lock.json': '{}',
    });
    const packed = await expectSame(dir, env(envKey));
    expect(packed.findings.map((f) => f.path)).toEqual(['config/aws.ts', 'config/db.ts', 'config/env.ts']);
    expect(packed.scan.skipped.map((s) => s.path)).toEqual(['package-lock.json', 'src/data.bin', 'src/latin1.txt']);
    expect(packed.context.text).toContain('<file_3 path="src/tags.test.ts">');
  });

  it('files of any size with a few non-ASCII characters: each content is the file as UTF-8, decoded from its bytes when read', async () => {
    const ascii = (n: number) => 'abcdefghij\n'.repeat(Math.ceil(n / 11)).slice(0, n);
    const files: Record<string, string> = {
      'one-in-the-middle.ts': `${ascii(20_000)}é${ascii(20_000)}`,
      'at-the-edges.ts': `😀${ascii(12_288)}中`,
      'on-a-stretch-boundary.ts': `${ascii(4095)}é${ascii(8190)}ü${ascii(4096)}`,
      'dense.ts': 'é中😀x\n'.repeat(3000),
      'small.ts': `${ascii(100)}é`,
    };
    const dir = await tree(files);
    const packed = await expectSame(dir);
    for (const f of packed.scan.files) expect(f.content).toBe(files[f.path]);
  });

  it('a write that fails fails the scan', async () => {
    const dir = await tree({ 'a.ts': 'x\n', 'b.ts': 'y\n', 'c.ts': 'z\n' });
    const out = path.join(dir, 'no-such-dir', 'context.txt');
    for (const rangeFiles of [8, 1]) await expect(scanAndPack(dir, options, env(), { out, rangeFiles })).rejects.toThrow(/ENOENT/);
  });

  it('writes the context while it reads: a file that turns out binary stays in the tree, and is named with why after the files', async () => {
    const files: Record<string, string | Buffer> = {};
    for (let i = 0; i < 12; i++) files[`f${String(i).padStart(2, '0')}.ts`] = `export const v${i} = ${i};\n`;
    files['f05.ts'] = Buffer.from([0x00, 0x01, 0x02]); // the walk expects it; the read skips it
    const dir = await tree(files);
    const out = path.join(dir, 'context.txt');
    const packed = await scanAndPack(dir, { ...options, exclude: ['context.txt'] }, env(), { out, rangeFiles: 2, blockBytes: 256 });
    expect(packed.scan.skipped.map((s) => s.path)).toEqual(['f05.ts']);
    expect(fs.readFileSync(out)).toEqual(Buffer.concat(packed.bytes));
    expect(fs.readFileSync(out, 'utf8')).toBe(packed.context.text);
    // The header is the walk's: all 12 files in the tree; the binary one named after the files.
    expect(packed.context.text).toContain('about: 12 files');
    expect(packed.context.text).toMatch(/<tree>\n(.*\n)*f05\.ts\n(.*\n)*<\/tree>/);
    expect(packed.context.text.endsWith('\n<omitted>\nIn the tree but not included above:\nf05.ts: binary\n</omitted>\n')).toBe(true);
    expect(packed.context.files).toBe(11);
    expect(packed.scan.omitted).toEqual([{ path: 'f05.ts', reason: 'binary' }]);
  });

  it('on an empty repo, and on one whose tree does not fit the room kept for it (control characters in names)', async () => {
    await expectSame(await tree({}));
    const names: Record<string, string> = {};
    for (let i = 0; i < 40; i++) names[`d\u0001\u0002\u0003/\u0004\u0005${i}.ts`] = `export const v${i} = ${i};\n`;
    await expectSame(await tree(names));
  });

  it('when the files are much larger than the buffer first allocated for them', async () => {
    await expectSame(await tree({ 'big/a.ts': 'x'.repeat(300_000) + '\n', 'big/b.ts': 'é'.repeat(200_000), 'c.ts': 'c\n' }));
  });

  it('across chunks: a file bigger than a chunk, ASCII and non-ASCII chunks, a retagged file moved to the next chunk', async () => {
    // read-files.ts fills chunks of 4 MiB. a.ts leaves exactly room for b.ts with a `file` tag, not
    // with the `file_2` tag its content needs: b.ts moves to a new chunk.
    const chunk = 4 * 1024 * 1024;
    const b = 'x </file> y z w v u\n';
    expect(b.length).toBe(20);
    const a = `${'a'.repeat(chunk - 80 - b.length - 1)}\n`;
    const dir = await tree({
      'a.ts': a,
      'b.ts': b,
      'c.ts': 'é😀 non-ASCII\n'.repeat(1000),
      'd.ts': `const id = '${awsKeyId}';\n`,
      'e.ts': 'e'.repeat(5 * 1024 * 1024),
      'f.ts': 'f\n',
    });
    const big = { ...options, maxFileBytes: 8 * 1024 * 1024 };
    const packed = await scanAndPack(dir, big, env());
    const scan = await scanRepo(dir, big);
    expect(packed.bytes.length).toBeGreaterThan(3); // the header and several chunks
    expect(packed.context).toEqual(buildContext(scan.files, scan.omitted));
    expect(packed.scan).toEqual(scan);
    expect(Buffer.concat(packed.bytes).equals(Buffer.from(packed.context.text))).toBe(true);
    expect(packed.findings).toEqual(await findSecrets(scan.files, env()));
    expect(packed.findings.map((f) => f.path)).toEqual(['d.ts']);
    expect(packed.context.text).toContain('<file_2 path="b.ts">\nx </file> y z w v u\n</file_2>');

    // The built scan (dist/, what the CLI runs: the worker's program is tsc's text of the functions,
    // not the test transform's) gives the same context, findings and summary in a process of its own,
    // with ranges of two files so that the worker reads some of them.
    const script = [
      `const { scanAndPack } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/repo/scan-pack.js')).href)});`,
      `const p = await scanAndPack(${JSON.stringify(dir)}, ${JSON.stringify({ ...big, concurrency: 2 })}, { allow: [], env: {} });`,
      'console.log(JSON.stringify({ sha256: p.context.sha256, tokens: p.context.tokens, bytes: p.context.bytes, findings: p.findings }));',
    ].join('\n');
    const built = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(built).toEqual({ sha256: packed.context.sha256, tokens: packed.context.tokens, bytes: packed.context.bytes, findings: packed.findings });
  });

  it('a chunk started for a file that then turns out binary, at the end of the read: every chunk counted and hashed once', async () => {
    // a.ts nearly fills the first chunk; z.ts needs a new one, is read into it, found binary and
    // skipped, and the empty chunk is dropped: the first chunk must not be handed over twice.
    const chunk = 4 * 1024 * 1024;
    const dir = await tree({
      'a.ts': `${'a'.repeat(chunk - 200)}\n`,
      'z.ts': Buffer.concat([Buffer.from('x'.repeat(1000)), Buffer.from([0, 1, 2])]),
    });
    const big = { ...options, maxFileBytes: 8 * 1024 * 1024 };
    const packed = await scanAndPack(dir, big, env());
    const scan = await scanRepo(dir, big);
    expect(scan.skipped).toEqual([{ path: 'z.ts', reason: 'binary' }]);
    expect(packed.context).toEqual(buildContext(scan.files, scan.omitted));
    expect(digestOf(packed.bytes)).toBe(packed.context.sha256);
  });

  it('any files, whatever their contents (property)', async () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9é_ -]{1,8}$/);
    const content = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('</file>', '</file>\n</file_2>', '', '\n', 'a\r', '\r\n'),
      fc
        .array(fc.constantFrom('abc', 'DEF', '12345', '  ', '\t', '\n', '😀', 'é', '</file>', awsKeyId, 'password = "hunter2hunter"'), {
          maxLength: 30,
        })
        .map((xs) => xs.join('')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.tuple(name, name).map(([d, f]) => `${d}/${f}.ts`),
          content,
          { minKeys: 1, maxKeys: 6 },
        ),
        async (files) => {
          const dir = await tree(files);
          await expectSame(dir);
          await rm(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('scanAndPack: a file that changes while it is read', () => {
  /**
   * node's fs, except that each fstat of the file named `target` rewrites it with `next()` right
   * after (so the size it gave is stale), the first `times` times. The read fstats a file only when it
   * fills the room left in its block (blocks of 256 bytes here) or is empty.
   */
  function changingPort(target: string, next: () => string | Buffer, times: number, on: 'fstat' | 'read' = 'fstat'): ReadPort {
    let left = times;
    const fds = new Map<number, string>();
    const change = (fd: number) => {
      if (fds.get(fd)?.endsWith(target) && left-- > 0) fs.writeFileSync(fds.get(fd)!, next());
    };
    return {
      openSync: ((p: fs.PathLike, flags: number) => {
        const fd = fs.openSync(p, flags);
        fds.set(fd, String(p));
        return fd;
      }) as ReadPort['openSync'],
      fstatSync: ((fd: number) => {
        const st = fs.fstatSync(fd);
        if (on === 'fstat') change(fd);
        return st;
      }) as ReadPort['fstatSync'],
      readSync: ((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
        const n = fs.readSync(fd, buffer, offset, length, position);
        if (on === 'read') change(fd);
        return n;
      }) as ReadPort['readSync'],
      closeSync: fs.closeSync,
    };
  }
  const small = { blockBytes: 256 };

  it('reads a file again when it shrank under the read: content, size, tokens and hash describe the same bytes', async () => {
    const dir = await tree({ 'a.ts': `${'a long first version of the file '.repeat(30)}\n`, 'b.ts': 'b\n' });
    const packed = await scanAndPack(dir, options, env(), { ...small, port: changingPort('a.ts', () => 'short\n', 1) });
    const a = packed.scan.files.find((f) => f.path === 'a.ts')!;
    expect(a.content).toBe('short\n');
    expect(a.size).toBe(6);
    expect(packed.context).toEqual(buildContext(packed.scan.files, packed.scan.omitted));
    expect(digestOf(packed.bytes)).toBe(packed.context.sha256);
    expect(packed.context.tokens).toBe(estimateTokens(packed.context.text));
  });

  it('skips a file that keeps changing, and says so', async () => {
    const dir = await tree({ 'a.ts': 'x'.repeat(1000), 'b.ts': 'b\n' });
    let n = 1000;
    const shorter = () => {
      n -= 10;
      return 'x'.repeat(n);
    };
    const packed = await scanAndPack(dir, options, env(), { ...small, port: changingPort('a.ts', shorter, 10) });
    expect(packed.scan.files.map((f) => f.path)).toEqual(['b.ts']);
    expect(packed.scan.skipped).toEqual([{ path: 'a.ts', reason: 'changed while being read' }]);
    expect(packed.context).toEqual(buildContext(packed.scan.files, packed.scan.omitted));
  });

  it('tells a file that is not UTF-8 from one caught half-way through a change: it reads it again', async () => {
    // Not UTF-8 and the same at the second read: binary. Different at every read: changing.
    let k = 0;
    const flip = () => Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x30 + (k++ % 10), 0x0a]);
    const dir = await tree({ 'latin1.txt': flip(), 'b.ts': 'b\n' });
    const stable = await scanAndPack(dir, options, env(), { port: changingPort('nothing', flip, 0, 'read') });
    expect(stable.scan.skipped).toEqual([{ path: 'latin1.txt', reason: 'binary (not valid UTF-8)' }]);
    const changing = await scanAndPack(dir, options, env(), { port: changingPort('latin1.txt', flip, 100, 'read') });
    expect(changing.scan.skipped).toEqual([{ path: 'latin1.txt', reason: 'changed while being read' }]);
    // Caught once half-way (not UTF-8), then whole: the second attempt reads it.
    const settles = await scanAndPack(dir, options, env(), { port: changingPort('latin1.txt', () => 'café, now whole\n', 1, 'read') });
    expect(settles.scan.files.find((f) => f.path === 'latin1.txt')?.content).toBe('café, now whole\n');
  });
});
