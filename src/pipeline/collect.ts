/**
 * Collect one ended batch: read its results line by line (downloaded to disk first, see
 * batch/download.ts), decide each task's fate (collect-fates.ts, no I/O), write the complete files
 * through the path guard, record every decision in the journal, update task-list.md and commit
 * `harness: collect <id> (<n> files)` (collect-finish.ts).
 *
 * Crash safety: `collect` is journaled before the first file; a crash before `collected` is redone
 * from the results (same bytes, nothing paid); a crash after it is finished by replaying the
 * recorded decisions (absolute values) and committing the recorded files that are still as
 * recorded (one a person changed since is left to them, not committed as the batch's output).
 *
 * The ports (the results, the journal, the clock) come in `CollectDeps`, the rest (git, the
 * reporter) in the slice of the workspace the collect takes, so a test can run it with fakes.
 */
import type { BatchInfo, BatchResultLine } from '../batch/api.js';
import { downloadResults } from '../batch/download.js';
import { withRetry } from '../batch/retry.js';
import { pricesOf } from '../models/models.js';
import { piecesOf } from '../output/file-pieces.js';
import { resolveSafeTarget } from '../output/guard.js';
import { SafeWriter } from '../output/safe-writer.js';
import { writeSafe } from '../output/write.js';
import { removeStaleTemps } from '../shared/atomic-write.js';
import { failpoint } from '../shared/failpoint.js';
import {
  appendJournal,
  nowIso,
  readJournal,
  type BatchRecord,
  type CollectedEvent,
  type JournalEventInput,
  type JournalState,
} from '../state/journal.js';
import { readTaskListFile, type TaskList } from '../tasks/task-list.js';
import {
  decideMissing,
  decideResult,
  targetConflicts,
  writtenFate,
  type CollectWrite,
  type Decision,
  type FateContext,
  type FileWrite,
} from './collect-fates.js';
import { finishCollected, type CollectOutcome } from './collect-finish.js';
import { FateLedger } from './collect-ledger.js';
import { OrderedWrites } from './collect-writes.js';
import { keepConflict, targetState } from './targets.js';
import { taskFollowUps } from './task-history.js';
import type { Workspace } from './workspace.js';

/** The ports of a collect (as repomix's `pack(…, overrideDeps)` takes its stages): a test replaces any of them. */
export interface CollectDeps {
  /** The result lines of the ended batch `batchId`. */
  results(batchId: string): Promise<AsyncIterable<BatchResultLine>>;
  appendJournal(repoDir: string, event: JournalEventInput): Promise<void>;
  readJournal(repoDir: string): Promise<JournalState>;
  /** The time recorded on journal events (ISO 8601). */
  now(): string;
}

/** The default ports: the results downloaded through the workspace's API (which needs the whole workspace), the journal on disk. */
const defaultDeps = (ws: Workspace): CollectDeps => ({
  results: (batchId) => downloadResults(ws, batchId),
  appendJournal,
  readJournal,
  now: nowIso,
});

/** The slice of the workspace a collect uses, besides its ports. */
export type CollectWorkspace = Pick<Workspace, 'repoDir' | 'config' | 'model' | 'configLabel' | 'git' | 'reporter' | 'repoPath'>;

/** Files written at once by a collect. */
const WRITE_CONCURRENCY = 16;

/** Report lines shown through the reporter (the journal keeps more). */
const REPORT_SHOWN = 50;

/** Collects `record` if its batch has ended; returns null (and the batch) while it runs. */
export async function collectIfEnded(ws: Workspace, record: BatchRecord): Promise<{ outcome: CollectOutcome | null; batch: BatchInfo }> {
  const batchId = record.batchId!;
  const batch = await withRetry(`retrieving ${batchId}`, () => ws.api().retrieve(batchId), { sleep: ws.sleep });
  if (batch.processing_status !== 'ended') return { outcome: null, batch };
  return { outcome: await collectEnded(ws, record), batch };
}

/** Collects the ended batch of `record`, with the default ports for any `overrideDeps` does not give. */
export async function collectEnded(ws: Workspace, record: BatchRecord, overrideDeps: Partial<CollectDeps> = {}): Promise<CollectOutcome> {
  return collectBatch(ws, record, { ...defaultDeps(ws), ...overrideDeps });
}

