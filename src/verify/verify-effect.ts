/**
 * The verify step's effects: run the command, decide (verify-decision.ts), record `verified` in the
 * journal, write the task-list changes, commit `harness: verify (<passed|n to repair>)` with
 * task-list.md and the journal. The command and the mapping come in through `VerifyDeps`.
 */
import { TASK_LIST_FILE } from '../shared/paths.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import { JOURNAL_FILE, type JournalStore } from '../state/journal.js';
import type { VerifiedEvent } from '../state/journal-events.js';
import { readTaskListFile, writeTaskList, writeTaskListFile } from '../tasks/task-list.js';
import type { Workspace } from '../pipeline/workspace.js';
import { boundOutput, mapDiagnostics, redactSecrets } from './diagnostics.js';
import { repairRounds } from './repair-state.js';
import { runVerify, type VerifyRun, type VerifyRunOptions } from './run-verify.js';
import { decideVerify } from './verify-decision.js';

export type VerifyWorkspace = Pick<Workspace, 'repoDir' | 'repoPath' | 'config' | 'git' | 'reporter' | 'env' | 'now'>;

export interface VerifyDeps {
  runVerify(options: VerifyRunOptions): Promise<VerifyRun>;
}

const defaultVerifyDeps: VerifyDeps = { runVerify };

/** Runs the verify command now and records what it means. Returns the `verified` event. */
export async function verifyNow(ws: VerifyWorkspace, journal: JournalStore, deps: VerifyDeps = defaultVerifyDeps): Promise<VerifiedEvent> {
  const { command, timeoutMs, maxOutputBytes, repairs } = ws.config.verify;
  if (command === undefined) throw new Error('verify ran without verify.command');
  ws.reporter.info(`verify: ${command}`);
  const raw = await deps.runVerify({ command, cwd: ws.repoDir, timeoutMs, maxOutputBytes });
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
  const text = writeTaskList(list, taskChanges);
  if (text !== list.source) await writeTaskListFile(ws.repoDir, text);
  await ensureStateGitignore(ws.repoDir);
  await ws.git.commit([TASK_LIST_FILE, JOURNAL_FILE, STATE_GITIGNORE], `harness: verify (${verifySummary(event)})`);
  report(ws, event);
  return event;
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
