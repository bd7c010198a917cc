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
  // A timeout or a signal names no file, whatever the output says.
  if (!run.passed && !run.timedOut && run.signal === null) {
    for (const [path, lines] of input.mapping.byTask) {
      if ((input.rounds.get(path) ?? 0) < input.repairs) repairs[path] = [...lines];
      else failed[path] = `verify failed after ${input.repairs} repair(s): ${lines.at(-1) ?? input.command}`;
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
  return { event, taskChanges: verifyTaskChanges(event) };
}

/**
 * The task-list changes a `verified` event stands for (absolute values: applying them twice is
 * applying them once): each task marked for repair back to pending and unticked, each task out of
 * repairs failed with its reason.
 */
export function verifyTaskChanges(event: VerifiedEvent): Map<string, TaskChange> {
  const changes = new Map<string, TaskChange>();
  for (const path of Object.keys(event.repairs)) changes.set(path, { status: 'pending', checked: false, reason: null, batch: null });
  for (const [path, reason] of Object.entries(event.failed)) changes.set(path, { status: 'failed', checked: false, reason });
  return changes;
}

/** Trailer of every verify commit (`Harness-Verify: <the event's at>`), so recovery can tell it was made. */
export const VERIFY_TRAILER = 'Harness-Verify';

/** What recovery knows about the last `verified` event (see decideVerifyReplay). */
export interface VerifyReplayView {
  /** A commit carries its `Harness-Verify` trailer. */
  committed: boolean;
  /** The journal has uncommitted changes (the event is not in any commit, unless someone committed it by hand). */
  journalDirty: boolean;
  /** task-list.md has uncommitted changes. */
  taskListDirty: boolean;
  /** task-list.md now, and as the event's changes make it (writeTaskList of verifyTaskChanges). */
  current: string;
  replayed: string;
}

/**
 * After a crash between recording `verified` and its commit, the task list may have lost the marks
 * the event stands for. Never blindly (a person may have accepted a file since):
 * - `none`: its commit exists, or the journal is committed (someone committed the event by hand:
 *   the task list as committed then is the person's word);
 * - `commit`: the task list already holds the changes; only the commit is missing;
 * - `replay`: the task list is as last committed (the crash came before it was written): write the
 *   changes, then commit;
 * - `edited`: the task list changed by hand since the last commit and does not hold the changes:
 *   left as it is (the person's edit wins; `harness verify` checks again).
 * Pure.
 */
export function decideVerifyReplay(v: VerifyReplayView): 'none' | 'commit' | 'replay' | 'edited' {
  if (v.committed || !v.journalDirty) return 'none';
  if (v.current === v.replayed) return 'commit';
  return v.taskListDirty ? 'edited' : 'replay';
}

/** Whether a verification failed in a way no repair can answer (named no task, timed out, killed). */
export const verifyUnanswerable = (e: VerifiedEvent): boolean =>
  !e.passed && Object.keys(e.repairs).length === 0 && Object.keys(e.failed).length === 0;

/** A verification as `status --json` and `run --json` show it: `failing` are the task paths it named. */
export interface VerifyResult {
  command: string;
  passed: boolean;
  failing: string[];
  at: string;
}

export function verifyResultOf(e: VerifiedEvent | null): VerifyResult | null {
  if (!e) return null;
  return { command: e.command, passed: e.passed, failing: [...Object.keys(e.repairs), ...Object.keys(e.failed)], at: e.at };
}

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
    if (e?.type === 'call' && e.purpose !== 'plan' && e.path !== undefined) return true;
  }
  return false;
}
