/**
 * The emulator's own token counter. It is deliberately NOT the harness's estimate
 * (src/shared/tokens.ts): a test double that counts like the client can never catch the client's
 * miscounts. Nobody outside Anthropic has the real tokenizer, so this is a different, plausible
 * rule, not the truth (see README.md, "What the emulator cannot know").
 *
 * The rule, in the manner of a byte-level BPE: the text is first cut into pre-tokens (like GPT-2's
 * pre-tokenizer): a run of letters with at most one leading space; one to three digits with at most
 * one leading space; a run of other visible characters (punctuation, symbols) with at most one
 * leading space; a run of whitespace (a run followed by a word keeps its last space for that word).
 * Each pre-token is then cut greedily into pieces of at most 4 UTF-8 bytes (a leading space is
 * free), never inside a code point; every piece is one token. On source code this comes to roughly 3.5–4 characters per token.
 */

const PRE_TOKEN = / ?\p{L}+| ?\p{N}{1,3}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const PIECE_BYTES = 4;

function utf8Length(cp: number): number {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

/** Calls `onPiece(endIndex)` for each token of `text` (endIndex: the UTF-16 index where it ends); stops when it returns false. */
function pieces(text: string, onPiece: (end: number) => boolean): void {
  PRE_TOKEN.lastIndex = 0;
  for (let m = PRE_TOKEN.exec(text); m !== null; m = PRE_TOKEN.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    // A leading space rides free on the word it precedes (" word" is one token, as in a BPE).
    let bytes = text.charCodeAt(start) === 32 && end - start > 1 && text.charCodeAt(start + 1) !== 32 ? -1 : 0;
    let i = start;
    while (i < end) {
      const cp = text.codePointAt(i)!;
      const len = utf8Length(cp);
      if (bytes > 0 && bytes + len > PIECE_BYTES) {
        if (!onPiece(i)) return;
        bytes = 0;
      }
      bytes += len;
      i += cp > 0xffff ? 2 : 1;
    }
    if (bytes > 0 && !onPiece(end)) return;
  }
}

/** Tokens of `text` by the emulator's rule. */
export function countTokens(text: string): number {
  let n = 0;
  pieces(text, () => {
    n++;
    return true;
  });
  return n;
}

/** The longest prefix of `text` of at most `maxTokens` tokens (cut at a token boundary). */
export function cutAtTokens(text: string, maxTokens: number): { text: string; tokens: number; truncated: boolean } {
  let n = 0;
  let at = 0;
  let truncated = false;
  pieces(text, (end) => {
    if (n >= maxTokens) {
      truncated = true;
      return false;
    }
    n++;
    at = end;
    return true;
  });
  return truncated ? { text: text.slice(0, at), tokens: n, truncated } : { text, tokens: n, truncated: false };
}
