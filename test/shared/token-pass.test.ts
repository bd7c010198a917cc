/**
 * The scan's pass over the bytes (src/shared/token-pass.ts, token-pass.wat): its token count against
 * `estimateTokens` of the decoded text and against a plain byte-by-byte count of the same rule, and
 * the assembled module against its source. (Its probes: test/repo/secret-screen.test.ts.)
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import wabt from 'wabt';
import { describe, expect, it } from 'vitest';
import { type TokenPass, tokenPass, tokenPassModule } from '../../src/shared/token-pass.js';
import { TOKEN_PASS_WASM } from '../../src/shared/token-pass-wasm.js';
import { estimateTokens } from '../../src/shared/tokens.js';

const counter = (): TokenPass => tokenPass(tokenPassModule(), null);

/** The rule of `estimateTokens` on bytes, one byte at a time (any bytes, valid UTF-8 or not). */
function plainCount(bytes: Uint8Array): number {
  const letter = (b: number) => (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 95;
  const digit = (b: number) => b >= 48 && b <= 57;
  const blank = (b: number) => b === 32 || b === 9;
  let tokens = 0;
  let run = 0; // length of the run of the class of the byte before (0: not in a run)
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const prev = i > 0 ? bytes[i - 1]! : 0x0a;
    const same = (letter(b) && letter(prev)) || (digit(b) && digit(prev)) || (blank(b) && blank(prev));
    run = same ? run + 1 : 1;
    if (letter(b)) tokens += run % 4 === 1 ? 1 : 0;
    else if (digit(b)) tokens += run % 3 === 1 ? 1 : 0;
    else if (blank(b)) tokens += run === 1 ? 1 : 0;
    else if (b >= 0x80 && b < 0xc0) tokens += 0;
    else tokens += b >= 0xf0 ? 2 : 1;
  }
  return tokens;
}

describe('the token count of the pass', () => {
  it('counts the bytes of a text as estimateTokens counts the text (property)', () => {
    const pass = counter();
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc
        .array(fc.constantFrom('abcde', 'x', '_', '123', '4', ' ', '\t\t', '\n', 'é', '😀', '中文', '.', '\r\n'), { maxLength: 60 })
        .map((xs) => xs.join('')),
    );
    fc.assert(
      fc.property(text, (s) => {
        expect(pass.count(Buffer.from(s, 'utf8'), null)).toBe(estimateTokens(s));
      }),
      { numRuns: 500 },
    );
  });

  it('carries runs of letters, digits and blanks of any length across its blocks of 64 bytes (property)', () => {
    // Runs long and short, starting anywhere: every offset of a run modulo 4 and 3 at a block's edge.
    const run = fc.tuple(fc.constantFrom('a', 'Z', '_', '7', ' ', '\t', '.', '\n', 'é'), fc.integer({ min: 1, max: 200 }));
    const text = fc.array(run, { maxLength: 30 }).map((runs) => runs.map(([c, n]) => c.repeat(n)).join(''));
    const pass = counter();
    fc.assert(
      fc.property(text, (s) => {
        expect(pass.count(Buffer.from(s, 'utf8'), null)).toBe(estimateTokens(s));
      }),
      { numRuns: 500 },
    );
  });

  it('counts any bytes, UTF-8 or not, by the rule (property)', () => {
    const pass = counter();
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x61, 0x5f, 0x35, 0x20, 0x09, 0x0a, 0x80, 0xf0, 0xff));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(byte, { maxLength: 400 }), (random, picked) => {
        for (const bytes of [random, Uint8Array.from(picked)]) expect(pass.count(bytes, null)).toBe(plainCount(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('counts long texts, empty ones, and texts that end at a block edge', () => {
    const pass = counter();
    for (const s of [
      '',
      'a',
      'x'.repeat(64),
      'x'.repeat(63),
      '9'.repeat(65),
      'abcdefg'.repeat(1000),
      '\n'.repeat(5000),
      `${'word '.repeat(600)}\n${'9'.repeat(3000)}`,
    ]) {
      expect(pass.count(Buffer.from(s), null)).toBe(estimateTokens(s));
    }
  });

  it('makes room for a large text after a small one, and counts the small one again the same', () => {
    const pass = counter();
    const small = Buffer.from('const a = 1;\n');
    const large = Buffer.from(`${'function f(x) { return x + 1; }\n'.repeat(200_000)}`); // 6.4 MB
    expect(pass.count(small, null)).toBe(estimateTokens(small.toString()));
    expect(pass.count(large, null)).toBe(estimateTokens(large.toString()));
    expect(pass.count(small, null)).toBe(estimateTokens(small.toString()));
  });
});

describe('the assembled module', () => {
  it('is token-pass.wat as it is now (npm run wasm writes it again)', async () => {
    const source = readFileSync(new URL('../../src/shared/token-pass.wat', import.meta.url), 'utf8');
    const module = (await wabt()).parseWat('token-pass.wat', source, { simd: true });
    module.validate();
    const { buffer } = module.toBinary({});
    module.destroy();
    expect(Buffer.from(buffer).toString('base64')).toBe(TOKEN_PASS_WASM);
  });
});
