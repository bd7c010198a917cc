import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundOutput, mapDiagnostics, REDACTED, redactSecrets, stripAnsi } from '../../src/verify/diagnostics.js';

/** The temporary project the fixtures were captured in (test/fixtures/verify/README.md). */
const REPO = '/tmp/tmp.mlar8fqw7n';
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/verify/${name}`, import.meta.url), 'utf8');
const TASKS = ['src/a.ts', 'src/b.ts', 'src/lint.ts', 'test/a.test.ts', 'src/ok.ts'];
const map = (output: string, taskPaths: readonly string[] = TASKS, more: { maxLinesPerTask?: number; maxLineChars?: number } = {}) =>
  mapDiagnostics(output, { repoDir: REPO, taskPaths, ...more });

describe('mapDiagnostics on real tool output', () => {
  it('tsc --pretty false: each error line goes to its file; files that are no task are other paths', () => {
    const { byTask, otherPaths } = map(fixture('tsc-plain.txt'));
    expect(Object.fromEntries(byTask)).toEqual({
      'src/a.ts': ["src/a.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'."],
      'src/b.ts': [
        "src/b.ts(2,47): error TS2322: Type '{ x: number; }' is not assignable to type 'string'.",
        "src/b.ts(3,45): error TS2322: Type 'number' is not assignable to type 'string'.",
      ],
    });
    expect(otherPaths).toEqual(['src/c.ts', 'src/d.ts']);
  });

  it("tsc --pretty false: a multi-line message's indented lines follow its first line", () => {
    expect(map(fixture('tsc-plain.txt'), ['src/d.ts']).byTask.get('src/d.ts')).toEqual([
      "src/d.ts(1,14): error TS2322: Type '(x: string) => string' is not assignable to type '(x: number) => string'.",
      "  Types of parameters 'x' and 'x' are incompatible.",
      "    Type 'number' is not assignable to type 'string'.",
    ]);
  });

  it('tsc --pretty: colours stripped, code frames and related information follow their error, the summary table goes by file', () => {
    const { byTask, otherPaths } = map(fixture('tsc-pretty.txt'));
    expect(byTask.get('src/a.ts')).toEqual([
      "src/a.ts:1:14 - error TS2322: Type 'string' is not assignable to type 'number'.",
      "1 export const a: number = 'x';",
      '               ~',
      '     1  src/a.ts:1',
    ]);
    const b = byTask.get('src/b.ts')!;
    expect(b[0]).toBe("src/b.ts:2:47 - error TS2322: Type '{ x: number; }' is not assignable to type 'string'.");
    expect(b).toContain("    The expected type comes from property 'y' which is declared here on type '{ x: number; y: string; }'");
    expect(b.at(-1)).toBe('     2  src/b.ts:2');
    expect(b.some((l) => l.includes('src/c.ts'))).toBe(false);
    expect([...byTask.keys()].sort()).toEqual(['src/a.ts', 'src/b.ts']);
    expect(otherPaths).toEqual(['src/c.ts', 'src/d.ts']);
    expect(map(fixture('tsc-pretty.txt'), ['src/d.ts']).byTask.get('src/d.ts')).toEqual([
      "src/d.ts:1:14 - error TS2322: Type '(x: string) => string' is not assignable to type '(x: number) => string'.",
      "  Types of parameters 'x' and 'x' are incompatible.",
      "    Type 'number' is not assignable to type 'string'.",
      '1 export const fn: (x: number) => string = (x: string) => x;',
      '               ~~',
      '     1  src/d.ts:1',
    ]);
  });

  for (const name of ['vitest-plain.txt', 'vitest-color.txt']) {
    it(`vitest (${name}): the FAIL block and its ❯ frames go to the test file; a stack frame in a file that is no task is another path`, () => {
      const { byTask, otherPaths } = map(fixture(name));
      const a = byTask.get('test/a.test.ts')!;
      expect(a).toContain(' FAIL  test/a.test.ts > suite > adds');
      expect(a).toContain("AssertionError: expected 'x1' to be 3 // Object.is equality");
      expect(a).toContain(' ❯ test/a.test.ts:4:36');
      expect(a).toContain("      4|   it('adds', () => { expect(a + 1).toBe(3); });");
      // The summary lines of other files, and the other failure's block, are not a's.
      expect(a.some((l) => l.includes('b.test.ts') || l.includes('ok.test.ts') || l.includes('boom'))).toBe(false);
      expect([...byTask.keys()]).toEqual(['test/a.test.ts']);
      expect(otherPaths).toEqual(['src/lib.ts', 'test/b.test.ts']);
    });
  }

  it('vitest: a stack frame in a task file gets that frame, and the FAIL block goes to its test file as well', () => {
    const { byTask } = map(fixture('vitest-plain.txt'), ['src/lib.ts', 'test/b.test.ts']);
    expect(byTask.get('src/lib.ts')).toEqual([
      ' ❯ boom src/lib.ts:1:39',
      "      1| export function boom(): never { throw new Error('boom from lib'); }",
      '       |                                       ^',
      '      2|',
    ]);
    const b = byTask.get('test/b.test.ts')!;
    expect(b).toContain(' FAIL  test/b.test.ts > throws');
    expect(b).toContain('Error: boom from lib');
    expect(b).toContain(' ❯ boom src/lib.ts:1:39');
    expect(b).toContain(' ❯ test/b.test.ts:3:22');
  });

  it('Biome lint: each finding and its indented frame go to the file', () => {
    const { byTask, otherPaths } = map(fixture('biome-lint.txt'));
    const lint = byTask.get('src/lint.ts')!;
    expect(lint[0]).toMatch(/^src\/lint\.ts:1:22 lint\/suspicious\/noExplicitAny/);
    expect(lint).toContain('  × Using == may be unsafe if you are relying on type coercion.');
    expect(lint).toContain('  × This is an unexpected use of the debugger statement.');
    expect(lint.some((l) => l.includes('Some errors were emitted'))).toBe(false);
    expect([...byTask.keys()]).toEqual(['src/lint.ts']);
    expect(otherPaths).toEqual([]);
  });

  it('eslint stylish (written from its documentation): an absolute header path, then its indented problems', () => {
    const { byTask, otherPaths } = map(fixture('eslint-stylish-written-from-docs.txt'));
    expect(byTask.get('src/a.ts')).toEqual([
      `${REPO}/src/a.ts`,
      '  1:14  error    Type annotation is redundant            @typescript-eslint/no-inferrable-types',
      "  3:7   warning  'unused' is assigned a value but never used  no-unused-vars",
    ]);
    expect(byTask.get('src/lint.ts')).toEqual([
      `${REPO}/src/lint.ts`,
      "  1:35  error  Expected '===' and instead saw '=='  eqeqeq",
      "  1:43  error  Unexpected 'debugger' statement      no-debugger",
    ]);
    expect([...byTask.keys()]).toEqual(['src/a.ts', 'src/lint.ts']);
    expect(otherPaths).toEqual(['src/hand-written.ts']);
  });
});

describe('mapDiagnostics: how a path may be written', () => {
  const named = (line: string, task = 'src/a.ts'): boolean => map(line, [task]).byTask.has(task);

  it.each([
    'src/a.ts',
    'error in src/a.ts: bad',
    'src/a.ts:3',
    'src/a.ts:3:7',
    'src/a.ts(3,7): error TS1005',
    './src/a.ts:3',
    `${REPO}/src/a.ts:3:7`,
    `at fn (file://${REPO}/src/a.ts:3:7)`,
    'src\\a.ts(3,7): error',
    '.\\src\\a.ts:3',
    '"src/a.ts"',
    'see src/a.ts.',
  ])('names src/a.ts: %s', (line) => {
    expect(named(line)).toBe(true);
  });

  it.each([
    'src/a.tsx:3',
    'xsrc/a.ts:3',
    'lib/src/a.ts:3',
    '../src/a.ts:3',
    'src/a.ts.bak',
    'src/a.ts-old',
    '/elsewhere/src/a.ts:3',
    `${REPO}x/src/a.ts:3`,
    'src/A.ts:3',
  ])('does not name src/a.ts: %s', (line) => {
    expect(named(line)).toBe(false);
  });

  it('a line naming two tasks goes to both', () => {
    const { byTask } = map('src/a.ts:1 conflicts with src/b.ts:2', ['src/a.ts', 'src/b.ts']);
    expect(byTask.get('src/a.ts')).toEqual(['src/a.ts:1 conflicts with src/b.ts:2']);
    expect(byTask.get('src/b.ts')).toEqual(['src/a.ts:1 conflicts with src/b.ts:2']);
  });

  it('other paths: repo-relative, deduplicated, no tasks, nothing outside the repo or in node_modules', () => {
    const out = [
      'test/hand.test.ts:3:1 fails',
      `${REPO}/test/hand.test.ts:4`,
      './lib/util.js:9',
      'src/a.ts:1',
      '/usr/lib/node/x.js:1',
      'node_modules/vitest/dist/x.js:12',
      'https://example.com:443 is up',
    ].join('\n');
    expect(map(out, ['src/a.ts']).otherPaths).toEqual(['test/hand.test.ts', 'lib/util.js']);
  });
});

