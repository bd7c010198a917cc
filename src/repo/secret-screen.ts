/**
 * The secret scan's first step for a whole codebase at once: every marker that any check needs
 * (secret-rules.ts: the preset's `MARKERS` and `MARKERS_ANY_CASE`, the harness's own rules'
 * markers, the environment's API key), looked for once over the context's bytes, chunk by chunk on
 * the scan's worker thread (scan-worker.ts), instead of seven times over each file: the pass over
 * the bytes finds the probes (literals every marker holds), and two regexps (the preset's, the
 * harness's own) run over the lines that hold one. A file in which they find nothing cannot give a
 * finding, so only the files flagged go through `findSecretsScreened`'s per-file checks (which are
 * exactly `findSecrets`'s), and only those whose markers were seen.
 *
 * Why running over the joined chunk is exact: no marker can match a line break (each is a literal
 * or uses classes that exclude white space), and in the context every file's content starts after
 * a line break and is followed by one, so a match never spans two files, nor a file and its tags,
 * and a match inside a tag (a path) lies outside every content's span.
 */
import { escapeRegExp } from '../shared/regexp.js';
import type { PassScreen } from '../shared/token-pass.js';
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

/** What a file's flags say the screen found in it (bits): a marker of the harness's own rules or the key, */
export const SCREEN_OWN = 1;
/** a marker of the preset's rules (the file goes to secretlint). */
export const SCREEN_LINT = 2;

/** What the screen saw in each file of a list, by its index (secrets.ts `findSecretsScreened` reads it). */
export interface Screen {
  /** Which markers the file may hold: SCREEN_OWN, SCREEN_LINT. */
  bits(index: number): number;
  /**
   * With SCREEN_OWN: the lines of the file in which the screen saw a marker of the harness's own
   * rules or the key (each whole, without its line break), or null to look at the whole file.
   */
  ownLines(index: number): readonly string[] | null;
  /** Whether the file holds `ascii` (ASCII text), looked for in its bytes: its text is not decoded for it. */
  holds(index: number, ascii: string): boolean;
}

/** The screen's regexps' sources (`screenSources`). */
export interface ScreenSources {
  /** The preset's markers: what decides whether secretlint gets the file. */
  lint: string;
  /** The harness's own rules' markers, and the key. */
  own: string;
}

/**
 * The screen's sources, in two parts so that a file the screen flags gets only the checks whose
 * markers are in it; null when the key to look for holds a line break (no screen: every check
 * runs). With `bytes`, for text that is UTF-8 bytes read as Latin-1 (one character a byte, as the
 * scan's worker reads its chunks). Every marker is ASCII and UTF-8 never puts an ASCII byte inside a
 * character, so a marker is found in the bytes exactly where it is in the text; only `\s` needs
 * care: read as Latin-1, a continuation byte 0xA0 (as in `à`) is a no-break space, which `\s`
 * matches, so a class that excludes `\s` excludes only ASCII white space there (it may match more
 * than over the text, never less: a screen may flag too much). The key is looked for as its bytes.
 */
export function screenSources(envKey: string, options: { bytes?: boolean } = {}): ScreenSources | null {
  if (/[\r\n]/.test(envKey)) return null;
  const key = options.bytes ? Buffer.from(envKey, 'utf8').toString('latin1') : envKey;
  const lint = [explicitCase(MARKERS), explicitCase(MARKERS_ANY_CASE)];
  const own = [explicitCase(PASSWORD.marker), escapeRegExp(ANTHROPIC_EXTRA.marker), escapeRegExp(STRIPE.marker), escapeRegExp(JWT.marker)];
  if ([...lint, ...own].some((s) => s === null)) return null;
  const bytes = (source: string) => (options.bytes ? source.replaceAll('\\s', '\\t\\n\\v\\f\\r ') : source);
  return { lint: bytes(lint.join('|')), own: bytes(own.join('|')) + (key === '' ? '' : `|${escapeRegExp(key)}`) };
}

