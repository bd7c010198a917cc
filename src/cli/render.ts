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

export const colorsFor = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv) =>
  pc.createColors(!env.NO_COLOR && stream.isTTY === true);

export function createReporter(io: Output, options: { quiet?: boolean } = {}): Reporter & { done(): void } {
  const c = colorsFor(io.err, io.env);
  const tty = io.err.isTTY === true;
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

export function duration(ms: number): string {
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

/** A plain text table: columns padded, numbers right-aligned. */
export function table(rows: (string | number)[][], header: string[]): string {
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return all
    .map((r) => r.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}
