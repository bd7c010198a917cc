/**
 * The only place that draws: the reporter for core events (progress on a TTY, plain lines
 * otherwise, all on stderr so stdout stays clean for --json), tables, and the one error printer.
 */
import pc from 'picocolors';
import { isNetworkError, NETWORK_HINT, networkMessage } from '../batch/network.js';
import { isHarnessError } from '../shared/errors.js';
import type { BatchProgress, Reporter } from '../pipeline/workspace.js';

export interface Output {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * Whether to colour output to `stream`: NO_COLOR (any non-empty value) turns colour off; else
 * FORCE_COLOR turns it off (`0`, `false`) or on (any other value, also when not a terminal); else
 * colour only on a terminal that is not TERM=dumb.
 */
function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export const colorsFor = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv) => pc.createColors(useColor(stream, env));

/** `1 file`, `2 files`; `plural(2, 'batch', 'batches')`. */
export { plural } from '../shared/plural.js';

export function createReporter(io: Output, options: { quiet?: boolean } = {}): Reporter & { done(): void } {
  const c = colorsFor(io.err, io.env);
  // A progress line redrawn in place needs a terminal that understands the erase sequence.
  const tty = io.err.isTTY === true && io.env.TERM !== 'dumb';
  let progressShown = false;
  let lastLine = '';
  const clear = () => {
    if (progressShown) io.err.write('\r\x1b[2K');
    progressShown = false;
  };
  return {
    info(message) {
      if (options.quiet) return;
      clear();
      io.err.write(`${c.dim('·')} ${message}\n`);
    },
    warn(message) {
      clear();
      io.err.write(`${c.yellow('!')} ${message}\n`);
    },
    progress(p: BatchProgress) {
      const line = progressLine(p);
      if (tty) {
        io.err.write(`\r\x1b[2K${c.cyan('⧗')} ${line}`);
        progressShown = true;
      } else if (stripTimes(line) !== stripTimes(lastLine)) {
        io.err.write(`  ${line}\n`); // quiet: one line per change, not per poll
      }
      lastLine = line;
    },
    done() {
      clear();
    },
  };
}

function progressLine(p: BatchProgress): string {
  const eta = p.etaMs === null ? '' : `, eta ${duration(p.etaMs)}`;
  return `${p.batchId} ${p.status}: ${p.succeeded} succeeded, ${p.errored} errored, ${p.processing} processing${p.canceled ? `, ${p.canceled} canceled` : ''}${p.expired ? `, ${p.expired} expired` : ''} (${duration(p.elapsedMs)}${eta})`;
}

const stripTimes = (line: string) => line.replace(/\(.*\)$/, '');

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Prints an error once, with its exit code; unknown errors are internal (exit 1). */
export function printError(io: Output, error: unknown): 0 | 1 | 2 | 3 {
  const c = colorsFor(io.err, io.env);
  if (isHarnessError(error)) {
    io.err.write(`${c.red('✖')} ${error.located}\n`);
    for (const more of error.more) io.err.write(`${c.red('✖')} ${more.located}\n`);
    if (error.omitted > 0) io.err.write(`${c.red('✖')} … and ${error.omitted} more\n`);
    if (error.hint) io.err.write(`  ${c.dim('→')} ${error.hint}\n`);
    return error.exitCode;
  }
  // A network failure that reached here unwrapped is still not an internal error.
  if (isNetworkError(error)) {
    io.err.write(`${c.red('✖')} ${networkMessage(error, io.env)}\n`);
    io.err.write(`  ${c.dim('→')} ${NETWORK_HINT}\n`);
    return 1;
  }
  const msg = error instanceof Error ? error.message : String(error);
  io.err.write(`${c.red('✖')} internal error: ${msg}\n`);
  if (io.env.HARNESS_DEBUG && error instanceof Error && error.stack) io.err.write(`${error.stack}\n`);
  else io.err.write(`  ${c.dim('→')} set HARNESS_DEBUG=1 for the stack trace, and please report it\n`);
  return 1;
}

/** A plain text table: columns padded to their visible width (colour codes count as nothing), numbers right-aligned. */
export function table(rows: (string | number)[][], header: string[]): string {
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => visibleWidth(r[i] ?? ''))));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const pad = (cell: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i]! - visibleWidth(cell)));
    return numeric[i] ? fill + cell : cell + fill;
  };
  return all.map((r) => r.map(pad).join('  ').trimEnd()).join('\n');
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/**
 * Columns `s` takes in a terminal: escape sequences take none, combining marks none, wide (East
 * Asian, emoji) characters two, everything else one.
 */
export function visibleWidth(s: string): number {
  let width = 0;
  for (const ch of s.replace(ANSI, '')) {
    const cp = ch.codePointAt(0)!;
    if (cp < 32 || (cp >= 0x7f && cp < 0xa0) || /\p{Mn}|\p{Me}|\u200b|\u200d|\ufe0f/u.test(ch)) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

const isWide = (cp: number): boolean =>
  (cp >= 0x1100 && cp <= 0x115f) ||
  (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
  (cp >= 0xac00 && cp <= 0xd7a3) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0xfe30 && cp <= 0xfe4f) ||
  (cp >= 0xff00 && cp <= 0xff60) ||
  (cp >= 0xffe0 && cp <= 0xffe6) ||
  (cp >= 0x1f300 && cp <= 0x1f64f) ||
  (cp >= 0x1f900 && cp <= 0x1f9ff) ||
  (cp >= 0x20000 && cp <= 0x3fffd);

/**
 * A failed `--json` command still prints one JSON document on stdout: `base` (the command's shape,
 * empty) with an `error` field; the message also goes to stderr as usual. Returns the exit code.
 */
export function printJsonError(io: Output, error: unknown, base: object): number {
  const code = printError(io, error);
  const detail = isHarnessError(error)
    ? {
        code: error.code,
        message: error.message,
        file: error.file ?? null,
        line: error.line ?? null,
        hint: error.hint ?? null,
        exit_code: code,
      }
    : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), file: null, line: null, hint: null, exit_code: code };
  io.out.write(JSON.stringify({ ...base, error: detail }, null, 2) + '\n');
  return code;
}