/**
 * A literal that every match of some of the screen's markers holds: what the screen looks for
 * first (the pass over the bytes, shared/token-pass.wat). `at` is where in it the pair of bytes starts that the pass over the bytes
 * looks for (shared/token-pass.ts), chosen among its pairs as the rarest in code
 * (counted on 43 MB of npm packages: `VA` 620 times, `sw` 3,500, `cc` 14,000, where `ss` is there
 * 86,000 times and `e` alone 3.3 million). `anyCase`: its letters in any case.
 */
export interface Probe {
  literal: string;
  at: number;
  anyCase?: boolean;
  /** What must follow the literal: a run of at least one byte outside `outside`, then `end`. */
  followedBy?: { outside: string; end: string };
}

/**
 * Every match of the screen (`screenSources` without the key) holds one of these (secret-screen.test.ts
 * checks it on matches generated from each of the screen's alternatives).
 */
const PROBES: readonly Probe[] = [
  { literal: 'PRIVATE KEY', at: 3 },
  // (SECRET|secret|Secret)_?(ACCESS|access|Access)
  { literal: 'ecret_acc', at: 7, anyCase: true },
  { literal: 'ecretacc', at: 6, anyCase: true },
  // AWS key ids
  { literal: 'A3T', at: 1 },
  { literal: 'AKIA', at: 0 },
  { literal: 'AGPA', at: 1 },
  { literal: 'AIDA', at: 2 },
  { literal: 'AROA', at: 2 },
  { literal: 'AIPA', at: 0 },
  { literal: 'ANPA', at: 1 },
  { literal: 'ANVA', at: 1 },
  { literal: 'ASIA', at: 2 },
  { literal: ':x-oauth-basic@', at: 0 },
  { literal: '_authToken=', at: 4 },
  { literal: 'npm_', at: 2 },
  { literal: 'xox', at: 0 },
  { literal: 'xapp-', at: 3 },
  { literal: 'SG.', at: 0 },
  { literal: 'shp', at: 1 },
  ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'].map((literal) => ({ literal, at: 2 })),
  { literal: 'github_pat_', at: 5 },
  { literal: 'T3BlbkFJ', at: 6 },
  { literal: 'sk-ant-', at: 1 },
  { literal: 'lin_api_', at: 6 },
  { literal: 'ops_ey', at: 2 },
  // :\/\/[^:/\s]+:[^@/\s]+@ — `://` is in every URL; only one with `host:` after it can hold a password.
  { literal: '://', at: 0, followedBy: { outside: ':/\t\n\v\f\r ', end: ':' } },
  { literal: 'hooks.slack.com', at: 10, anyCase: true },
  // pass(word|wd|phrase)
  { literal: 'passw', at: 3, anyCase: true },
  { literal: 'passph', at: 4, anyCase: true },
  { literal: '_live_', at: 0 },
  { literal: 'eyJ', at: 1 },
];

/** The probes of the screen for `key` (Latin-1 of its UTF-8, as the screen looks for it in bytes; '': none). */
export function probeSet(key: string): PassScreen {
  return probeTable(key.length >= 2 ? [...PROBES, { literal: key, at: rarestPair(key) }] : PROBES);
}

/**
 * `probes` laid out as the pass reads them (token-pass.wat says how): at `first << 8 | second`, the
 * number of the pair's list of probes (0: no probe has the pair, in any of its cases); from 64 KiB
 * on, the lists and probes. Plain bytes: it goes to the worker as it is.
 */
