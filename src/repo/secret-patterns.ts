/**
 * The harness's own pattern rules (outside secretlint; their data is in secret-rules.ts): where
 * they match in a text, and the `secretlint-disable-…` comments that turn a finding off. secrets.ts
 * runs them beside the preset.
 */
import type { SecretText } from './secrets.js';
import {
  ANTHROPIC_EXTRA,
  ANTHROPIC_EXTRA_RULE,
  DISABLE_LINE,
  DISABLE_NEXT_LINE,
  JWT,
  JWT_RULE,
  MIN_PASSWORD_LENGTH,
  PASSWORD,
  PASSWORD_PLACEHOLDER_PARTS,
  PASSWORD_PLACEHOLDER_VALUES,
  PASSWORD_REFERENCE_START,
  PASSWORD_RULE,
  STRIPE,
  STRIPE_RULE,
  UNQUOTED_PASSWORD_FILES,
} from './secret-rules.js';

/** Where the harness's own pattern rules match in one text (before allow entries and disable comments). */
export function patternFindings(file: Pick<SecretText, 'path' | 'content'>): { index: number; ruleId: string; messageId?: string }[] {
  const out: { index: number; ruleId: string; messageId?: string }[] = [];
  const text = file.content;
  if (text.includes(ANTHROPIC_EXTRA.marker)) {
    for (const m of text.matchAll(ANTHROPIC_EXTRA.pattern)) out.push({ index: m.index, ruleId: ANTHROPIC_EXTRA_RULE });
  }
  if (text.includes(STRIPE.marker)) {
    for (const m of text.matchAll(STRIPE.pattern)) out.push({ index: m.index, ruleId: STRIPE_RULE, messageId: m[1]! });
  }
  if (text.includes(JWT.marker)) {
    for (const m of text.matchAll(JWT.pattern)) if (isJwtHeader(m[1]!)) out.push({ index: m.index, ruleId: JWT_RULE });
  }
  if (PASSWORD.marker.test(text)) {
    const unquotedCounts = UNQUOTED_PASSWORD_FILES.test(file.path);
    for (const m of passwordMatches(text)) {
      const quoted = m[3];
      const value = quoted ?? m[4] ?? '';
      if (quoted === undefined && !unquotedCounts) continue;
      if (isPasswordLiteral(value)) out.push({ index: m.index, ruleId: PASSWORD_RULE });
    }
  }
  return out;
}

/**
 * Whether the harness's own checks (the patterns above, the environment's `key`) may find something
 * in a file whose lines that hold one of their markers are `lines` (null: any file). No pattern
 * matches a line break, nor does the key when the screen gives lines (secret-screen.ts), and no
 * look-behind or look-ahead of a pattern asks for one: each match lies in a line that holds its
 * marker and is found there as in the whole file. True when a line gives one: the whole file then
 * gives the positions and the disable comments.
 */
export function ownMayMatch(path: string, lines: readonly string[] | null, key: string): boolean {
  return lines === null || lines.some((line) => (key !== '' && line.includes(key)) || patternFindings({ path, content: line }).length > 0);
}

/**
 * `text.matchAll(PASSWORD.pattern)`, found from the keyword: the pattern (a lazy identifier prefix
 * after a look-behind) costs ~10 ns a character when run along a whole file, and minified files
 * are one long line. Every match contains a keyword (`password`…) and starts where the look-behind
 * holds, at most one quote before the run of identifier characters (`[\w$.-]`) that ends at that
 * keyword. So the pattern is tried, anchored (sticky), only at those starts, in increasing order,
 * each at most once, never before the end of the last match: the matches the global search finds,
 * in its order (property test against `matchAll`). Indices are the text's.
 */
export function* passwordMatches(text: string): Generator<RegExpExecArray> {
  const keyword = new RegExp(PASSWORD.marker.source, 'gi');
  const anchored = new RegExp(PASSWORD.pattern.source, 'giy');
  let next = 0; // no match starts before this: the end of the last match, or past the starts tried
  for (let k = keyword.exec(text); k !== null; k = keyword.exec(text)) {
    let run = k.index;
    while (run > 0 && isIdentifierChar(text.charCodeAt(run - 1))) run--;
    for (let i = Math.max(next, run - 1, 0); i <= k.index; i++) {
      if (i > 0 && isWordOrDollar(text.charCodeAt(i - 1))) continue; // the look-behind fails
      anchored.lastIndex = i;
      const m = anchored.exec(text);
      if (m) {
        next = m.index + m[0].length;
        yield m;
        break;
      }
      next = i + 1;
    }
    if (keyword.lastIndex < next) keyword.lastIndex = next;
  }
}

/** `[\w$]`: what the pattern's look-behind refuses before a match. */
function isWordOrDollar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}
/** `[\w$.-]`: the characters of the pattern's prefix before the keyword. */
function isIdentifierChar(c: number): boolean {
  return isWordOrDollar(c) || c === 46 || c === 45;
}

/** The first part of a JWT decodes to a JSON object with an `alg` (the header of a signed token). */
function isJwtHeader(part: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return header !== null && typeof header === 'object' && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

/** A value that looks like a real password: long enough, one word, no placeholder, no reference. */
export function isPasswordLiteral(raw: string): boolean {
  const value = raw.trim();
  if (value.length < MIN_PASSWORD_LENGTH) return false;
  if (/\s/.test(value)) return false; // a label or a sentence ("Enter your password")
  if (PASSWORD_REFERENCE_START.test(value)) return false;
  if (/^(.)\1*$/.test(value)) return false; // "********", "xxxxxx"
  if (/^[./~]/.test(value) && value.includes('/')) return false; // a path (a secrets file, a route)
  const lower = value.toLowerCase();
  if (PASSWORD_PLACEHOLDER_VALUES.includes(lower)) return false;
  return !PASSWORD_PLACEHOLDER_PARTS.some((p) => lower.includes(p));
}

/** A `secretlint-disable-line` on the finding's line, or `secretlint-disable-next-line` on the line before. */
export function disabledAt(text: string, index: number): boolean {
  const lineStart = Math.max(text.lastIndexOf('\n', index - 1), text.lastIndexOf('\r', index - 1)) + 1;
  let lineEnd = text.length;
  for (const c of ['\n', '\r']) {
    const i = text.indexOf(c, index);
    if (i !== -1 && i < lineEnd) lineEnd = i;
  }
  if (text.slice(lineStart, lineEnd).includes(DISABLE_LINE)) return true;
  if (lineStart === 0) return false;
  const prevEnd = text[lineStart - 1] === '\n' && text[lineStart - 2] === '\r' ? lineStart - 2 : lineStart - 1;
  const prevStart = Math.max(text.lastIndexOf('\n', prevEnd - 1), text.lastIndexOf('\r', prevEnd - 1)) + 1;
  return text.slice(prevStart, prevEnd).includes(DISABLE_NEXT_LINE);
}
