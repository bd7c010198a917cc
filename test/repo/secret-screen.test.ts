/**
 * The secret screen (src/repo/secret-screen.ts, run by chunk-summary.ts), checked against what it
 * stands for: the markers' regexp over every byte. (The pass over the bytes that finds its pairs:
 * test/shared/token-pass.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../../src/repo/secret-rules.js';
import { passwordMatches } from '../../src/repo/secret-patterns.js';
import { chunkSummarizer, screenOf, summarizerData } from '../../src/repo/chunk-summary.js';
import { flagSpans, type Probe, probeSet, probeTable, SCREEN_LINT, SCREEN_OWN, type Screen, screenSources } from '../../src/repo/secret-screen.js';
import { findSecrets, findSecretsScreened } from '../../src/repo/secrets.js';
import { tokenPass, tokenPassModule } from '../../src/shared/token-pass.js';

const awsKeyId = ['AK', 'IA', 'QWERTYUIOPASDFGH'].join('');
const envKey = ['sk', '-ant-', 'api03-', 'Zx9'.repeat(12)].join('');
const jwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'].join('.');
const stripeKey = ['sk', '_live_', 'a1B2'.repeat(6)].join('');
const pieces = [
  'const a = 1;',
  '\n',
  '\r\n',
  '\r',
  'x',
  jwt,
  stripeKey,
  'passphrase',
  `{"private_key_id": "k1", "private_key": "-----BEGIN \\u0050RIVATE KEY-----\\n${'MIIEv'.repeat(8)}"}`,
  '"\\u00e9"',
  '// secretlint-disable-next-line',
  '  ',
  'é😀',
  awsKeyId,
  'password = "hunter2hunter"',
  'PASSWORD: s3cr3tvalue',
  'https://user:pw@host.example',
  'HOOKS.SLACK.COM/services/x',
  'eyJhbGciOiJIUzI1NiJ9',
  'sk_live_',
  '// secretlint-disable-line',
  envKey,
  'SG.',
  '</file>',
];

/**
 * The screen as the scan runs it (chunk-summary.ts): over the files framed as the context frames
 * them, as one chunk of bytes; whether each file was flagged.
 */
function screenBytes(contents: readonly string[], key: string, rename: (text: string) => string = (t) => t): Screen {
  let text = '';
  const starts: number[] = [];
  const sizes: number[] = [];
  for (const [i, c] of contents.entries()) {
    text += rename(`\n<file path="f${i}.ts">\n`);
    starts.push(Buffer.byteLength(text));
    sizes.push(Buffer.byteLength(c));
    text += c + (c.endsWith('\n') || c === '' ? '' : '\n') + '</file>\n';
  }
  const work = chunkSummarizer(tokenPass, flagSpans, summarizerData(key));
  const range = {
    chunks: [Buffer.from(text)],
    chunk: new Int32Array(contents.length),
    byteStart: Int32Array.from(starts),
    size: Int32Array.from(sizes),
  };
  return screenOf(range, work.range(range));
}

/** What the screen stands for: its two regexps over each file's bytes read as Latin-1 (the bits they give). */
function screenByRegExp(contents: readonly string[], key: string): number[] {
  const sources = screenSources(key, { bytes: true });
  return contents.map((c) => {
    if (sources === null) return SCREEN_OWN | SCREEN_LINT;
    const latin1 = Buffer.from(c).toString('latin1');
    return (new RegExp(sources.own).test(latin1) ? SCREEN_OWN : 0) | (new RegExp(sources.lint).test(latin1) ? SCREEN_LINT : 0);
  });
}

/** The screen's top-level alternatives (the key's is the last when there is one). */
function alternatives(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let current = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      current += c + source[++i];
      continue;
    }
    if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  return [...out, current];
}

