/**
 * One line of a batch's results, decoded without making its long strings whole. A result's text
 * is the bulk of its line (up to ~1.2 MB at the 300K-token output ceiling); JSON.parse of the line
 * made three copies of it at once (the line as a string, the text, the text cut into files), each
 * too large for V8's young generation, so they piled up in the old one until a full GC: the
 * collect's peak memory grew with the length of the results, not with anything it kept.
 *
 * So a line longer than LONG_LINE is parsed as a skeleton: every string of more than LONG_STRING
 * bytes is cut out (found with indexOf, escaped quotes skipped) and replaced by a placeholder, the
 * rest goes through JSON.parse, and each long string is decoded in pieces of about PIECE bytes
 * (each piece through JSON.parse, so escapes and invalid JSON are handled as before; a piece never
 * ends inside an escape sequence or a UTF-8 character). A long `text` of a text block comes back
 * as consecutive text blocks, one per piece (the text is their concatenation, as the API defines
 * a message's text); any other long string is joined whole. Nothing else differs from JSON.parse.
 */
import { randomBytes } from 'node:crypto';

/** Lines shorter than this are parsed whole. */
const LONG_LINE = 256 * 1024;
/** Strings longer than this (bytes, escaped) are decoded in pieces. */
const LONG_STRING = 64 * 1024;
/** Bytes of escaped JSON per piece. */
const PIECE = 32 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A results line (its bytes, without the newline) as a value; undefined for a blank line. */
export function parseResultLine(bytes: Uint8Array, limits: { longLine?: number; longString?: number; piece?: number } = {}): unknown {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 13) end--;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, end);
  if (end < (limits.longLine ?? LONG_LINE) || isBlank(buf)) {
    const text = buf.toString('utf8');
    return text.trim() === '' ? undefined : JSON.parse(text);
  }
  const longString = limits.longString ?? LONG_STRING;
  const token = `\u0000long-${randomBytes(6).toString('hex')}-`;
  const parts: Buffer[] = [];
  const longs: { start: number; end: number }[] = [];
  let kept = 0;
  for (let q = buf.indexOf(QUOTE); q !== -1; ) {
    const close = stringEnd(buf, q + 1);
    if (close === -1) break; // an unterminated string: JSON.parse says what is wrong
    if (close - q - 1 > longString) {
      parts.push(buf.subarray(kept, q), Buffer.from(JSON.stringify(token + longs.length)));
      longs.push({ start: q + 1, end: close });
      kept = close + 1;
    }
    q = buf.indexOf(QUOTE, close + 1);
  }
  if (longs.length === 0) return JSON.parse(buf.toString('utf8'));
  parts.push(buf.subarray(kept));
  const skeleton = JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
  const pieces = (i: number) => decodePieces(buf, longs[i]!.start, longs[i]!.end, limits.piece ?? PIECE);
  return restore(skeleton, token, pieces);
}

/** Nothing but JSON whitespace (a line with a long string never is). */
const isBlank = (buf: Buffer): boolean => buf.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);

/** The index of the quote that closes the string whose content starts at `from`, or -1. */
function stringEnd(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(QUOTE, from); i !== -1; i = buf.indexOf(QUOTE, i + 1)) {
    let backslashes = 0;
    while (i - backslashes - 1 >= from && buf[i - backslashes - 1] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
  return -1;
}

/** Where a piece is put between quotes for JSON.parse (reused: one string made per piece, not a joined copy too). */
let quoted = Buffer.allocUnsafe(0);

/** The string whose escaped bytes are buf[start, end), decoded in pieces of about `piece` bytes. */
function decodePieces(buf: Buffer, start: number, end: number, piece: number): string[] {
  const out: string[] = [];
  for (let a = start; a < end; ) {
    let c = Math.min(end, a + piece);
    if (c < end) c = safeCut(buf, start, a, c, end);
    if (quoted.length < c - a + 2) quoted = Buffer.allocUnsafe(Math.max(c - a + 2, piece + 16));
    quoted[0] = QUOTE;
    buf.copy(quoted, 1, a, c);
    quoted[c - a + 1] = QUOTE;
    out.push(JSON.parse(quoted.toString('utf8', 0, c - a + 2)) as string);
    a = c;
  }
  return out;
}

/**
 * A cut near `c` (after `a`, at most `end`) that splits neither an escape sequence nor a UTF-8
 * character: moved back to the start of either, or past it when it starts at `a`; `start` is where
 * the string's content begins (escapes are counted from there).
 */
function safeCut(buf: Buffer, start: number, a: number, c: number, end: number): number {
  let cut = c;
  // The last escape that starts before the cut (`\uXXXX` is the longest: 6 bytes) must end by it.
  for (let p = cut - 1; p >= Math.max(a, cut - 5); p--) {
    if (buf[p] !== BACKSLASH) continue;
    let before = 0;
    while (p - before - 1 >= start && buf[p - before - 1] === BACKSLASH) before++;
    if (before % 2 === 1) continue; // an escaped backslash, not the start of an escape
    const length = buf[p + 1] === 0x75 ? 6 : 2;
    if (p + length > cut) cut = p > a ? p : Math.min(end, p + length);
    break;
  }
  let back = cut;
  while (back > a && (buf[back]! & 0xc0) === 0x80) back--;
  if (back > a) return back;
  while (cut < end && (buf[cut]! & 0xc0) === 0x80) cut++;
  return cut;
}

/** `value` with the placeholders put back: text blocks as several blocks, other strings whole. */
function restore(value: unknown, token: string, pieces: (i: number) => string[]): unknown {
  const index = (v: unknown): number => (typeof v === 'string' && v.startsWith(token) ? Number(v.slice(token.length)) : -1);
  if (typeof value === 'string') {
    const i = index(value);
    return i < 0 ? value : pieces(i).join('');
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const block = item as { type?: unknown; text?: unknown } | null;
      const i = block !== null && typeof block === 'object' && block.type === 'text' ? index(block.text) : -1;
      if (i < 0) out.push(restore(item, token, pieces));
      else {
        const { text: _text, ...others } = block as Record<string, unknown>;
        const rest = restore(others, token, pieces) as Record<string, unknown>;
        for (const [n, text] of pieces(i).entries()) out.push(n === 0 ? { ...rest, text } : { type: 'text', text });
      }
    }
    return out;
  }
  if (value === null || typeof value !== 'object') return value;
  // A key is a string too. defineProperty: a key named __proto__ stays a plain key, as JSON.parse
  // makes it; a key defined twice keeps its first place and its last value, as JSON.parse does.
  const entries = Object.entries(value);
  const renamed = entries.some(([k]) => index(k) >= 0);
  const out = renamed ? {} : value;
  for (const [k, v] of entries) {
    const i = index(k);
    const r = restore(v, token, pieces);
    if (renamed || r !== v)
      Object.defineProperty(out, i < 0 ? k : pieces(i).join(''), { value: r, writable: true, enumerable: true, configurable: true });
  }
  return out;
}