/** collectEnded on the slice of the workspace it uses, with every port given. */
export async function collectBatch(ws: CollectWorkspace, record: BatchRecord, deps: CollectDeps): Promise<CollectOutcome> {
  // What the decisions needed (the ledger, the writer's state: hundreds of MB for a batch of 100,000
  // requests) is out of scope before the finish reads and writes task-list.md; the task list is kept.
  const { event, list } = await decideAndWrite(ws, record, deps);
  // The files were just written and hashed: no need to read them back. The list read at the start
  // is used again when task-list.md has not changed since (parsing it again was a large part of
  // the finish's memory: 20,000 tasks).
  return finishCollected(ws, event, { verify: false, list });
}

/**
 * Reads the results, writes the files, records the `collected` event (the plan the finish applies)
 * and returns it, with the task list the decisions were made on.
 */
async function decideAndWrite(ws: CollectWorkspace, record: BatchRecord, deps: CollectDeps): Promise<{ event: CollectedEvent; list: TaskList }> {
  const batchId = record.batchId!;
  if (!record.collectStarted) await deps.appendJournal(ws.repoDir, { type: 'collect', at: deps.now(), batchId });
  failpoint('collect:started');
  // A collect begun before (a crash, a kill) may have died mid-write: its temporary files go.
  if (record.collectStarted) await removeStaleTempFiles(ws, record);
  const list = await readTaskListFile(ws.repoDir);
  const ctx: FateContext = {
    batchId,
    attemptsCap: ws.config.attempts,
    requests: new Map(record.intent.requests.map((r) => [r.customId, r.paths])),
    tasks: new Map(list.tasks.map((t) => [t.path, t])),
    // What earlier collects asked of these tasks (was the last answer ambiguous already?).
    history: taskFollowUps(await deps.readJournal(ws.repoDir)),
  };
  const ledger = new FateLedger();
  const writer = new SafeWriter(ws.repoDir, ws.config.outputRoot);
  const writes = new OrderedWrites(
    WRITE_CONCURRENCY,
    (w) => writeUnlessChanged(ws, record, writer, w),
    (w) => writeSafe(ws.repoDir, ws.config.outputRoot, w.task.path, piecesOf(w)),
    (w, written) => {
      const fate = writtenFate(w, written, batchId);
      ledger.record(fate);
      if (fate.file) failpoint('collect:file-written');
    },
  );
  const apply = async (d: Decision): Promise<void> => {
    ledger.decided(d);
    for (const step of d.steps) {
      if ('write' in step) await writes.add(step.write);
      else ledger.record(step);
    }
  };

  for await (const line of await deps.results(batchId)) await apply(decideResult(line, ctx, ledger.seen));
  await writes.drain();
  // The renames are made durable before the journal records the files as written.
  await writer.sync();
  await apply(decideMissing(ctx, ledger.seen));
  const event = ledger.event(batchId, deps.now(), pricesOf(ws.model, ws.configLabel));
  await deps.appendJournal(ws.repoDir, event);
  failpoint('collect:recorded');
  for (const r of ledger.report.slice(0, REPORT_SHOWN)) ws.reporter.warn(r);
  return { event, list };
}

/**
 * Writes a task's file through the path guard, unless its target is no longer what it was at
 * submit time (an edit made while the batch ran): then the output is kept aside (targets.ts).
 */
async function writeUnlessChanged(ws: CollectWorkspace, record: BatchRecord, writer: SafeWriter, w: FileWrite): Promise<CollectWrite> {
  const { task } = w;
  const content = piecesOf(w);
  const before = record.intent.targets?.[task.path];
  if (before !== undefined && targetConflicts(before, await targetState(ws, task.path), content)) {
    const target = await resolveSafeTarget(ws.repoDir, ws.config.outputRoot, task.path);
    if (target.ok) {
      // Rare (a person edited the target while the batch ran): kept whole.
      const kept = await keepConflict(ws.repoDir, record.batchId!, target.repoRelPath, w.content);
      return { ok: false, reason: 'changed since the submit', conflict: { repoRelPath: target.repoRelPath, kept } };
    }
  }
  return writer.write(task.path, content);
}

/** The temporary files an interrupted collect of `record` left next to its targets (resolved by the guard). */
async function removeStaleTempFiles(ws: CollectWorkspace, record: BatchRecord): Promise<void> {
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
