/**
 * The secret screen (src/repo/secret-screen.ts) and the byte token count (src/shared/tokens.ts):
 * the two shortcuts of the one-pass scan, each checked against what it stands for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../../src/repo/secret-rules.js';
import { passwordMatches } from '../../src/repo/secret-patterns.js';
import { flagSpans, screenSource } from '../../src/repo/secret-screen.js';
import { findSecrets, findSecretsScreened } from '../../src/repo/secrets.js';
import { estimateTokens, estimateTokensUtf8 } from '../../src/shared/tokens.js';

const awsKeyId = ['AK', 'IA', 'QWERTYUIOPASDFGH'].join('');
const envKey = ['sk', '-ant-', 'api03-', 'Zx9'.repeat(12)].join('');
const pieces = [
  'const a = 1;',
  '\n',
  '\r\n',
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
 * The screen as the scan runs it (scan-threads.ts): over the files framed as the context frames
 * them, as bytes read as Latin-1; whether each file was flagged.
 */
function screenBytes(contents: readonly string[], key: string, rename: (text: string) => string = (t) => t): (index: number) => boolean {
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  for (const [i, c] of contents.entries()) {
    text += rename(`\n<file path="f${i}.ts">\n`);
    starts.push(Buffer.byteLength(text));
    ends.push(Buffer.byteLength(text) + Buffer.byteLength(c));
    text += c + (c.endsWith('\n') || c === '' ? '' : '\n') + '</file>\n';
  }
  const source = screenSource(key, { bytes: true });
  if (source === null) return () => true;
  const hit = flagSpans(new RegExp(source, 'g'), Buffer.from(text).toString('latin1'), 0, starts, ends);
  return (index) => hit[index] === 1;
}

describe('secret screen', () => {
  it('finds the same secrets as checking every file (property)', async () => {
    const file = fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((xs) => xs.join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 6 }), fc.boolean(), async (contents, withKey) => {
        const options = { allow: [], env: withKey ? { ANTHROPIC_API_KEY: envKey } : {} };
        const files = contents.map((content, i) => ({ path: `f${i}.ts`, content }));
        const screened = screenBytes(contents, withKey ? envKey : '');
        expect(await findSecretsScreened(files, options, screened)).toEqual(await findSecrets(files, options));
      }),
      { numRuns: 150 },
    );
  });

  it('flags only the files a marker is in, not a marker in a path', () => {
    const contents = ['nothing here\n', `const id = '${awsKeyId}';\n`, 'plain\n'];
    const screened = screenBytes(contents, '', (tag) => tag.replace('f2.ts', 'SG.ts'));
    expect([0, 1, 2].map(screened)).toEqual([false, true, false]);
  });

  it('matches the case-insensitive markers in any case, the others as written', () => {
    const re = new RegExp(screenSource('')!);
    for (const hit of ['hooks.slack.com', 'HoOkS.SlAcK.CoM', 'Password', 'PASSPHRASE', 'PRIVATE KEY', 'sk-ant-'])
      expect(re.test(hit), hit).toBe(true);
    for (const miss of ['private key', 'msg.length', 'hooks-slack-com']) expect(re.test(miss), miss).toBe(false);
  });

  it('gives up (checks every file) when the key to look for holds a line break', () => {
    expect(screenSource('abc\ndef')).toBeNull();
    expect([0, 1].map(screenBytes(['a\n', 'b\n'], 'abc\ndefghijklmnopq'))).toEqual([true, true]);
  });
});

describe('estimateTokensUtf8', () => {
  it('counts the bytes of a text as estimateTokens counts the text (property)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc
        .array(fc.constantFrom('abcde', 'x', '_', '123', '4', ' ', '\t\t', '\n', 'é', '😀', '中文', '.', '\r\n'), { maxLength: 60 })
        .map((xs) => xs.join('')),
    );
    fc.assert(
      fc.property(text, (s) => {
        const bytes = Buffer.from(s, 'utf8');
        expect(estimateTokensUtf8(bytes)).toBe(estimateTokens(s));
      }),
      { numRuns: 500 },
    );
  });

  it('counts long texts, cut into parts at line breaks, as one count does (property)', () => {
    // Over 1 KB the count runs four chains side by side, each from a line break: the parts must add up.
    const piece = fc.constantFrom('identifier', 'x', '_', '12345', '4', ' ', '    ', '\t', '\n', '\n\n', 'é', '😀', '中文', '.', '\r\n', '{');
    const long = fc.array(piece, { minLength: 200, maxLength: 2000 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(long, fc.nat(64), fc.nat(64), (s, cutStart, cutEnd) => {
        const bytes = Buffer.from(s, 'utf8');
        expect(estimateTokensUtf8(bytes)).toBe(estimateTokens(s));
        // A range that starts and ends at a character boundary (ASCII prefix and suffix around it).
        const framed = Buffer.concat([Buffer.alloc(cutStart, 'a'), bytes, Buffer.alloc(cutEnd, 'z')]);
        expect(estimateTokensUtf8(framed, cutStart, cutStart + bytes.length)).toBe(estimateTokens(s));
      }),
      { numRuns: 300 },
    );
  });

  it('counts a text without a line break, and one that is all line breaks, past the interleaving size', () => {
    for (const s of ['abcdefg'.repeat(1000), '\n'.repeat(5000), `${'word '.repeat(600)}\n${'9'.repeat(3000)}`]) {
      expect(estimateTokensUtf8(Buffer.from(s))).toBe(estimateTokens(s));
    }
  });

  it('counts a range of a buffer', () => {
    const bytes = Buffer.from('xx hello world 123 yy');
    expect(estimateTokensUtf8(bytes, 3, 18)).toBe(estimateTokens('hello world 123'));
  });
});

describe('passwordMatches', () => {
  it('finds what the password pattern finds over the whole text, line by line (property)', () => {
    const piece = fc.constantFrom(
      'password',
      'PassWord',
      'passwd',
      'passphrase',
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
