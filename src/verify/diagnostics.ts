/**
 * From a verify command's output to the tasks it names (issue 15, items 3 and 7): pure functions,
 * no I/O. `mapDiagnostics` gives each task the output lines that name its path, with the lines that
 * continue the same diagnostic (tsc's pretty code frames, eslint's stylish groups, Biome's frames,
 * vitest's `FAIL` blocks and `❯ file:line` frames); `redactSecrets` and `boundOutput` make the
 * output safe to store and small enough to send.
 *
 * A path matches only at a boundary: `src/a.ts` is not found inside `src/a.tsx`, `xsrc/a.ts` or
 * `lib/src/a.ts`. It may be written as is, with `./`, as an absolute path inside the repo (also as a
 * `file://` URL), with backslashes, and followed by `:line`, `:line:col` or `(line,col)`.
 */
import { isPasswordLiteral } from '../repo/secret-patterns.js';
import { ANTHROPIC_EXTRA, JWT, PASSWORD, STRIPE } from '../repo/secret-rules.js';
import { escapeRegExp } from '../shared/regexp.js';

export interface MapDiagnosticsOptions {
  /** Absolute path of the repo root: absolute paths inside it name repo-relative paths. */
  repoDir: string;
  /** The tasks' paths, repo-relative, with `/`. */
  taskPaths: readonly string[];
  /** Lines kept per task (default 20). */
  maxLinesPerTask?: number;
  /** A longer line is cut, with `…` (default 400). */
  maxLineChars?: number;
  /** Other paths kept (default 50). */
  maxOtherPaths?: number;
}

export interface MappedDiagnostics {
  /** Task path -> the output lines that name it, in output order, deduplicated, bounded. Only tasks named. */
  byTask: Map<string, string[]>;
  /** Source-like paths (`dir/file.ext:line`) that are no task, repo-relative when inside the repo; deduplicated, bounded. */
  otherPaths: string[];
}

const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u009b[0-?]*[ -/]*[@-~]/g;

export const stripAnsi = (text: string): string => text.replace(ANSI, '');

/** Characters that may be part of a path: a path must not be preceded or followed by one. */
const PATH_CHAR = String.raw`[\w.@\-/\\]`;
const SEP = String.raw`[\\/]`;

const pathPattern = (path: string): string => path.split(/[\\/]/).map(escapeRegExp).join(SEP);

/** Matches `path` at a boundary, bare, as `./path`, or under `repoDir` (absolute or `file://`). */
function taskMatcher(path: string, repoDirs: readonly string[]): RegExp {
  const before = `(?:^|(?<!${PATH_CHAR}))`;
  const prefixes = [`${before}(?:\\.${SEP})?`, ...repoDirs.map((dir) => `(?:${before}|(?<=file:\\/\\/))${pathPattern(dir)}${SEP}`)];
  // After the path: not more of a path (`.tsx`, `.bak`, `/x`); a sentence's full stop is fine.
  const after = String.raw`(?![\w\-@]|[.\\/][\w\-@])`;
  return new RegExp(`(?:${prefixes.join('|')})${pathPattern(path)}${after}`);
}

/**
 * A path-like token followed by a line number (`dir/file.ext:12`, `file.ext(3,4)`), or a whole line
 * that is a path with a folder (eslint's stylish header). Group 1 is the path.
 */
const LOCATED_PATH = new RegExp(
  String.raw`(?<!${PATH_CHAR})((?:[A-Za-z]:)?(?:\.{1,2}[\\/]|[\\/])?(?:[\w.@\-]+[\\/])*[\w@\-][\w.@\-]*\.[A-Za-z][\w]{0,9})(?::\d+|\(\d+,\d+\))`,
  'g',
);
/** Any path with a folder and an extension, not quoted (a quoted one is an import in a code frame). */
const ANY_PATH = new RegExp(String.raw`(?<!${PATH_CHAR}|['"\x60])(?:[\w.@\-]+[\\/])+[\w@\-][\w.@\-]*\.[A-Za-z]\w{0,9}(?![\w\-@]|[.\\/][\w\-@])`);
const WHOLE_LINE_PATH = /^\s*((?:[A-Za-z]:)?[\\/]?(?:[\w.@-]+[\\/])+[\w@-][\w.@-]*\.[A-Za-z]\w{0,9})\s*$/;

/** Lines that end any diagnostic block: vitest's `⎯⎯⎯` separators and its summary. */
const BLOCK_END = /^\s*(?:⎯{3,}|━{3,}|-{3,}\s*$|Test Files\s|Tests\s+\d|Found \d+ errors?|Errors\s+Files\s*$|✖ \d+ problems?)/;
/** vitest's failure header: `FAIL  test/a.test.ts > suite > name` opens a block until the next separator. */
const VITEST_FAIL = /^\s*FAIL\s/;
/** tsc --pretty code frame lines: `12 const x = …` (the line number is not indented). */
const CODE_FRAME = /^\d+ /;

const isContinuation = (line: string): boolean => /^\s+\S/.test(line) || CODE_FRAME.test(line);

