/**
 * The harness's one deterministic token estimate (packing, window checks, cost estimates). The
 * emulator counts with its own, different rule (src/emulator/token-count.ts), so the harness's
 * margins are tested against a count it did not make. It approximates a BPE tokenizer on
 * code and prose: a run of letters costs one token per 4 characters (at least one), a run of
 * digits one per 3, a run of spaces/tabs one token, every newline one token, and every other
 * character (punctuation, symbols, non-ASCII code units) one token. Linear, allocation-free.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isLetter(c)) {
      let j = i + 1;
      while (j < n && isLetter(text.charCodeAt(j))) j++;
      tokens += Math.ceil((j - i) / 4);
      i = j;
    } else if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      tokens += Math.ceil((j - i) / 3);
      i = j;
    } else if (c === 32 || c === 9) {
      let j = i + 1;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      tokens += 1;
      i = j;
    } else {
      tokens += 1;
      i++;
    }
  }
  return tokens;
}

/**
 * `estimateTokens` of the text that UTF-8 bytes decode to, counted on the bytes (`countUtf8Tokens`:
 * a non-ASCII character is one UTF-16 code unit, two for one of four bytes, and each code unit
 * outside ASCII costs one token, as in `estimateTokens`), as a table-driven state machine: one
 * table lookup per byte, no branch. A
 * state says where the last byte left the count: outside any run (O1: it cost a token, OC: a UTF-8
 * continuation byte, free, O2: a four-byte lead, two code units, two tokens), in a run of letters
 * (L1 to L4: the nth letter of its 4-letter token), of digits (D1 to D3), of blanks (B1 first, B2
 * the rest). What a byte costs is the cost of the state it leads to. An entry of STEP holds both:
 * `next << 10 | cost`, so `entry >> 2` is the next state's row (`next << 8`) and `entry & 3` the cost.
 */
const [O1, OC, O2, L1, L2, L3, L4, D1, D2, D3, B1, B2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const STATES = 12;
const COST = [1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 1, 0] as const;
const STEP = (() => {
  const t = new Uint16Array(STATES * 256);
  const after = (s: number, b: number): number => {
    if (isLetter(b)) return s === L1 ? L2 : s === L2 ? L3 : s === L3 ? L4 : L1;
    if (isDigit(b)) return s === D1 ? D2 : s === D2 ? D3 : D1;
    if (b === 32 || b === 9) return s === B1 || s === B2 ? B2 : B1;
    if (b >= 0x80 && b < 0xc0) return OC;
    if (b >= 0xf0) return O2;
    return O1;
  };
  for (let s = 0; s < STATES; s++)
    for (let b = 0; b < 256; b++) {
      const next = after(s, b);
      t[(s << 8) | b] = (next << 10) | COST[next]!;
    }
  return t;
})();

/** The step table of `countUtf8Tokens` (a worker is handed a copy of it with the function's text). */
export const TOKEN_STEP: Uint16Array = STEP;
/** The entry the count starts from: a continuation byte's (OC), which costs nothing. */
export const TOKEN_START = OC << 10;

/**
 * The count itself, self-contained (no name from outside but its arguments: the scan's worker
 * thread runs its text, repo/scan-worker.ts). Each byte's state depends on the one before, so one
 * chain of lookups runs at the latency of a load (~2 ns a byte). A line break leads to the same
 * state (O1) from any state, so the count can restart at one: a long range (over 1 KB) is cut at
 * three line breaks and its four parts counted in one loop, side by side (four independent chains:
 * about twice the speed, measured on 37 MB of code).
 *
 * The same pass looks for pairs of bytes for the secret screen (repo/secret-screen.ts), where the
 * bytes are loaded anyway: `pairs` marks a pair `first << 8 | second` with a non-zero entry, and
 * the index of the second byte of each marked pair in `bytes[start, end)` (both bytes in it) is
 * pushed to `hits` (not in order). One more load a byte, and a branch almost never taken: about
 * 0.6 ns a byte, where a regexp over the same bytes takes 2 to 3.
 */
export function countUtf8Tokens(
  step: Uint16Array,
  startEntry: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  pairs: Uint8Array,
  hits: number[],
): number {
  const chain = (from: number, to: number, entry: number): number => {
    let e = entry;
    let tokens = 0;
    let p = from > start ? bytes[from - 1]! : 0x0a;
    for (let i = from; i < to; i++) {
      const b = bytes[i]!;
      e = step[(e >> 2) | b]!;
      tokens += e & 3;
      if (pairs[(p << 8) | b] !== 0) hits.push(i);
      p = b;
    }
    return tokens;
  };
  if (end - start < 1024) return chain(start, end, startEntry);
  const breakAfter = (from: number): number => {
    const at = bytes.indexOf(0x0a, from);
    return at === -1 || at >= end ? end : at;
  };
  const quarter = (end - start) >> 2;
  const b1 = breakAfter(start + quarter);
  const b2 = breakAfter(Math.max(b1, start + 2 * quarter));
  const b3 = breakAfter(Math.max(b2, start + 3 * quarter));
  // Every part but the first starts at a line break (or is empty): its first state does not matter.
  const n = Math.min(b1 - start, b2 - b1, b3 - b2, end - b3);
  let e0 = startEntry;
  let e1 = startEntry;
  let e2 = startEntry;
  let e3 = startEntry;
  let p0 = 0x0a;
  let p1 = b1 > start ? bytes[b1 - 1]! : 0x0a;
  let p2 = b2 > start ? bytes[b2 - 1]! : 0x0a;
  let p3 = b3 > start ? bytes[b3 - 1]! : 0x0a;
  let tokens = 0;
  for (let i = 0; i < n; i++) {
    const c0 = bytes[start + i]!;
    const c1 = bytes[b1 + i]!;
    const c2 = bytes[b2 + i]!;
    const c3 = bytes[b3 + i]!;
    e0 = step[(e0 >> 2) | c0]!;
    e1 = step[(e1 >> 2) | c1]!;
    e2 = step[(e2 >> 2) | c2]!;
    e3 = step[(e3 >> 2) | c3]!;
    tokens += (e0 & 3) + (e1 & 3) + (e2 & 3) + (e3 & 3);
    if ((pairs[(p0 << 8) | c0]! | pairs[(p1 << 8) | c1]! | pairs[(p2 << 8) | c2]! | pairs[(p3 << 8) | c3]!) !== 0) {
      if (pairs[(p0 << 8) | c0] !== 0) hits.push(start + i);
      if (pairs[(p1 << 8) | c1] !== 0) hits.push(b1 + i);
      if (pairs[(p2 << 8) | c2] !== 0) hits.push(b2 + i);
      if (pairs[(p3 << 8) | c3] !== 0) hits.push(b3 + i);
    }
    p0 = c0;
    p1 = c1;
    p2 = c2;
    p3 = c3;
  }
  return tokens + chain(start + n, b1, e0) + chain(b1 + n, b2, e1) + chain(b2 + n, b3, e2) + chain(b3 + n, end, e3);
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
