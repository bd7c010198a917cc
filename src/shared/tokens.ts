/**
 * The harness's one deterministic token estimate (packing, window checks, cost estimates). The
 * emulator counts with its own, different rule (src/emulator/token-count.ts), so the harness's
 * margins are tested against a count it did not make. It approximates a BPE tokenizer on
 * code and prose: a run of letters costs one token per 4 characters (at least one), a run of
 * digits one per 3, a run of spaces/tabs one token, every newline one token, and every other
 * character (punctuation, symbols, non-ASCII code units) one token. Linear, allocation-free. The scan
 * counts the same on the bytes of the files, in WebAssembly (token-pass.ts).
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

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
