/**
 * A results line decoded with its long strings in pieces (batch/result-line.ts) is the line
 * JSON.parse gives, a long text block coming as consecutive text blocks whose concatenation is the
 * text; the pieces never cut an escape sequence or a UTF-8 character. Small limits force the cuts.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileJsonLines } from '../../src/batch/jsonl.js';
import { parseResultLine } from '../../src/batch/result-line.js';

const SMALL = { longLine: 0, longString: 8, piece: 7 };

/** A results line with `text` as its one text block. */
const line = (text: string, extra: Record<string, unknown> = {}) => ({
  custom_id: 'r1',
  result: { type: 'succeeded', message: { id: 'msg_1', content: [{ type: 'text', text, citations: null }], stop_reason: 'end_turn', ...extra } },
});

type Parsed = ReturnType<typeof line>;
const textOf = (v: Parsed) => v.result.message.content.map((b) => b.text).join('');
/** The parsed value with its text blocks joined back into one: what JSON.parse gives. */
function joined(v: Parsed): Parsed {
  const [first] = v.result.message.content;
  return { ...v, result: { ...v.result, message: { ...v.result.message, content: [{ ...first!, text: textOf(v) }] } } };
}

describe('parseResultLine', () => {
  it('a short line is JSON.parse of it; a blank one is nothing; a CR before the newline is dropped', () => {
    expect(parseResultLine(Buffer.from('{"a":[1,"x"]}\r'))).toEqual({ a: [1, 'x'] });
    expect(parseResultLine(Buffer.from('  \r'))).toBeUndefined();
  });

  it('a long text comes as consecutive text blocks: the first keeps its other fields, the text is their concatenation', () => {
    const text = 'line one\n"quoted" \\ back\\slash\ttab é—😀 \u0001\n'.repeat(5);
    const v = parseResultLine(Buffer.from(JSON.stringify(line(text))), SMALL) as Parsed;
    const blocks = v.result.message.content;
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks[0]).toMatchObject({ type: 'text', citations: null });
    expect(blocks.slice(1).every((b) => Object.keys(b).join() === 'type,text' && b.type === 'text')).toBe(true);
    expect(textOf(v)).toBe(text);
    expect(joined(v)).toEqual(line(text));
  });

  it('a long string that is not a block text is put back whole, anywhere in the line; short strings are untouched', () => {
    const long = 'x"y\\z\u2028'.repeat(20);
    const value = {
      custom_id: 'r2',
      result: { type: 'errored', error: { type: 'api_error', message: long, list: [long, 'short'] } },
      __proto__: long,
    };
    const bytes = Buffer.from(JSON.stringify(value).replace('"__proto__"', '"__proto__"'));
    const parsed = parseResultLine(bytes, SMALL);
    expect(parsed).toEqual(JSON.parse(bytes.toString()));
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('invalid JSON still throws (inside a long string or outside it)', () => {
    expect(() => parseResultLine(Buffer.from(`{"text":"${'a'.repeat(40)}\\q"}`), SMALL)).toThrow(SyntaxError);
    expect(() => parseResultLine(Buffer.from(`{"text":"${'a'.repeat(40)}" oops}`), SMALL)).toThrow(SyntaxError);
    expect(() => parseResultLine(Buffer.from(`{"text":"${'a'.repeat(40)}`), SMALL)).toThrow(SyntaxError);
  });

  it('property: any text, any limits → the value JSON.parse gives (texts joined)', () => {
    const unit = fc.constantFrom('a', ' ', '\n', '"', '\\', '/', 'é', '—', '😀', '\u0000', '\u001f', '\ud800', 'u', '0');
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 200 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 20 }),
        fc.boolean(),
        (text, longString, piece, ascii) => {
          const bytes = Buffer.from(
            ascii
              ? JSON.stringify(line(text)).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
              : JSON.stringify(line(text)),
          );
          const v = parseResultLine(bytes, { longLine: 0, longString, piece }) as Parsed;
          expect(joined(v)).toEqual(JSON.parse(bytes.toString()));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('fileJsonLines', () => {
  it('reads lines of any length across reads of any size, with CRLF, blank lines and no final newline', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'jsonl-'));
    const file = path.join(dir, 'r.jsonl');
    const values = [{ a: 'é—😀'.repeat(50) }, { b: 1 }, { c: 'x'.repeat(3000) }, { d: [1, 2] }];
    await writeFile(
      file,
      `${JSON.stringify(values[0])}\r\n\n${JSON.stringify(values[1])}\n${JSON.stringify(values[2])}\n   \n${JSON.stringify(values[3])}`,
    );
    for (const readBytes of [1, 2, 3, 7, 64, 1000, 1 << 20]) {
      const got: unknown[] = [];
      for await (const v of fileJsonLines(file, undefined, readBytes)) got.push(v);
      expect(got).toEqual(values);
      const pieces: unknown[] = [];
      for await (const v of fileJsonLines(file, (b) => parseResultLine(b, SMALL), readBytes)) pieces.push(v);
      expect(pieces).toEqual(values);
    }
  });
});