describe('mapDiagnostics: bounds', () => {
  it('keeps at most maxLinesPerTask lines, deduplicated, in order, each cut at maxLineChars', () => {
    const lines = ['src/a.ts:1 one', 'src/a.ts:1 one', `src/a.ts:2 ${'x'.repeat(50)}`, 'src/a.ts:3 three', 'src/a.ts:4 four'];
    const { byTask } = map(lines.join('\n'), ['src/a.ts'], { maxLinesPerTask: 3, maxLineChars: 20 });
    expect(byTask.get('src/a.ts')).toEqual(['src/a.ts:1 one', `src/a.ts:2 ${'x'.repeat(9)}…`, 'src/a.ts:3 three']);
  });

  it('defaults to 20 lines of 400 characters', () => {
    const out = Array.from({ length: 30 }, (_, i) => `src/a.ts:${i + 1} ${'y'.repeat(500)}`).join('\n');
    const lines = map(out, ['src/a.ts']).byTask.get('src/a.ts')!;
    expect(lines).toHaveLength(20);
    expect(lines[0]).toHaveLength(401);
  });
});

describe('mapDiagnostics: property', () => {
  const segment = fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/);
  const path = fc
    .tuple(fc.array(segment, { maxLength: 3 }), segment, fc.constantFrom('ts', 'tsx', 'js', 'mjs'))
    .map(([dirs, name, ext]) => [...dirs, `${name}.${ext}`].join('/'));

  it('a path is never found inside a longer path (a prefix, a suffix or a longer extension)', () => {
    fc.assert(
      fc.property(path, segment, fc.constantFrom(':1', ':1:2', '(1,2)', '', ' x'), (task, extra, suffix) => {
        const longer = [`${extra}/${task}`, `${extra}${task}`, `${task}${extra}`, `${task}.${extra}`, `${task}/${extra}`, `../${task}`];
        for (const other of longer) {
          expect(map(`error at ${other}${suffix}`, [task]).byTask.has(task)).toBe(false);
        }
        expect(map(`error at ${task}${suffix}`, [task]).byTask.has(task)).toBe(true);
      }),
    );
  });
});