export function probeTable(probes: readonly Probe[]): PassScreen {
  const region: number[] = new Array(512).fill(0); // at 2 × n: where list n is
  const u16 = (at: number, value: number) => {
    region[at] = value & 0xff;
    region[at + 1] = value >> 8;
  };
  const byPair = new Map<number, number[]>();
  const where: number[] = [];
  for (const [k, p] of probes.entries()) {
    const bytes = Buffer.from(p.anyCase ? p.literal.toLowerCase() : p.literal, 'latin1');
    if (bytes.length > 255 || p.at < 0 || p.at + 1 >= bytes.length)
      throw new Error(`a probe of the secret screen cannot be laid out: ${p.literal.length} characters, pair at ${p.at}`);
    const fold = bytes.map((b) => (p.anyCase && b >= 0x61 && b <= 0x7a ? 0x20 : 0));
    where.push(region.length);
    region.push(bytes.length, p.at, p.followedBy ? p.followedBy.end.charCodeAt(0) : 0, 0, 0, ...bytes, ...fold);
    const cases = (j: number): number[] => (fold[j] === 0 ? [bytes[j]!] : [bytes[j]!, bytes[j]! & ~0x20]);
    for (const a of cases(p.at)) for (const b of cases(p.at + 1)) byPair.set((a << 8) | b, [...(byPair.get((a << 8) | b) ?? []), k]);
  }
  for (const [k, p] of probes.entries()) {
    const follow = p.followedBy;
    if (!follow) continue;
    u16(where[k]! + 3, region.length);
    for (let b = 0; b < 256; b++) region.push(follow.outside.includes(String.fromCharCode(b)) || b === follow.end.charCodeAt(0) ? 1 : 0);
  }
  const pairs = new Uint8Array(1 << 16);
  let list = 0;
  let most = 0;
  for (const [pair, ks] of byPair) {
    pairs[pair] = ++list;
    u16(2 * list, region.length);
    region.push(ks.length);
    for (const k of ks) {
      region.push(0, 0);
      u16(region.length - 2, where[k]!);
    }
    most = Math.max(most, ks.length);
  }
  if (list > 255 || region.length > 0xffff) throw new Error(`the secret screen's probes do not fit the pass: ${list} pairs, ${region.length} bytes`);
  const memory = new Uint8Array((1 << 16) + region.length);
  memory.set(pairs);
  memory.set(region, 1 << 16);
  return { memory, most };
}

/** Where in the key the pair is that code holds least often, by a rough rank: upper-case letters and digits first. */
function rarestPair(key: string): number {
  const rank = (i: number) => [key[i]!, key[i + 1]!].reduce((n, c) => n + (/[A-Z0-9]/.test(c) ? 2 : /[a-z]/.test(c) ? 0 : 1), 0);
  let best = 0;
  for (let i = 1; i + 1 < key.length; i++) if (rank(i) > rank(best)) best = i;
  return best;
}

/**
 * The screen over one chunk, self-contained (the scan's worker runs its text): for each span
 * `[starts[k], ends[k])` of `bytes` (sorted, not overlapping), the bits of what a match starts in
 * it: `own` (SCREEN_OWN, 1) and `lint` (SCREEN_LINT, 2), the screen's two parts over the bytes read
 * as Latin-1; `found` are where the probes start in `bytes` (the pass over the bytes finds them;
 * sorted here). Every match holds a probe and no line break, so the regexps run only over the
 * lines of a span in which a probe is, each line once. Every line in which `own` matches is pushed
 * to `ownLines` as three numbers: the span's index, the line's start and end in `bytes` (without
 * its line break): the harness's own checks of the span need look at those lines only (secrets.ts
 * `Screen`), so `own` is tried on every line that holds a probe, `lint` until it has matched.
 */
export function flagSpans(
  own: RegExp,
  lint: RegExp,
  bytes: Buffer,
  found: number[],
  starts: ArrayLike<number>,
  ends: ArrayLike<number>,
  ownLines: number[],
): Uint8Array {
  const flags = new Uint8Array(starts.length);
  found.sort((a, b) => a - b);
  let span = 0;
  let checked = 0; // bytes before this were checked
  for (const q of found) {
    if (q < checked) continue;
    while (span < starts.length && ends[span]! <= q) span++;
    if (span === starts.length) break;
    if (q < starts[span]!) continue;
    const from = Math.max(starts[span]!, bytes.lastIndexOf(0x0a, q) + 1);
    const eol = bytes.indexOf(0x0a, q);
    const to = eol === -1 || eol > ends[span]! ? ends[span]! : eol;
    const line = bytes.toString('latin1', from, to);
    own.lastIndex = 0;
    lint.lastIndex = 0;
    if (own.test(line)) {
      flags[span] = flags[span]! | 1;
      ownLines.push(span, from, to);
    }
    if ((flags[span]! & 2) === 0 && lint.test(line)) flags[span] = flags[span]! | 2;
    checked = to;
  }
  return flags;
}
