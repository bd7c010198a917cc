/**
 * One deterministic token estimate, shared by the harness's estimator and the emulator's usage
 * accounting, so that estimates and (emulated) bills agree. It approximates a BPE tokenizer on
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
 * The longest prefix of `text` whose estimate is at most `maxTokens`, cut at a token boundary.
 * Used to truncate an output at `max_tokens` exactly as the estimate counts it.
 */
export function truncateToTokens(text: string, maxTokens: number): { text: string; tokens: number; truncated: boolean } {
  let tokens = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    let j = i + 1;
    let cost = 1;
    if (isLetter(c)) {
      while (j < n && isLetter(text.charCodeAt(j)) && j - i < 4) j++;
    } else if (isDigit(c)) {
      while (j < n && isDigit(text.charCodeAt(j)) && j - i < 3) j++;
    } else if (c === 32 || c === 9) {
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
    }
    if (tokens + cost > maxTokens) return { text: text.slice(0, i), tokens, truncated: true };
    tokens += cost;
    i = j;
    cost = 1;
  }
  return { text, tokens, truncated: false };
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
