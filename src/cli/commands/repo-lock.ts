/** Holding the repo lock while a command changes anything, and stopping cleanly on Ctrl-C / SIGTERM. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../../pipeline/workspace.js';
import { isStopRequested, onStopSignals, StopRequested, stopExitCode, type StopReason } from '../../shared/signals.js';
import { printError } from '../render.js';
import { CommandExit, type CommandContext } from './command-spec.js';

/**
 * Runs `fn` holding the repo lock. The first SIGINT/SIGTERM asks for a stop: `fn` stops at its next
 * safe point (or finishes, for steps that cannot be cut), the lock is released as the process ends,
 * and the message says what still runs on the server and how to resume; the exit code is 130
 * (SIGINT) or 143 (SIGTERM). A second signal exits at once.
 */
export async function locked<T>(ctx: CommandContext, ws: Workspace, command: string, fn: () => Promise<T>): Promise<T> {
  const { acquireLock, LOCK_FILE } = await import('../../state/lock.js');
  const lock = await acquireLock(ws.repoDir, command);
  const handlers = onStopSignals(
    (reason) => {
      ctx.stop.request(reason);
      ctx.io.err.write(
        `\n! ${reason}: stopping at the next safe point (the step in hand finishes first). ${reason === 'SIGINT' ? 'Press Ctrl-C' : 'Send SIGTERM'} again to exit at once; the journal keeps the state consistent either way.\n`,
      );
    },
    (reason) => {
      ctx.io.err.write(`\n! ${reason} again: exiting now. Run \`harness run\` to finish whatever was cut off (the journal records it).\n`);
      try {
        rmSync(path.join(ws.repoDir, LOCK_FILE), { force: true });
      } catch {
        // the stale-lock check frees it anyway: this pid is gone
      }
      process.exit(stopExitCode(reason));
    },
  );
  let stopped: StopRequested | null = null;
  let stepFailed = false;
  let result: T | undefined;
  try {
    result = await fn();
  } catch (error) {
    if (isStopRequested(error)) stopped = error;
    else if (ctx.stop.stop.reason) {
      // A terminal's Ctrl-C also reaches the git processes the harness runs: a step that failed
      // because of the signal is reported, then the stop as usual (the journal lets the next run
      // finish that step).
      printError(ctx.io, error);
      stepFailed = true;
      stopped = new StopRequested(ctx.stop.stop.reason);
    } else throw error;
  } finally {
    handlers.dispose();
    await lock.release();
  }
  const reason = stopped?.reason ?? ctx.stop.stop.reason;
  if (reason) await printStopped(ctx, ws, reason, stepFailed);
  if (stopped) throw new CommandExit(stopExitCode(stopped.reason));
  return result as T;
}

/** What a stopped command leaves: batches still running on the server, and how to go on. */
async function printStopped(ctx: CommandContext, ws: Workspace, reason: StopReason, stepFailed: boolean): Promise<void> {
  const { inFlight, readJournal } = await import('../../state/journal.js');
  const journal = await readJournal(ws.repoDir).catch(() => null);
  const running = journal ? inFlight(journal) : [];
  const lines = [
    stepFailed
      ? `stopped by ${reason}; the step in hand failed (above): the next \`harness run\` finishes it from the journal.`
      : `stopped by ${reason}; nothing was left half-done.`,
  ];
  if (running.length > 0) {
    lines.push(
      `still running on the server (and billed as they finish): ${running.map((b) => b.batchId).join(', ')}`,
      'to resume: `harness run` (waits, collects and goes on), or `harness collect` later (collects what has ended, submits nothing); `harness cancel` stops them',
    );
  } else {
    lines.push('nothing is running on the server; `harness run` goes on from here');
  }
  ctx.io.err.write(lines.map((l) => `! ${l}\n`).join(''));
}

/** The exit code of a command that finished after a stop was requested (the work in hand ended normally). */
export const stoppedCode = (ctx: CommandContext, code: number): number => (ctx.stop.stop.reason ? stopExitCode(ctx.stop.stop.reason) : code);
