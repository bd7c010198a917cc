/**
 * The verify step's effects: run the command, decide (verify-decision.ts), record `verified` in the
 * journal, write the task-list changes, commit `harness: verify (<passed|n to repair>)` with
 * task-list.md and the journal, its trailer `Harness-Verify: <at>` naming the event. The command comes
 * in through `VerifyDeps`. A crash between the event and its commit is finished by recovery
 * (`replayVerification`).
 */
import { failpoint } from '../shared/failpoint.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import { JOURNAL_FILE, type JournalState, type JournalStore } from '../state/journal.js';
import type { VerifiedEvent } from '../state/journal-events.js';
import { readTaskListFile, writeTaskList, writeTaskListFile } from '../tasks/task-list.js';
import type { Workspace } from '../pipeline/workspace.js';
import { boundOutput, mapDiagnostics, redactSecrets } from './diagnostics.js';
import { repairRounds } from './repair-state.js';
import { runVerify, type VerifyRun, type VerifyRunOptions } from './run-verify.js';
import { decideVerify, decideVerifyReplay, lastVerified, VERIFY_TRAILER, verifyTaskChanges } from './verify-decision.js';

export type VerifyWorkspace = Pick<Workspace, 'repoDir' | 'repoPath' | 'config' | 'git' | 'reporter' | 'env' | 'now' | 'stop'>;

export interface VerifyDeps {
  runVerify(options: VerifyRunOptions): Promise<VerifyRun>;
}

const defaultVerifyDeps: VerifyDeps = { runVerify };

/** Runs the verify command now and records what it means. Returns the `verified` event. */
export async function verifyNow(ws: VerifyWorkspace, journal: JournalStore, deps: VerifyDeps = defaultVerifyDeps): Promise<VerifiedEvent> {
  const { command, timeoutMs, maxOutputBytes, repairs } = ws.config.verify;
  if (command === undefined) throw new Error('verify ran without verify.command');
  ws.reporter.info(`verify: ${command}`);
  const raw = await deps.runVerify({ command, cwd: ws.repoDir, timeoutMs, maxOutputBytes, signal: ws.stop.signal });
  // Stopped (Ctrl-C, SIGTERM) while it ran: nothing is recorded, the next run runs it again.
  if (raw.aborted) ws.stop.throwIfRequested();
  const output = boundOutput(redactSecrets(raw.output, ws.env), maxOutputBytes);
  const list = await readTaskListFile(ws.repoDir);
  // Only generated files are repaired: a task not yet done that the output names is left alone.
  const byRepoPath = new Map(list.tasks.filter((t) => t.status === 'done').map((t) => [ws.repoPath(t.path), t.path]));
  const mapped = mapDiagnostics(output, { repoDir: ws.repoDir, taskPaths: [...byRepoPath.keys()] });
  const byTask = new Map([...mapped.byTask].map(([repoPath, lines]) => [byRepoPath.get(repoPath) ?? repoPath, lines]));
  const { event, taskChanges } = decideVerify({
    command,
    at: new Date(ws.now()).toISOString(),
    run: { ...raw, output },
    mapping: { byTask, otherPaths: mapped.otherPaths },
    rounds: repairRounds(await journal.read()),
    repairs,
  });
  await journal.append(event);
  failpoint('verify:recorded');
  const text = writeTaskList(list, taskChanges);
  if (text !== list.source) await writeTaskListFile(ws.repoDir, text);
  failpoint('verify:task-list-written');
  await commitVerify(ws, event, `harness: verify (${verifySummary(event)})`);
  report(ws, event);
  return event;
}

async function commitVerify(ws: Pick<VerifyWorkspace, 'repoDir' | 'git'>, event: VerifiedEvent, subject: string): Promise<void> {
  await ensureStateGitignore(ws.repoDir);
  await ws.git.commit([TASK_LIST_FILE, JOURNAL_FILE, STATE_GITIGNORE], subject, { [VERIFY_TRAILER]: event.at });
}

/**
 * Recovery: the last `verified` event whose commit is missing (a crash after it was recorded) has
 * its task-list changes written again and is committed, unless the task list was edited by hand
 * since (decideVerifyReplay says when).
 */
export async function replayVerification(ws: Pick<VerifyWorkspace, 'repoDir' | 'git' | 'reporter'>, journal: JournalState): Promise<void> {
  const event = lastVerified(journal);
  if (!event) return;
  const committed = (await ws.git.findCommitWithTrailer(VERIFY_TRAILER, event.at)) !== null;
  if (committed) return;
  const list = await readTaskListFile(ws.repoDir);
  const replayed = writeTaskList(list, verifyTaskChanges(event));
  const [journalDirty, taskListDirty] = await Promise.all([
    ws.git.dirtyPaths([JOURNAL_FILE]).then((d) => d.length > 0),
    ws.git.dirtyPaths([TASK_LIST_FILE]).then((d) => d.length > 0),
  ]);
  const action = decideVerifyReplay({ committed, journalDirty, taskListDirty, current: list.source, replayed });
  const subject = `harness: verify (${verifySummary(event)}) (recovered after a crash)`;
  if (action === 'replay') await writeTaskListFile(ws.repoDir, replayed);
  if (action === 'replay' || action === 'commit') {
    ws.reporter.warn(`finishing the interrupted verification of ${event.at}: ${verifySummary(event)}`);
    await commitVerify(ws, event, subject);
  } else if (action === 'edited') {
    ws.reporter.warn(
      `the verification of ${event.at} (${verifySummary(event)}) was recorded but not committed, and ${TASK_LIST_FILE} was edited since: ` +
        'its marks are not written over your edit; run `harness verify` to check again',
    );
  }
}

/** `passed`, `<n> to repair`, `<n> failed`, or why it failed with nothing to repair. */
export function verifySummary(e: VerifiedEvent): string {
  if (e.passed) return 'passed';
  const parts: string[] = [];
  const n = Object.keys(e.repairs).length;
  const f = Object.keys(e.failed).length;
  if (n > 0) parts.push(`${n} to repair`);
  if (f > 0) parts.push(`${f} failed`);
  if (parts.length > 0) return parts.join(', ');
  if (e.timedOut) return 'timed out';
  if (e.signal !== null) return `killed by ${e.signal}`;
  return 'failed, no task named';
}

function report(ws: VerifyWorkspace, e: VerifiedEvent): void {
  if (e.passed) {
    ws.reporter.info('verify passed');
    return;
  }
  ws.reporter.warn(`verify ${verifySummary(e)} (exit ${e.exitCode ?? e.signal ?? 'none'})`);
  for (const [p, lines] of Object.entries(e.repairs)) ws.reporter.info(`  ${p}: ${lines[0] ?? ''}`);
  for (const [p, reason] of Object.entries(e.failed)) ws.reporter.warn(`  ${p} failed: ${reason}`);
  if (e.other.length > 0) ws.reporter.warn(`  named, not generated (left alone): ${e.other.join(', ')}`);
  if (Object.keys(e.repairs).length === 0) {
    const tail = e.output.split('\n').slice(-20).join('\n');
    ws.reporter.warn(`verify output (tail):\n${tail}`);
  }
}