describe('secret screen', () => {
  it('finds the same secrets as checking every file (property)', async () => {
    const file = fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((xs) => xs.join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 6 }), fc.boolean(), async (contents, withKey) => {
        const options = { allow: [], env: withKey ? { ANTHROPIC_API_KEY: envKey } : {} };
        // Every other file a .json: the screen tells whether it holds a `\\u` escape (the gcp rule may parse it).
        const files = contents.map((content, i) => ({ path: i % 2 === 1 ? `f${i}.json` : `f${i}.ts`, content }));
        const screened = screenBytes(contents, withKey ? envKey : '');
        expect(await findSecretsScreened(files, options, screened)).toEqual(await findSecrets(files, options));
      }),
      { numRuns: 150 },
    );
  });

  it('flags the files its regexps match over every byte, each with the bit of its part, whatever holds a probe (property)', () => {
    // Near misses of the probes and the markers, and the pairs the pass looks for, in every case.
    const near = [
      'PRIVATE KE',
      'ecret',
      'SECRET_ACCESS',
      'secretAccess',
      'AKI',
      'AKIAQWERTYUIOPASDFGH',
      'npm_',
      'xox',
      'xoxb-',
      'SG',
      'ghp_',
      'https://host:8080/',
      'http://user:pw@h',
      'ftp://a:b',
      'passw',
      'PASSPHRASE',
      'pasSwd',
      'hooks.slack.co',
      'HOOKS.slack.COM',
      'eyJ',
      'ey',
      'sk-ant-',
      'sk-an',
      'T3BlbkF',
      '_live',
      '_live_',
      'ss',
      'cr',
      'VA',
      ':/',
      'é',
      '\n',
      ' ',
      'x',
    ];
    const file = fc.array(fc.constantFrom(...near), { maxLength: 16 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(fc.array(file, { minLength: 1, maxLength: 5 }), fc.boolean(), (contents, withKey) => {
        const key = withKey ? envKey : '';
        const screened = screenBytes(contents, key);
        expect(contents.map((_, i) => screened.bits(i))).toEqual(screenByRegExp(contents, key));
        // The own lines: every line (without its line break) in which the own part matches, in order.
        const own = new RegExp(screenSources(key, { bytes: true })!.own);
        const ownLines = (c: string) => c.split('\n').filter((line) => own.test(Buffer.from(line).toString('latin1')));
        expect(contents.map((_, i) => screened.ownLines(i))).toEqual(contents.map(ownLines));
      }),
      { numRuns: 400 },
    );
  });

  it('finds a match of every one of its alternatives: each holds a probe (property)', () => {
    // Matches generated from each alternative of the regexps (the key's too), in a line of other text:
    // each flags the file with its part's bit.
    const sources = screenSources(envKey)!;
    for (const [source, bit] of [
      [sources.lint, SCREEN_LINT],
      [sources.own, SCREEN_OWN],
    ] as const) {
      for (const alternative of alternatives(source)) {
        fc.assert(
          fc.property(fc.stringMatching(new RegExp(`^(?:${alternative})$`)), fc.string({ maxLength: 8 }), (match, around) => {
            const line = `${around.replace(/\s/g, '')} ${match} ${around}`;
            if (/[\r\n]/.test(match)) return;
            expect(screenBytes([line], envKey).bits(0) & bit, `${alternative}: ${JSON.stringify(match)}`).toBe(bit);
          }),
          { numRuns: 60 },
        );
      }
    }
  });

  it('finds each probe wherever the pass over the bytes cuts it', () => {
    // The pass looks at four bytes at a time: a probe's pair across two of those is found as well.
    const pass = tokenPass(tokenPassModule(), probeSet(''));
    const line = `${'x'.repeat(300)}PASSWORD${'y'.repeat(300)}\n`;
    for (const shift of [0, 1, 2, 3, 5, 8]) {
      const bytes = Buffer.from('\n'.repeat(shift) + line.repeat(8));
      const found: number[] = [];
      pass.count(bytes, found);
      expect(found).toEqual([...bytes.toString('latin1').matchAll(/PASSW/g)].map((m) => m.index));
    }
  });

  it('hands a .json whose key hides behind \\u escapes to secretlint: the escape looked for in its bytes', async () => {
    const key = `{"private_key_id": "k1", "private_key": "-----BEGIN \\u0050RIVATE KEY-----\\n${'MIIEv'.repeat(8)}"}`;
    const contents = ['{"a": "\\u00e9"}', key, '{"a": 1}', key];
    const files = contents.map((content, i) => ({ path: i === 3 ? 'sa.ts' : `f${i}.json`, content }));
    const screened = screenBytes(contents, '');
    expect(contents.map((_, i) => screened.bits(i))).toEqual([0, 0, 0, 0]);
    const found = await findSecretsScreened(files, { allow: [], env: {} }, screened);
    expect(found.map((f) => `${f.path} ${f.ruleId}`)).toEqual(['f1.json @secretlint/secretlint-rule-gcp']);
    expect(found).toEqual(await findSecrets(files, { allow: [], env: {} }));
  });

  it('flags only the files a marker is in, not a marker in a path', () => {
    const contents = ['nothing here\n', `const id = '${awsKeyId}';\n`, 'plain\n'];
    const screened = screenBytes(contents, '', (tag) => tag.replace('f2.ts', 'SG.ts'));
    expect([0, 1, 2].map((i) => screened.bits(i))).toEqual([0, SCREEN_LINT, 0]);
  });

  it('matches the case-insensitive markers in any case, the others as written', () => {
    const { lint, own } = screenSources('')!;
    for (const [hit, source] of [
      ['hooks.slack.com', lint],
      ['HoOkS.SlAcK.CoM', lint],
      ['Password', own],
      ['PASSPHRASE', own],
      ['PRIVATE KEY', lint],
      ['sk-ant-', own],
    ])
      expect(new RegExp(source!).test(hit!), hit).toBe(true);
    for (const miss of ['private key', 'msg.length', 'hooks-slack-com']) expect(new RegExp(`${lint}|${own}`).test(miss), miss).toBe(false);
  });

  it('gives up (checks every file) when the key to look for holds a line break', () => {
    expect(screenSources('abc\ndef')).toBeNull();
    const screened = screenBytes(['a\n', 'b\n'], 'abc\ndefghijklmnopq');
    expect([0, 1].map((i) => [screened.bits(i), screened.ownLines(i)])).toEqual([
      [SCREEN_OWN | SCREEN_LINT, null],
      [SCREEN_OWN | SCREEN_LINT, null],
    ]);
  });
});

