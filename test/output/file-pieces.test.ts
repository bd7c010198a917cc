/**
 * File contents in pieces (src/output/file-pieces.ts, section-body.ts, the splitter's pieces):
 * however a text is cut, the pieces give the bytes of the whole, and none is over PIECE_CHARS.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeAndHash, encodePieces, PIECE_CHARS, pushPieces, withPieces } from '../../src/output/file-pieces.js';
import { fileContent } from '../../src/output/section-body.js';
import { SectionSplitter, splitOutput } from '../../src/output/split.js';
import { createHash } from 'node:crypto';

/** section-body.ts's fileContent as it was on one string (before pieces): the reference. */
function referenceContent(text: string): string {
  const isBlank = (line: string) => /^[ \t\r]*\n?$/.test(line);
  const stripEnd = (line: string) => line.replace(/[ \t\r\n]+$/, '');
  const lineEnd = (start: number) => (text.indexOf('\n', start) === -1 ? text.length : text.indexOf('\n', start) + 1);
  const lineStart = (end: number) => (end < 2 ? 0 : text.lastIndexOf('\n', end - 2) + 1);
  let fa = 0;
  let fb = 0;
  while (fa < text.length) {
    fb = lineEnd(fa);
    if (!isBlank(text.slice(fa, fb))) break;
    fa = fb;
  }
  let lb = text.length;
  let la = lb;
  while (lb > fa) {
    la = lineStart(lb);
    if (!isBlank(text.slice(la, lb))) break;
    lb = la;
  }
  const open = fa < text.length && fa < la && lb > fa ? /^(`{3,}|~{3,})(.*)$/s.exec(stripEnd(text.slice(fa, fb))) : null;
  const close = open ? /^(`{3,}|~{3,})$/.exec(stripEnd(text.slice(la, lb))) : null;
  const wrapped =
    open && close && close[1]![0] === open[1]![0] && close[1]!.length >= open[1]!.length && !(open[1]![0] === '`' && open[2]!.includes('`'));
  const body = wrapped ? text.slice(fb, la) : text;
  let end = body.length;
  while (body[end - 1] === '\n') end -= body[end - 2] === '\r' ? 2 : 1;
  if (end === 0) return '';
  const eol = body.startsWith('\r\n', end) ? '\r\n' : '\n';
  return body.slice(0, end) + eol;
}

/** `text` cut at `cuts` (positions modulo its length). */
function cutAt(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((c) => (text.length === 0 ? 0 : c % (text.length + 1))))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of [...points, text.length]) {
    out.push(text.slice(from, p));
    from = p;
  }
  return out;
}

/** Lines that matter to a section body: fences, blanks, CRs, surrogate pairs, noise. */
const bodyLine = fc.oneof(
  fc.constantFrom('```', '```ts', '``` a`b', '````', '~~~', '~~~~', '   ', '\t', '\r', '', '  ```'),
  fc.string({ unit: fc.constantFrom('a', ' ', '\t', '\r', '`', '~', 'é', '🙂'), maxLength: 10 }),
);
const body = fc.array(fc.tuple(bodyLine, fc.constantFrom('\n', '\r\n')), { maxLength: 12 }).map((lines) => lines.map(([l, eol]) => l + eol).join(''));

describe('fileContent on pieces', () => {
  it('gives the content of the whole body, however the body is cut', () => {
    fc.assert(
      fc.property(body, fc.array(fc.nat(), { maxLength: 12 }), (text, cuts) => {
        const pieces = cutAt(text, cuts);
        expect(fileContent(pieces).join('')).toBe(referenceContent(text));
        expect(fileContent([text]).join('')).toBe(referenceContent(text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('pieces and their bytes', () => {
  /** Text with surrogate pairs (and lone halves) where cuts fall. */
  const text = fc.string({ unit: fc.constantFrom('a', 'é', '🙂', '\n', '\ud83d', '\ude42', '中'), maxLength: 60 });

  it('encodePieces gives the bytes of the joined text, a pair cut between two pieces included', () => {
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 10 }), (t, cuts) => {
        const pieces = cutAt(t, cuts);
        const whole = Buffer.from(t, 'utf8');
        expect(Buffer.concat(encodePieces(pieces)).equals(whole)).toBe(true);
        expect(encodeAndHash(pieces).sha256).toBe(createHash('sha256').update(whole).digest('hex'));
      }),
      { numRuns: 3000 },
    );
  });

  it('pushPieces and encodePieces keep every piece and buffer within PIECE_CHARS characters, and a pair whole', () => {
    const long = `${'a'.repeat(PIECE_CHARS - 1)}🙂${'é'.repeat(PIECE_CHARS)}🙂\ud83d`;
    const out: string[] = [];
    pushPieces(out, long);
    expect(out.join('')).toBe(long);
    expect(out.map((p) => p.length)).toEqual([PIECE_CHARS - 1, PIECE_CHARS, 5]);
    const buffers = encodePieces([long.slice(0, PIECE_CHARS), long.slice(PIECE_CHARS)]);
    expect(Buffer.concat(buffers).equals(Buffer.from(long))).toBe(true);
    for (const b of buffers) expect(b.length).toBeLessThanOrEqual((PIECE_CHARS + 1) * 3);
  });

  it('withPieces: content is the pieces joined; pieces are not enumerable (a copy or a comparison sees { path, content })', () => {
    const f = withPieces({ path: 'a.ts' }, ['a', 'b\n']);
    expect(f.content).toBe('ab\n');
    expect(f.pieces).toEqual(['a', 'b\n']);
    expect(f).toEqual({ path: 'a.ts', content: 'ab\n' });
    expect(JSON.parse(JSON.stringify(f))).toEqual({ path: 'a.ts', content: 'ab\n' });
  });
});

describe('the splitter on long lines', () => {
  // Lines around PIECE_CHARS long, pairs where cuts fall, fed in chunks cut anywhere (between the
  // halves of a pair too, as the results reader's pieces are).
  const longLine = fc
    .tuple(fc.integer({ min: PIECE_CHARS - 3, max: 2 * PIECE_CHARS + 3 }), fc.constantFrom('a', 'é', '🙂'), fc.constantFrom('', '\r'))
    .map(([n, ch, cr]) => `${ch.repeat(Math.ceil(n / ch.length))}${cr}`);
  const reply = fc
    .array(fc.oneof(longLine, fc.constantFrom('```', 'x', '', '<<<END a.ts>>>', '<<<FILE b.ts>>>', `<<<${'z'.repeat(PIECE_CHARS)}`)), {
      maxLength: 5,
    })
    .map((lines) => `<<<FILE a.ts>>>\n${lines.join('\n')}\n<<<END a.ts>>>\n<<<FILE b.ts>>>\n${lines.reverse().join('\n')}\n<<<END b.ts>>>\n`);

  it('streaming gives the one-shot files byte for byte, in pieces of at most PIECE_CHARS characters', () => {
    fc.assert(
      fc.property(reply, fc.array(fc.nat(), { maxLength: 12 }), (text, cuts) => {
        const whole = splitOutput(text, ['a.ts', 'b.ts']);
        const splitter = new SectionSplitter(['a.ts', 'b.ts']);
        for (const chunk of cutAt(text, cuts)) splitter.push(chunk);
        const streamed = splitter.end();
        expect(streamed).toEqual(whole);
        for (const f of [...streamed.files, ...whole.files]) {
          for (const p of f.pieces) expect(p.length).toBeLessThanOrEqual(PIECE_CHARS);
          expect(Buffer.concat(encodePieces(f.pieces)).equals(Buffer.from(f.content, 'utf8'))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
