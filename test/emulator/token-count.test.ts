/** The emulator's own token counter: its rule, its cut at max_tokens, and that it is not the harness's estimate. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTokens, cutAtTokens } from '../../src/emulator/token-count.js';
import { estimateTokens } from '../../src/shared/tokens.js';

describe('emulator token counter', () => {
  it.each([
    ['', 0],
    ['word', 1],
    ['word word', 2], // the leading space rides on the word
    ['internationalization', 5], // 20 bytes: five 4-byte pieces
    ['12345', 2], // digits go by three
    ['a  b', 3], // "a", " ", " b"
    ['foo_bar', 3], // "_" is not a letter: "foo", "_", "bar"
    ['====', 1],
    ['日本語', 3], // 9 bytes, 3 bytes a character: one piece each
    ['😀😀', 2], // 4 bytes each
  ])('%j is %i tokens', (text, n) => {
    expect(countTokens(text)).toBe(n);
  });

  it('is not the harness estimate: the two disagree on ordinary code', () => {
    const code = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';
    expect(countTokens(code)).not.toBe(estimateTokens(code));
  });

  it('cutAtTokens keeps a prefix of exactly min(n, total) tokens, at a token boundary', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.nat(80), (text, n) => {
        const total = countTokens(text);
        const cut = cutAtTokens(text, n);
        expect(text.startsWith(cut.text)).toBe(true);
        expect(cut.tokens).toBe(Math.min(n, total));
        expect(cut.truncated).toBe(n < total);
        expect(countTokens(cut.text)).toBe(cut.tokens);
        if (!cut.truncated) expect(cut.text).toBe(text);
      }),
    );
  });
});