/** Where each probe starts in `bytes`, one test of every probe at every byte. */
function plainStarts(probes: readonly Probe[], bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let q = 0; q < bytes.length; q++) {
    for (const p of probes) {
      const lit = Buffer.from(p.anyCase ? p.literal.toLowerCase() : p.literal, 'latin1');
      if (q + lit.length > bytes.length) continue;
      const same = (j: number) => {
        const c = lit[j]!;
        return p.anyCase && c >= 0x61 && c <= 0x7a ? (bytes[q + j]! | 0x20) === c : bytes[q + j] === c;
      };
      if (!lit.every((_, j) => same(j))) continue;
      const follow = p.followedBy;
      if (follow) {
        let r = q + lit.length;
        while (r < bytes.length && !(follow.outside + follow.end).includes(String.fromCharCode(bytes[r]!))) r++;
        if (r === q + lit.length || r === bytes.length || bytes[r] !== follow.end.charCodeAt(0)) continue;
      }
      out.push(q);
    }
  }
  return out;
}

describe('the probes the pass over the bytes finds (token-pass.wat `probes`)', () => {
  const alphabet = 'aAbB:/x\n ';
  const probe: fc.Arbitrary<Probe> = fc
    .tuple(fc.string({ unit: fc.constantFrom(...alphabet), minLength: 2, maxLength: 6 }), fc.nat(), fc.boolean(), fc.boolean())
    .map(([literal, at, anyCase, follows]) => ({
      literal,
      at: at % (literal.length - 1),
      ...(anyCase ? { anyCase } : {}),
      ...(follows ? { followedBy: { outside: ':/\n ', end: ':' } } : {}),
    }));

  it('finds every probe where it starts, as a plain test of each probe at each byte does (property)', () => {
    fc.assert(
      fc.property(
        fc.array(probe, { minLength: 1, maxLength: 12 }),
        fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 300 }),
        fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 20 }),
        (probes, text, more) => {
          // The longer text first: what lies past the end of the second is the rest of the first, never to be read.
          const pass = tokenPass(tokenPassModule(), probeTable(probes));
          for (const bytes of [Buffer.from(text + more, 'latin1'), Buffer.from(text, 'latin1')]) {
            const found: number[] = [];
            pass.count(bytes, found);
            expect(found.sort((a, b) => a - b)).toEqual(plainStarts(probes, bytes));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('does not see a probe in what lies past the end of the bytes (the rest of longer bytes before)', () => {
    const pass = tokenPass(
      tokenPassModule(),
      probeTable([
        { literal: 'aab', at: 0 },
        { literal: 'x://', at: 1, followedBy: { outside: ':/', end: ':' } },
      ]),
    );
    const found = (text: string) => {
      const out: number[] = [];
      pass.count(Buffer.from(text, 'latin1'), out);
      return out;
    };
    expect(found('xaab x://host:1')).toEqual([1, 5]);
    expect(found('xaa')).toEqual([]);
    expect(found('xaab x://host')).toEqual([1]);
  });

  it('finds as many as there are: a probe at every byte, and two probes of one pair at each', () => {
    const bytes = Buffer.alloc(100_003, 'a');
    const one: number[] = [];
    tokenPass(tokenPassModule(), probeTable([{ literal: 'aa', at: 0 }])).count(bytes, one);
    expect(one.length).toBe(100_002);
    const two: number[] = [];
    tokenPass(
      tokenPassModule(),
      probeTable([
        { literal: 'aa', at: 0 },
        { literal: 'aaa', at: 1 },
      ]),
    ).count(bytes, two);
    expect(two.length).toBe(100_002 + 100_001);
  });

  it('lays out the screen as the pass reads it: every pair of every probe in the table, within its limits', () => {
    const set = probeSet(['sk', '-ant-', 'api03-', 'Zx9'.repeat(12)].join(''));
    expect(set.memory.length).toBeLessThan(1 << 17);
    expect(set.most).toBeGreaterThanOrEqual(1);
    expect(() => probeTable([{ literal: 'x'.repeat(256), at: 0 }])).toThrow(/cannot be laid out/);
    expect(() => probeTable([{ literal: 'ab', at: 1 }])).toThrow(/cannot be laid out/);
  });
});

describe('passwordMatches', () => {
  it('finds what the password pattern finds over the whole text, line by line (property)', () => {
    const piece = fc.constantFrom(
      'password',
      'PassWord',
      'passwd',
      'passphrase',
      `{"private_key_id": "k1", "private_key": "-----BEGIN \\u0050RIVATE KEY-----\\n${'MIIEv'.repeat(8)}"}`,
      '"\\u00e9"',
      'db.',
      'my-',
      '$',
      '"',
      "'",
      '`',
      '\\',
      ' ',
      '\t',
      '=',
      ':=',
      ':',
      '=>',
      'hunter2hunter',
      's3cr3t!',
      ',',
      ';',
      '\n',
      '\r\n',
      '\r',
      '\u2028',
      'é',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((xs) => xs.join('')),
        (text) => {
          const whole = [...text.matchAll(PASSWORD.pattern)].map((m) => [m.index, ...m]);
          const byLine = [...passwordMatches(text)].map((m) => [m.index, ...m]);
          expect(byLine).toEqual(whole);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