describe('redactSecrets', () => {
  const apiKey = `sk-ant-api03-${'A1b2'.repeat(20)}-zzzzAA`;

  it("replaces the environment's API key, whatever its shape", () => {
    const env = { ANTHROPIC_API_KEY: 'my-own-key-0123456789' };
    expect(redactSecrets('key=my-own-key-0123456789 and again my-own-key-0123456789', env)).toBe(`key=${REDACTED} and again ${REDACTED}`);
  });

  it('replaces the shapes of the secret rules, and leaves other text alone', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    const text = [
      `token ${apiKey} end`,
      `stripe sk_live_${'a'.repeat(24)}`,
      `jwt ${jwt}`,
      'aws AKIAIOSFODNN7EXAMPLE',
      `gh ghp_${'x'.repeat(36)}`,
      'db postgres://user:hunter22@db.local/app',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----',
      'config DB_PASSWORD: "s3cr3t-Value9"',
      'src/a.ts(1,14): error TS2322',
    ].join('\n');
    expect(redactSecrets(text, {})).toBe(
      [
        `token ${REDACTED} end`,
        `stripe ${REDACTED}`,
        `jwt ${REDACTED}`,
        `aws ${REDACTED}`,
        `gh ${REDACTED}`,
        `db postgres://user:${REDACTED}@db.local/app`,
        REDACTED,
        `config DB_PASSWORD: "${REDACTED}"`,
        'src/a.ts(1,14): error TS2322',
      ].join('\n'),
    );
  });

  it('leaves password placeholders and types alone', () => {
    const text = "password: string; password = 'changeme'; password = process.env.PW";
    expect(redactSecrets(text, {})).toBe(text);
  });

  it('ignores a missing or trivially short environment key', () => {
    expect(redactSecrets('a b c', {})).toBe('a b c');
    expect(redactSecrets('a b c', { ANTHROPIC_API_KEY: 'a' })).toBe('a b c');
  });
});

describe('boundOutput', () => {
  it('returns short output as it is', () => {
    expect(boundOutput('short', 100)).toBe('short');
  });

  it('keeps the head and the tail with a marker, within maxBytes', () => {
    const out = `HEAD${'m'.repeat(10_000)}TAIL`;
    const bounded = boundOutput(out, 200);
    expect(Buffer.byteLength(bounded)).toBeLessThanOrEqual(200);
    expect(bounded.startsWith('HEAD')).toBe(true);
    expect(bounded.endsWith('TAIL')).toBe(true);
    expect(bounded).toMatch(/… \[\d+ bytes left out\] …/);
  });

  it('never cuts a character in two', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 50, maxLength: 300 }), fc.integer({ min: 40, max: 200 }), (text, max) => {
        // A replacement character in the bounded text must come from a cut, not from the input.
        fc.pre(!text.includes('\uFFFD'));
        const bounded = boundOutput(text, max);
        expect(bounded).not.toContain('\uFFFD');
        if (Buffer.byteLength(text) > max) expect(Buffer.byteLength(bounded)).toBeLessThanOrEqual(max);
      }),
    );
  });
});

it('stripAnsi removes colour codes', () => {
  expect(stripAnsi('\u001b[96msrc/a.ts\u001b[0m:\u001b[93m1\u001b[0m')).toBe('src/a.ts:1');
});
