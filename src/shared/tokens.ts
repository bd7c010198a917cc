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
 * `estimateTokensUtf8` as a table-driven state machine: one table lookup and one add per byte, no
 * branch. A state says where the last byte left the count: outside any run (O1: it cost a token,
 * OC: a UTF-8 continuation byte, free, O2: a four-byte lead, two code units, two tokens), in a run
 * of letters (L1 to L4: the nth letter of its 4-letter token), of digits (D1 to D3), of blanks
 * (B1 first, B2 the rest). What a byte costs is the cost of the state it leads to.
 */
const [O1, OC, O2, L1, L2, L3, L4, D1, D2, D3, B1, B2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const STATES = 12;
const COST = Uint8Array.from([1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 1, 0]);
const NEXT = (() => {
  const t = new Uint8Array(STATES * 256);
  const after = (s: number, b: number): number => {
    if (isLetter(b)) return s === L1 ? L2 : s === L2 ? L3 : s === L3 ? L4 : L1;
    if (isDigit(b)) return s === D1 ? D2 : s === D2 ? D3 : D1;
    if (b === 32 || b === 9) return s === B1 || s === B2 ? B2 : B1;
    if (b >= 0x80 && b < 0xc0) return OC;
    if (b >= 0xf0) return O2;
    return O1;
  };
  for (let s = 0; s < STATES; s++) for (let b = 0; b < 256; b++) t[(s << 8) | b] = after(s, b);
  return t;
})();

/**
 * `estimateTokens` of the text that `bytes[start, end)` (valid UTF-8) decodes to, counted on the
 * bytes without decoding them: a non-ASCII character is one UTF-16 code unit (two for one of four
 * bytes), and each code unit outside ASCII costs one token, as in `estimateTokens`.
 */
export function estimateTokensUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let tokens = 0;
  let s: number = OC;
  for (let i = start; i < end; i++) {
    s = NEXT[(s << 8) | bytes[i]!]!;
    tokens += COST[s]!;
  }
  return tokens;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
