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
 * A literal that every match of some of the screen's markers holds: what the screen looks for
 * first (`probeStarts`). `at` is where in it the pair of bytes starts that the pass over the bytes
 * looks for (shared/token-pass.ts), chosen among its pairs as the rarest in code
 * (counted on 43 MB of npm packages: `VA` 620 times, `sw` 3,500, `cc` 14,000, where `ss` is there
 * 86,000 times and `e` alone 3.3 million). `anyCase`: its letters in any case.
 */
interface Probe {
  literal: string;
  at: number;
  anyCase?: boolean;
  /** What must follow the literal: a run of at least one byte outside `outside`, then `end`. */
  followedBy?: { outside: string; end: string };
}

/**
 * Every match of the screen (`screenSource` without the key) holds one of these (secret-screen.test.ts
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

/** PROBES and the key, as the pass and `probeStarts` read them (plain data: it goes to the worker as it is). */
export interface ProbeSet {
  /** At `first << 8 | second`: 1 for the pair of a probe (in any of its cases), else 0 (the table the pass reads). */
  pairs: Uint8Array;
  /** At the same index, where in `lists` the probes of the pair are: their count, then their indexes. */
  index: Int32Array;
  lists: Int32Array;
  /** Per probe: its bytes (letters lower-cased when any case), 0x20 where a byte may be in either case, `at`. */
  bytes: Uint8Array[];
  fold: Uint8Array[];
  at: number[];
  /** Per probe with a `followedBy`: 1 for each byte outside the run's bytes (the run's end included), and its end byte; null, -1 without. */
  followStop: (Uint8Array | null)[];
  followEnd: number[];
}

/** The probes of the screen for `key` (Latin-1 of its UTF-8, as the screen looks for it in bytes; '': none). */
export function probeSet(key: string): ProbeSet {
  const probes = key.length >= 2 ? [...PROBES, { literal: key, at: rarestPair(key) }] : PROBES;
  const byPair = new Map<number, number[]>();
  const set: ProbeSet = {
    pairs: new Uint8Array(1 << 16),
    index: new Int32Array(1 << 16),
    lists: new Int32Array(0),
    bytes: [],
    fold: [],
    at: [],
    followStop: [],
    followEnd: [],
  };
  for (const [k, p] of probes.entries()) {
    const bytes = Buffer.from(p.anyCase ? p.literal.toLowerCase() : p.literal, 'latin1');
    const fold = bytes.map((b) => (p.anyCase && b >= 0x61 && b <= 0x7a ? 0x20 : 0));
    set.bytes.push(bytes);
    set.fold.push(fold);
    set.at.push(p.at);
    const follow = p.followedBy;
    set.followStop.push(follow ? Uint8Array.from({ length: 256 }, (_, b) => (follow.outside.includes(String.fromCharCode(b)) ? 1 : 0)) : null);
    set.followEnd.push(follow ? follow.end.charCodeAt(0) : -1);
    const cases = (j: number): number[] => (fold[j] === 0 ? [bytes[j]!] : [bytes[j]!, bytes[j]! & ~0x20]);
    for (const a of cases(p.at)) for (const b of cases(p.at + 1)) byPair.set((a << 8) | b, [...(byPair.get((a << 8) | b) ?? []), k]);
  }
  const lists: number[] = [];
  for (const [pair, ks] of byPair) {
    set.pairs[pair] = 1;
    set.index[pair] = lists.length;
    lists.push(ks.length, ...ks);
  }
  set.lists = Int32Array.from(lists);
  return set;
}

/** Where in the key the pair is that code holds least often, by a rough rank: upper-case letters and digits first. */
function rarestPair(key: string): number {
  const rank = (i: number) => [key[i]!, key[i + 1]!].reduce((n, c) => n + (/[A-Z0-9]/.test(c) ? 2 : /[a-z]/.test(c) ? 0 : 1), 0);
  let best = 0;
  for (let i = 1; i + 1 < key.length; i++) if (rank(i) > rank(best)) best = i;
  return best;
}

/**
 * The screen over one chunk, first step, self-contained (the scan's worker runs its text): where a
 * probe of `set` starts in `bytes`, for each pair in `hits` (the second byte of each pair of `set`
 * found there, any order) that begins one; in no order. `flagSpans` takes it from there. (Two
 * functions, not one: V8 compiles this hot loop on its own, and the rarer work of the second, which
 * gets its first use later, does not throw the compiled loop away when it does: one function of
 * both was compiled again six or seven times a scan, ~100 ms of a helper thread's time.)
 */
export function probeStarts(set: ProbeSet, bytes: Buffer, hits: readonly number[]): number[] {
  const found: number[] = [];
  for (const h of hits) {
    const list = set.index[(bytes[h - 1]! << 8) | bytes[h]!]!;
    for (let n = set.lists[list]!, i = list + 1; n > 0; n--, i++) {
      const k = set.lists[i]!;
      const lit = set.bytes[k]!;
      const fold = set.fold[k]!;
      const q = h - 1 - set.at[k]!;
      if (q < 0 || q + lit.length > bytes.length) continue;
      let j = 0;
      while (j < lit.length && (bytes[q + j]! | fold[j]!) === lit[j]) j++;
      if (j < lit.length) continue;
      const stop = set.followStop[k];
      if (stop) {
        let r = q + lit.length;
        while (r < bytes.length && stop[bytes[r]!] === 0) r++;
        if (r === q + lit.length || r === bytes.length || bytes[r] !== set.followEnd[k]) continue;
      }
      found.push(q);
    }
  }
  return found;
}

/**
 * The screen over one chunk, second step, self-contained: 1 for each span `[starts[k], ends[k])` of
 * `bytes` (sorted, not overlapping) that a match of `re` (the screen, over the bytes read as
 * Latin-1) starts in, where `found` are the probes' starts (`probeStarts`; sorted here). Every match
 * holds a probe and no line break, so `re` runs only over the lines of a span in which a probe is,
 * each line once, and no more once the span is flagged.
 */
export function flagSpans(re: RegExp, bytes: Buffer, found: number[], starts: ArrayLike<number>, ends: ArrayLike<number>): Uint8Array {
  const flags = new Uint8Array(starts.length);
  found.sort((a, b) => a - b);
  let span = 0;
  let checked = 0; // bytes before this were checked (or are in a flagged span)
  for (const q of found) {
    if (q < checked) continue;
    while (span < starts.length && ends[span]! <= q) span++;
    if (span === starts.length) break;
    if (q < starts[span]!) continue;
    const from = Math.max(starts[span]!, bytes.lastIndexOf(0x0a, q) + 1);
    const eol = bytes.indexOf(0x0a, q);
    const to = eol === -1 || eol > ends[span]! ? ends[span]! : eol;
    re.lastIndex = 0;
    if (re.test(bytes.toString('latin1', from, to))) {
      flags[span] = 1;
      checked = ends[span]!;
    } else checked = to;
  }
  return flags;
}
