import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contextFromBytes, lazyFile, textOf, textOfPieces } from '../../src/repo/framed-text.js';

/** A string cut into pieces between characters (never inside a surrogate pair), as UTF-8. */
const piecesOf = (text: string, cuts: number[]): Buffer[] => {
  const chars = [...text];
  const at = [...new Set(cuts.map((c) => c % (chars.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const to of [...at, chars.length]) {
    pieces.push(Buffer.from(chars.slice(from, to).join('')));
    from = to;
  }
  return pieces;
};

describe('framed text', () => {
  it('decodes valid UTF-8 as UTF-8 would, ASCII or not, from a view into a larger block', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), fc.string(), (text, before, after) => {
        const block = Buffer.from(before + text + after);
        const start = Buffer.byteLength(before);
        const view = block.subarray(start, start + Buffer.byteLength(text));
        expect(textOf(view)).toBe(text);
        expect(textOf(new Uint8Array(view.buffer, view.byteOffset, view.length))).toBe(text);
      }),
    );
  });

  it('pieces cut between characters decode to the whole text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        expect(textOfPieces(piecesOf(text, cuts))).toBe(text);
      }),
    );
  });

  it('a lazy file behaves as a plain one: content, size, spread, JSON, equality', () => {
    const bytes = Buffer.from('// a\nconst x = "é";\n');
    const file = lazyFile('src/x.ts', bytes, 5, bytes.length);
    const plain = { path: 'src/x.ts', size: bytes.length - 5, content: 'const x = "é";\n' };
    expect(file).toEqual(plain);
    expect({ ...file }).toEqual(plain);
    expect(JSON.parse(JSON.stringify(file))).toEqual(plain);
    expect(file.content).toBe(plain.content);
  });

  it('a lazy file decodes the bytes as they are when first read, and keeps that text', () => {
    const bytes = Buffer.from('old text\n');
    const file = lazyFile('a.txt', bytes, 0, bytes.length);
    bytes.write('new');
    expect(file.content).toBe('new text\n');
    bytes.write('xyz');
    expect(file.content).toBe('new text\n');
  });

  it('a context from bytes has the text of its pieces and the fields it was given', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const info = { tokens: 3, bytes: Buffer.byteLength(text), files: 1, sha256: 'ab' };
        const context = contextFromBytes(piecesOf(text, cuts), info);
        expect(context).toEqual({ ...info, text });
        expect(context.text).toBe(text);
      }),
    );
  });
});
