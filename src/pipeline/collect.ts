/**
 * Collect one ended batch: stream its results line by line, split each output into files, write
 * the complete ones through the safe writer, decide every task's fate, record it all in the
 * journal, update task-list.md, and commit `harness: collect <id> (<n> files)`.
 *
 * Crash safety: `collect` is journaled before the first file; a crash before `collected` is redone
 * from the results (same bytes, nothing paid); a crash after it is finished by replaying the
 * recorded decisions (absolute values) and committing the recorded files that are still as
 * recorded (one a person changed since is left to them, not committed as the batch's output).
 *
 * A task's fate, beyond "written, done":
 * - its target changed since the submit (the person edited it while the batch ran): not
 *   overwritten; the output is kept under `.harness/conflicts/<batch>/` and the task fails with a
 *   reason that says how to take either side (see targets.ts);
 * - its section is ambiguous (the content showed the section format): not written; pending once
 *   more, with a note to the model in the next request; failed if the answer after the note is
 *   ambiguous again (see task-history.ts);
 * - its request came back `errored: invalid_request_error`: a request of several tasks is split
 *   (all back to pending, no attempt used, the next requests hold at most half as many tasks);
 *   a request of one task fails it with the API's message;
 * - tasks still `submitted` in this batch once it is applied (renamed in task-list.md while the
 *   batch ran, so no result maps to them) go back to pending, to be submitted again.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BatchInfo, BatchResultLine } from '../batch/api.js';
import { downloadResults } from '../batch/download.js';
import { withRetry } from '../batch/retry.js';
import { costUsd, formatUsd, sumUsage, usageFromApi, type Usage } from '../cost/usage.js';
import { pricesOf } from '../models/models.js';
import { splitOutput } from '../output/split.js';
import { resolveSafeTarget } from '../output/guard.js';
import { removeStaleTemps, writeSafe } from '../output/write.js';
import { failpoint } from '../shared/failpoint.js';
import { plural } from '../shared/plural.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import {
  appendJournal,
  JOURNAL_FILE,
  nowIso,
  readJournal,
  type BatchRecord,
  type CollectedEvent,
  type RetryRecord,
  type TaskChangeRecord,
} from '../state/journal.js';
import type { Task } from '../tasks/task.js';
import { readTaskListFile, writeTaskList, writeTaskListFile, type TaskChange } from '../tasks/taskList.js';
import { keepConflict, sha256, targetState } from './targets.js';
import { splitRefused, taskFollowUps } from './task-history.js';
import type { Workspace } from './workspace.js';

export interface CollectOutcome {
  batchId: string;
  files: number;
  costUsd: number;
  usage: Usage;
  counts: Record<string, number>;
}

/** Collects `record` if its batch has ended; returns null (and the batch) while it runs. */
export async function collectIfEnded(ws: Workspace, record: BatchRecord): Promise<{ outcome: CollectOutcome | null; batch: BatchInfo }> {
  const batchId = record.batchId!;
  const batch = await withRetry(`retrieving ${batchId}`, () => ws.api().retrieve(batchId), { sleep: ws.sleep });
  if (batch.processing_status !== 'ended') return { outcome: null, batch };
  return { outcome: await collectEnded(ws, record), batch };
}