export function mapDiagnostics(output: string, options: MapDiagnosticsOptions): MappedDiagnostics {
  const maxLines = options.maxLinesPerTask ?? 20;
  const maxChars = options.maxLineChars ?? 400;
  const maxOther = options.maxOtherPaths ?? 50;
  const repoDir = options.repoDir.replace(/[\\/]+$/, '');
  const repoDirs = repoDir === '' ? [] : [repoDir];
  const tasks = [...new Set(options.taskPaths.map((p) => p.replace(/\\/g, '/').replace(/^\.\//, '')))];
  const matchers = tasks.map((path) => ({ path, re: taskMatcher(path, repoDirs) }));
  const taskSet = new Set(tasks);

  const byTask = new Map<string, string[]>();
  const seen = new Map<string, Set<string>>();
  const add = (path: string, line: string): void => {
    const text = line.length > maxChars ? `${line.slice(0, maxChars)}…` : line;
    let lines = byTask.get(path);
    let set = seen.get(path);
    if (!lines || !set) {
      lines = [];
      set = new Set();
      byTask.set(path, lines);
      seen.set(path, set);
    }
    if (lines.length >= maxLines || set.has(text)) return;
    set.add(text);
    lines.push(text);
  };

  const other: string[] = [];
  const otherSeen = new Set<string>();
  const noteOther = (raw: string): void => {
    const rel = relativePath(raw, repoDir);
    if (rel === undefined || taskSet.has(rel) || /(?:^|\/)node_modules\//.test(rel)) return;
    if (otherSeen.has(rel) || other.length >= maxOther) return;
    otherSeen.add(rel);
    other.push(rel);
  };

  /** Owners of a vitest FAIL block (until its separator). */
  let blockOwners: string[] = [];
  /** Owners of the last naming line, for the indented lines under it. */
  let lineOwners: string[] = [];
  for (const raw of stripAnsi(output).split(/\r?\n|\r/)) {
    const line = raw.replace(/\s+$/, '');
    if (line === '') continue;
    if (BLOCK_END.test(line)) {
      blockOwners = [];
      lineOwners = [];
      continue;
    }
    const named = matchers.filter((m) => m.re.test(line)).map((m) => m.path);
    for (const m of line.matchAll(LOCATED_PATH)) noteOther(m[1]!);
    const whole = WHOLE_LINE_PATH.exec(line);
    if (whole) noteOther(whole[1]!);

    if (VITEST_FAIL.test(line)) {
      blockOwners = named;
      lineOwners = [];
    } else if (named.length > 0) {
      lineOwners = named;
    } else if (!isContinuation(line) || ANY_PATH.test(line)) {
      // Not part of the last diagnostic, or the header of another file's diagnostic.
      lineOwners = [];
    }
    for (const path of new Set([...blockOwners, ...lineOwners, ...named])) add(path, line);
  }
  return { byTask, otherPaths: other };
}

/** `raw` as a repo-relative path with `/`, or undefined for an absolute path outside the repo. */
function relativePath(raw: string, repoDir: string): string | undefined {
  const path = raw.replace(/\\/g, '/');
  const dir = repoDir.replace(/\\/g, '/');
  if (dir !== '' && path.startsWith(`${dir}/`)) return path.slice(dir.length + 1);
  if (/^(?:[A-Za-z]:)?\//.test(path)) return undefined;
  return path.replace(/^(?:\.\/)+/, '');
}

export const REDACTED = '[redacted]';

/**
 * Secret shapes redacted from verify output, on top of the environment's API key: the harness's
 * own pattern rules (secret-rules.ts) and the key shapes of secretlint's preset that have a fixed
 * prefix (the preset itself reports a line and column, not the secret's extent, so it cannot redact).
 */
const SECRET_SHAPES: readonly RegExp[] = [
  ANTHROPIC_EXTRA.pattern,
  STRIPE.pattern,
  JWT.pattern,
  /(?<![A-Za-z0-9_-])sk-ant-api\d{2}-[A-Za-z0-9_-]{20,}/g,
  /(?<![A-Za-z0-9_-])sk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}/g,
  /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g,
  /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})/g,
  /(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,}/g,
  /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // user:password@ in a URL: the password only
  /(?<=:\/\/[^\s:/@]+:)[^\s/@]+(?=@)/g,
];

/** `output` with the environment's `ANTHROPIC_API_KEY`, the secret shapes above and quoted password literals replaced by `[redacted]`. */
export function redactSecrets(output: string, env: NodeJS.ProcessEnv): string {
  let text = output;
  const key = (env.ANTHROPIC_API_KEY ?? '').trim();
  if (key.length >= 8) text = text.split(key).join(REDACTED);
  for (const shape of SECRET_SHAPES) text = text.replace(shape, REDACTED);
  // A quoted password literal (`password = "…"`, `DB_PASSWORD: '…'`): the value only, as the password rule judges it.
  text = text.replace(PASSWORD.pattern, (match, _keyQuote, quote: string | undefined, quoted: string | undefined) => {
    if (quote === undefined || quoted === undefined || !isPasswordLiteral(quoted)) return match;
    return `${match.slice(0, match.length - quoted.length - 1)}${REDACTED}${quote}`;
  });
  return text;
}

/**
 * At most `maxBytes` bytes (UTF-8) of `output`: its head and its tail, with a marker saying how
 * much was left out between them; never cuts a character in two.
 */
export function boundOutput(output: string, maxBytes: number): string {
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.length <= maxBytes) return output;
  const marker = (n: number): string => `\n… [${n} bytes left out] …\n`;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(marker(bytes.length)));
  let headEnd = Math.ceil(budget / 2);
  let tailStart = bytes.length - (budget - headEnd);
  const isContinuationByte = (i: number): boolean => i < bytes.length && (bytes[i]! & 0xc0) === 0x80;
  while (headEnd > 0 && isContinuationByte(headEnd)) headEnd--;
  while (isContinuationByte(tailStart)) tailStart++;
  const head = bytes.subarray(0, headEnd).toString('utf8');
  const tail = bytes.subarray(tailStart).toString('utf8');
  return `${head}${marker(tailStart - headEnd)}${tail}`;
}
