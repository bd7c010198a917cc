/**
 * The secret scan's first step for a whole codebase at once: one regexp, every marker that any
 * check needs (secret-rules.ts: the preset's `MARKERS` and `MARKERS_ANY_CASE`, the harness's own
 * rules' markers, the environment's API key), run once over the context's bytes, chunk by chunk on
 * the scan's worker thread (scan-worker.ts), instead of seven times over each file. A file in
 * which it finds nothing cannot give a finding, so only the files it flags go through
 * `findSecretsScreened`'s per-file checks (which are exactly `findSecrets`'s).
 *
 * Why running over the joined chunk is exact: no marker can match a line break (each is a literal
 * or uses classes that exclude white space), and in the context every file's content starts after
 * a line break and is followed by one, so a match never spans two files, nor a file and its tags,
 * and a match inside a tag (a path) lies outside every content's span.
 */
import { escapeRegExp } from '../shared/regexp.js';
import { ANTHROPIC_EXTRA, JWT, MARKERS, MARKERS_ANY_CASE, PASSWORD, STRIPE } from './secret-rules.js';

/** Source matching what `re` (flags '' or 'i', no class, no brace) matches, with the case made explicit; null when it cannot say. */
function explicitCase(re: RegExp): string | null {
  if (re.flags.replace('i', '') !== '') return null;
  if (!re.flags.includes('i')) return re.source;
  if (/[[{]/.test(re.source)) return null;
  let out = '';
  for (let i = 0; i < re.source.length; i++) {
    const c = re.source[i]!;
    if (c === '\\') {
      out += c + (re.source[++i] ?? '');
    } else if (/[a-z]/i.test(c)) out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    else out += c;
  }
  return out;
}

/**
 * The screen's source; with `bytes`, for text that is UTF-8 bytes read as Latin-1 (one character a
 * byte, as the scan's worker reads its chunks). Every marker is ASCII and UTF-8 never puts an ASCII
 * byte inside a character, so a marker is found in the bytes exactly where it is in the text;
 * only `\s` needs care: read as Latin-1, a continuation byte 0xA0 (as in `à`) is a no-break space,
 * which `\s` matches, so a class that excludes `\s` excludes only ASCII white space there (it may
 * match more than over the text, never less: a screen may flag too much). The key is looked for as
 * its bytes.
 */
export function screenSource(envKey: string, options: { bytes?: boolean } = {}): string | null {
  if (/[\r\n]/.test(envKey)) return null;
  const key = options.bytes ? Buffer.from(envKey, 'utf8').toString('latin1') : envKey;
  const markers = [
    explicitCase(MARKERS),
    explicitCase(MARKERS_ANY_CASE),
    explicitCase(PASSWORD.marker),
    escapeRegExp(ANTHROPIC_EXTRA.marker),
    escapeRegExp(STRIPE.marker),
    escapeRegExp(JWT.marker),
  ];
  if (markers.some((s) => s === null)) return null;
  const source = markers.join('|');
  const bytesSource = options.bytes ? source.replaceAll('\\s', '\\t\\n\\v\\f\\r ') : source;
  return key === '' ? bytesSource : `${bytesSource}|${escapeRegExp(key)}`;
}

/**
 * The screen's loop, self-contained (the scan's worker thread runs its text, scan-worker.ts):
 * 1 for each span `[starts[k], ends[k])` of `text` (sorted, not overlapping) that a match of `re`
 * (global) starts in. One match is enough for a span: the search goes on from its end.
 */
export function flagSpans(re: RegExp, text: string, from: number, starts: ArrayLike<number>, ends: ArrayLike<number>): Uint8Array {
  const n = starts.length;
  const hit = new Uint8Array(n);
  let k = 0;
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    while (k < n && ends[k]! <= m.index) k++;
    if (k === n) break;
    if (m.index >= starts[k]!) {
      hit[k] = 1;
      re.lastIndex = ends[k]!; // one marker is enough: on to the next file
    } else if (re.lastIndex <= m.index) re.lastIndex = m.index + 1;
  }
  return hit;
}