export async function collectEnded(ws: Workspace, record: BatchRecord): Promise<CollectOutcome> {
  const batchId = record.batchId!;
  if (!record.collectStarted) await appendJournal(ws.repoDir, { type: 'collect', at: nowIso(), batchId });
  failpoint('collect:started');
  // A collect begun before (a crash, a kill) may have died mid-write: its temporary files go.
  if (record.collectStarted) await removeStaleTempFiles(ws, record);
  const list = await readTaskListFile(ws.repoDir);
  const tasks = new Map(list.tasks.map((t) => [t.path, t]));
  const eligible = (p: string): Task | null => {
    const t = tasks.get(p);
    // The task list wins: a ticked task, or one resubmitted in another batch, is left alone.
    if (!t || t.checked || t.status === 'done') return null;
    if (t.status === 'submitted' && t.batch !== batchId) return null;
    return t;
  };
  const requests = new Map(record.intent.requests.map((r) => [r.customId, r.paths]));
  // What earlier collects asked of these tasks (was the last answer ambiguous already?).
  const history = taskFollowUps(await readJournal(ws.repoDir));
  const targets = record.intent.targets;
  const seen = new Set<string>();
  const changes = new Map<string, TaskChangeRecord>();
  const retry = new Map<string, RetryRecord>();
  const conflicts: { path: string; kept: string }[] = [];
  const files: { path: string; sha256: string }[] = [];
  const report: string[] = [];
  const usages: Usage[] = [];
  const counts: Record<string, number> = { succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  const attemptsCap = ws.config.attempts;

  const retryOrFail = (t: Task, reason: string) => {
    const attempts = t.attempts + 1;
    changes.set(
      t.path,
      attempts >= attemptsCap
        ? { status: 'failed', attempts, batch: batchId, reason: `${reason} (after ${plural(attempts, 'attempt')})` }
        : { status: 'pending', attempts, batch: batchId, reason: null },
    );
  };

  // A target that is no longer what it was at submit time (an edit made while the batch ran) is
  // not overwritten: the output is kept aside. One that already holds this output is this
  // collect's own earlier write (a collect redone after a crash).
  const write = async (t: Task, content: string): Promise<CollectWrite> => {
    const before = targets?.[t.path];
    if (before !== undefined) {
      const now = await targetState(ws, t.path);
      if (now !== undefined && now !== before && now !== sha256(content)) {
        const target = await resolveSafeTarget(ws.repoDir, ws.config.outputRoot, t.path);
        if (target.ok) {
          const kept = await keepConflict(ws.repoDir, batchId, target.repoRelPath, content);
          return { ok: false, reason: 'changed since the submit', conflict: { repoRelPath: target.repoRelPath, kept } };
        }
      }
    }
    return writeSafe(ws.repoDir, ws.config.outputRoot, t.path, content);
  };

  // Files are written WRITE_CONCURRENCY at a time (each write syncs its file before the rename:
  // one at a time, the syncs alone took ~1.5 ms per file), and their outcomes are applied in
  // result order, so the journal, the report and the task changes come out as if written one by one.
  const writes = new OrderedWrites(
    WRITE_CONCURRENCY,
    write,
    (t, content) => writeSafe(ws.repoDir, ws.config.outputRoot, t.path, content),
    (t, content, written) => {
      if (!written.ok && written.conflict) {
        const { repoRelPath, kept } = written.conflict;
        report.push(`${repoRelPath}: changed since ${batchId} was submitted: left as it is; the generated version is in ${kept}`);
        conflicts.push({ path: repoRelPath, kept });
        changes.set(t.path, { status: 'failed', attempts: t.attempts + 1, batch: batchId, reason: conflictReason(repoRelPath, batchId, kept) });
        return;
      }
      if (!written.ok) {
        report.push(`${t.path}: not written: ${written.reason}`);
        changes.set(t.path, { status: 'failed', attempts: t.attempts + 1, batch: batchId, reason: `unsafe target: ${written.reason}` });
        return;
      }
      files.push({ path: written.repoRelPath, sha256: sha256(content) });
      failpoint('collect:file-written');
      changes.set(t.path, { status: 'done', checked: true, attempts: t.attempts + 1, batch: batchId, reason: null });
    },
  );

  const results = await downloadResults(ws, batchId);
  for await (const line of results as AsyncIterable<BatchResultLine>) {
    const paths = requests.get(line.custom_id);
    if (!paths) {
      report.push(`result for unknown custom_id ${line.custom_id} ignored`);
      continue;
    }
    if (seen.has(line.custom_id)) continue;
    seen.add(line.custom_id);
    const asked = paths.map(eligible).filter((t): t is Task => t !== null);
    const result = line.result;
    counts[result.type] = (counts[result.type] ?? 0) + 1;
    if (result.type === 'succeeded') {
      const message = result.message;
      usages.push(usageFromApi(message.usage));
      const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      const split = splitOutput(
        text,
        asked.map((t) => t.path),
      );
      for (const w of split.warnings) report.push(`${line.custom_id}: ${w}`);
      for (const p of split.unrequested) report.push(`${line.custom_id}: section for unrequested path ${JSON.stringify(p)} not written`);
      const complete = new Map(split.files.map((f) => [f.path, f.content]));
      const ambiguous = new Set(split.ambiguous);
      for (const t of asked) {
        const content = complete.get(t.path);
        if (ambiguous.has(t.path)) {
          const why = `ambiguous section: the content shows the section format (a line like <<<END ${t.path}>>>), so where the file ends cannot be told`;
          report.push(`${t.path}: ${why}; not written`);
          const attempts = t.attempts + 1;
          if (history.get(t.path)?.ambiguous) {
            changes.set(t.path, {
              status: 'failed',
              attempts,
              batch: batchId,
              reason: `${why}, again after a note to the model; write the file by hand, or change its description and retry`,
            });
          } else if (attempts >= attemptsCap) {
            changes.set(t.path, { status: 'failed', attempts, batch: batchId, reason: `${why} (after ${plural(attempts, 'attempt')})` });
          } else {
            changes.set(t.path, { status: 'pending', attempts, batch: batchId, reason: null });
            retry.set(t.path, { ambiguous: true });
          }
          continue;
        }
        if (content === undefined) {
          const why =
            message.stop_reason === 'max_tokens' && split.incomplete.includes(t.path)
              ? 'output cut at max_tokens'
              : split.incomplete.includes(t.path)
                ? 'section not closed'
                : message.stop_reason === 'max_tokens'
                  ? 'not reached before max_tokens'
                  : 'no section in the output';
          report.push(`${t.path}: ${why}`);
          retryOrFail(t, why);
          continue;
        }
        await writes.add(t, content);
      }
    } else if (result.type === 'errored') {
      const err = (result.error as { error?: { type?: string; message?: string } }).error;
      const type = err?.type ?? 'api_error';
      report.push(`${line.custom_id}: errored: ${type}: ${err?.message ?? ''}`);
      const split = type === 'invalid_request_error' ? splitRefused(paths) : null;
      if (split) {
        // One bad task must not fail its neighbours: split the request until it stands alone.
        // Errored requests are not billed, so no attempt is used.
        report.push(
          `${line.custom_id}: its ${paths.length} tasks go back to pending, in requests of at most ${split.maxTasks}, to find the one the API refuses`,
        );
        for (const t of asked) {
          changes.set(t.path, { status: 'pending', batch: batchId, reason: null });
          retry.set(t.path, split.retry.get(t.path)!);
        }
      } else {
        for (const t of asked) {
          if (type === 'invalid_request_error') {
            changes.set(t.path, { status: 'failed', attempts: t.attempts + 1, batch: batchId, reason: `invalid request: ${err?.message ?? ''}` });
          } else retryOrFail(t, `errored: ${type}`);
        }
      }
    } else {
      // canceled / expired: not processed, not billed: back to pending, no attempt used.
      for (const t of asked) changes.set(t.path, { status: 'pending', batch: batchId, reason: null });
    }
  }
  await writes.drain();
  for (const [customId, paths] of requests) {
    if (seen.has(customId)) continue;
    report.push(`${customId}: no result line`);
    for (const p of paths) {
      const t = eligible(p);
      if (t) changes.set(t.path, { status: 'pending', batch: batchId, reason: null });
    }
  }
  const usage = sumUsage(usages);
  const event: CollectedEvent = {
    type: 'collected',
    at: nowIso(),
    batchId,
    files,
    taskChanges: Object.fromEntries(changes),
    usage,
    costUsd: costUsd(usage, pricesOf(ws.model, ws.configLabel), 'batch'),
    counts,
    report: report.slice(0, 500),
    ...(retry.size > 0 ? { retry: Object.fromEntries(retry) } : {}),
    ...(conflicts.length > 0 ? { conflicts } : {}),
  };
  await appendJournal(ws.repoDir, event);
  failpoint('collect:recorded');
  for (const r of report.slice(0, 50)) ws.reporter.warn(r);
  // The files were just written and hashed: no need to read them back.
  return finishCollected(ws, event, { verify: false });
}

/** What the person is told about a conflict, on the task (its reason). */
export function conflictReason(repoRelPath: string, batchId: string, kept: string): string {
  return (
    `conflict: ${repoRelPath} changed while ${batchId} ran; your version is left as it is and the generated one is in ${kept}. ` +
    `To keep yours, tick the task; to take the generated one, move it over ${repoRelPath} and tick the task`
  );
}

/** The reason of a task whose file a person changed between a crashed collect and its replay. */
export function changedAfterCrashReason(repoRelPath: string, batchId: string): string {
  return (
    `conflict: ${repoRelPath} changed after the interrupted collect of ${batchId} wrote it; left as it is, not committed as the batch's output. ` +
    `To keep this version, tick the task; to generate the file again, retry the task`
  );
}

/**
 * Applies a recorded collect to task-list.md and commits it (idempotent: used for crash replay).
 * With `verify` (the default, as a replay needs it), each recorded file is checked against its
 * recorded hash first: one that differs or is gone (a person changed it after the crash) is not
 * committed as the batch's output; it is reported and left to the person, and its task fails
 * with a reason that says so.
 */
export async function finishCollected(ws: Workspace, event: CollectedEvent, options: { verify?: boolean } = {}): Promise<CollectOutcome> {
  const changed = options.verify === false ? new Set<string>() : new Set(await changedRecordedFiles(ws.repoDir, event));
  const list = await readTaskListFile(ws.repoDir);
  const current = new Map(list.tasks.map((t) => [t.path, t]));
  const changes = new Map<string, TaskChange>();
  for (const [p, change] of Object.entries(event.taskChanges)) {
    const t = current.get(p);
    if (!t) continue;
    if (t.checked && change.status !== 'done') continue; // ticked by the person since: skip wins
    const repoRelPath = ws.repoPath(p);
    if (changed.has(repoRelPath) && change.status === 'done') {
      changes.set(p, {
        status: 'failed',
        checked: false,
        attempts: change.attempts,
        batch: event.batchId,
        reason: changedAfterCrashReason(repoRelPath, event.batchId),
      });
      continue;
    }
    changes.set(p, change);
  }
  // Tasks still marked submitted in this batch that no result decided (renamed in task-list.md
  // while the batch ran): back to pending, so this run submits them again.
  let orphaned = 0;
  for (const t of list.tasks) {
    if (t.status === 'submitted' && t.batch === event.batchId && !changes.has(t.path) && !(t.path in event.taskChanges)) {
      changes.set(t.path, { status: 'pending' });
      orphaned++;
    }
  }
  const text = writeTaskList(list, changes);
  if (text !== list.source) await writeTaskListFile(ws.repoDir, text);
  failpoint('collect:task-list-written');
  for (const p of changed)
    ws.reporter.warn(`${p} changed after the interrupted collect of ${event.batchId} wrote it: left as it is, not committed as the batch's output`);
  if (orphaned > 0)
    ws.reporter.warn(`${plural(orphaned, 'task')} marked submitted in ${event.batchId} had no result (renamed since?): back to pending`);
  const present = [...new Set(event.files.map((f) => f.path))].filter((p) => !changed.has(p) && existsSync(path.join(ws.repoDir, p)));
  const files = event.files.length - event.files.filter((f) => changed.has(f.path)).length;
  const cost = formatUsd(event.costUsd);
  await ensureStateGitignore(ws.repoDir);
  await ws.git.commit([...present, TASK_LIST_FILE, JOURNAL_FILE, STATE_GITIGNORE], `harness: collect ${event.batchId} (${files} files)`, {
    'Harness-Batch': event.batchId,
    'Harness-Cost-USD': cost,
  });
  const done = [...changes.values()].filter((c) => c.status === 'done').length;
  const conflicts = event.conflicts?.length ?? 0;
  ws.reporter.info(
    `collected ${event.batchId}: ${plural(files, 'file')}, ${plural(done, 'task')} done` +
      (conflicts + changed.size > 0 ? `, ${plural(conflicts + changed.size, 'conflict')}` : '') +
      `, $${cost}`,
  );
  return { batchId: event.batchId, files, costUsd: event.costUsd, usage: event.usage, counts: event.counts };
}

/** Recorded files that are gone or no longer hold the recorded content (the last record of a path counts). */
export async function changedRecordedFiles(repoDir: string, event: Pick<CollectedEvent, 'files'>): Promise<string[]> {
  const expected = new Map(event.files.map((f) => [f.path, f.sha256]));
  const changed: string[] = [];
  for (const [p, hash] of expected) {
    const bytes = await readFile(path.join(repoDir, p)).catch(() => null);
    if (bytes === null || sha256(bytes) !== hash) changed.push(p);
  }
  return changed;
}

/** True when every recorded file is on disk with the recorded content. */
export async function recordedFilesIntact(repoDir: string, event: Pick<CollectedEvent, 'files'>): Promise<boolean> {
  return (await changedRecordedFiles(repoDir, event)).length === 0;
}

/** `1 file`, `2 files`. */

type CollectWrite = { ok: true; repoRelPath: string } | { ok: false; reason: string; conflict?: { repoRelPath: string; kept: string } };

/** The temporary files an interrupted collect of `record` left next to its targets (resolved by the guard). */
async function removeStaleTempFiles(ws: Workspace, record: BatchRecord): Promise<void> {
  const targets: string[] = [];
  for (const r of record.intent.requests) {
    for (const p of r.paths) {
      const target = await resolveSafeTarget(ws.repoDir, ws.config.outputRoot, p).catch(() => null);
      if (target?.ok) targets.push(target.absPath);
    }
  }
  const removed = await removeStaleTemps(targets);
  if (removed > 0) ws.reporter.info(`removed ${removed} temporary file(s) left by the interrupted collect of ${record.batchId}`);
}

/** Files written at once by a collect. */
const WRITE_CONCURRENCY = 16;

/**
 * Writes started as results stream in, at most `limit` in flight; each outcome is applied (by
 * `apply`) in the order the writes were added, once it and every earlier one have finished.
 */
class OrderedWrites {
  private readonly queue: { t: Task; content: string; done: Promise<CollectWrite> }[] = [];
  /** Repo paths written so far → null, or the last write when the path was written more than once. */
  private readonly written = new Map<string, { t: Task; content: string } | null>();

  constructor(
    private readonly limit: number,
    private readonly write: (t: Task, content: string) => Promise<CollectWrite>,
    /** Writes a file again (see drain): no checks but the path guard's. */
    private readonly rewrite: (t: Task, content: string) => Promise<unknown>,
    private readonly apply: (t: Task, content: string, written: CollectWrite) => void,
  ) {}

  async add(t: Task, content: string): Promise<void> {
    // A path that is a directory of another one in flight (`a` and `a/b.ts`) waits for it: one by
    // one, the second was refused by the guard; side by side, a mkdir could race the other's rename.
    if (this.queue.some((q) => nested(q.t.path, t.path))) await this.drainQueue();
    const done = this.write(t, content);
    done.catch(() => undefined); // awaited in order below; an early rejection is not unhandled
    this.queue.push({ t, content, done });
    while (this.queue.length >= this.limit) await this.settleFirst();
  }

  /** Waits for every write; then writes again any file two task paths reached (see below). */
  async drain(): Promise<void> {
    await this.drainQueue();
    // Two task paths can reach the same file through a symbolic link inside the output root. One
    // by one, the later write won; written concurrently, either may have landed last. Such a file
    // is written again with the later content, so the outcome is the one-by-one outcome.
    for (const last of this.written.values()) if (last) await this.rewrite(last.t, last.content);
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0) await this.settleFirst();
  }

  private async settleFirst(): Promise<void> {
    const first = this.queue[0]!;
    let written: CollectWrite;
    try {
      written = await first.done;
    } catch (error) {
      // An I/O error stops the collect, as it did one file at a time; the writes in flight end first.
      await Promise.allSettled(this.queue.map((q) => q.done));
      this.queue.length = 0;
      throw error;
    }
    this.queue.shift();
    if (written.ok) {
      const key = written.repoRelPath;
      this.written.set(key, this.written.has(key) ? { t: first.t, content: first.content } : null);
    }
    this.apply(first.t, first.content, written);
  }
}

/** One path is the other or a directory above it (case-insensitively: the file system may be). */
function nested(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/^(?:\.\/)+/, '');
  const y = b.toLowerCase().replace(/^(?:\.\/)+/, '');
  return x === y || y.startsWith(`${x}/`) || x.startsWith(`${y}/`);
}
