/**
 * What one run of the verify command means, apart from running it: the `verified`
 * event to record and the task-list changes it makes. Pure.
 *
 * - passed: nothing marked;
 * - failed, naming tasks: each named task with repairs left is marked for repair (back to pending,
 *   unticked, so it is submitted again with its diagnostics); one out of repairs fails, its last
 *   diagnostic line as the reason;
 * - failed naming no task, a timeout or a signal: nothing marked, the run ends (exit 3).
 */
import type { JournalState } from '../state/journal-fold.js';
import type { VerifiedEvent } from '../state/journal-events.js';
import type { TaskChange } from '../tasks/task-list.js';
import type { VerifyRun } from './run-verify.js';

export interface VerifyDecisionInput {
  command: string;
  at: string;
  /** The run, its output already redacted and bounded. */
  run: VerifyRun;
  /** The output's lines per task path (keyed by task path), and the other paths it names. */
  mapping: { byTask: ReadonlyMap<string, readonly string[]>; otherPaths: readonly string[] };
  /** Repair rounds each task has had (repairRounds of the journal). */
  rounds: ReadonlyMap<string, number>;
  /** verify.repairs: repair rounds allowed per task. */
  repairs: number;
}

export interface VerifyDecision {
  event: VerifiedEvent;
  taskChanges: Map<string, TaskChange>;
}

export function decideVerify(input: VerifyDecisionInput): VerifyDecision {
  const { run } = input;
  const repairs: Record<string, string[]> = {};
  const failed: Record<string, string> = {};
  const taskChanges = new Map<string, TaskChange>();
  // A timeout or a signal names no file, whatever the output says.
  if (!run.passed && !run.timedOut && run.signal === null) {
    for (const [path, lines] of input.mapping.byTask) {
      if ((input.rounds.get(path) ?? 0) < input.repairs) {
        repairs[path] = [...lines];
        taskChanges.set(path, { status: 'pending', checked: false, reason: null, batch: null });
      } else {
        const reason = `verify failed after ${input.repairs} repair(s): ${lines.at(-1) ?? input.command}`;
        failed[path] = reason;
        taskChanges.set(path, { status: 'failed', checked: false, reason });
      }
    }
  }
  const event: VerifiedEvent = {
    type: 'verified',
    at: input.at,
    command: input.command,
    passed: run.passed,
    exitCode: run.exitCode,
    signal: run.signal,
    timedOut: run.timedOut,
    output: run.output,
    repairs,
    failed,
    other: run.passed ? [] : [...input.mapping.otherPaths],
  };
  return { event, taskChanges };
}

/** Whether a verification failed in a way no repair can answer (named no task, timed out, killed). */
export const verifyUnanswerable = (e: VerifiedEvent): boolean =>
  !e.passed && Object.keys(e.repairs).length === 0 && Object.keys(e.failed).length === 0;

/** The last `verified` event, or null. */
export function lastVerified(journal: JournalState): VerifiedEvent | null {
  for (let i = journal.events.length - 1; i >= 0; i--) {
    const e = journal.events[i];
    if (e?.type === 'verified') return e;
  }
  return null;
}

/**
 * Whether files were written since the last verification (or ever, when there is none): a collect
 * that wrote files, or a synchronous call that rewrote one.
 */
export function verifyDue(journal: JournalState): boolean {
  for (let i = journal.events.length - 1; i >= 0; i--) {
    const e = journal.events[i];
    if (e?.type === 'verified') return false;
    if (e?.type === 'collected' && e.files.length > 0) return true;
    if (e?.type === 'call' && e.purpose === 'refine' && e.path !== undefined) return true;
  }
  return false;
}
