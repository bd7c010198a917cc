/**
 * Waiting for batches: polls (on the config's schedule, HARNESS_POLL_MS capping it) until one or
 * every batch has ended, reporting each one's progress. A stop request ends the wait at once.
 */
import type { BatchInfo } from '../batch/api.js';
import { pollDelay, pollSchedule } from '../batch/poll.js';
import { apiError, isTransient } from '../batch/retry.js';
import type { BatchRecord } from '../state/journal.js';
import type { Workspace } from './workspace.js';

export type WaitWorkspace = Pick<Workspace, 'api' | 'config' | 'env' | 'now' | 'reporter' | 'stop' | 'wait'>;

/** Polls until one (`any`) or every (`all`) batch has ended; false when `maxWaitMs` passed first. */
export async function waitForEnd(
  ws: WaitWorkspace,
  records: BatchRecord[],
  until: 'any' | 'all',
  maxWaitMs = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  const schedule = pollSchedule(ws.config.poll, ws.env);
  const started = ws.now();
  const remaining = new Set(records.map((r) => r.batchId!));
  // A poll that fails transiently (the SDK has already retried it) is tried again at the next
  // tick; after this many failures in a row, or at once for a permanent error, the run stops
  // (exit 1) and a later `harness run` resumes: nothing is lost by stopping.
  const MAX_FAILED_POLLS = 10;
  let failedPolls = 0;
  for (let n = 0; ; n++) {
    // Safe point: a stop requested meanwhile ends the wait at once (StopRequested); the batches
    // keep running on the server and the next run collects them.
    await ws.wait(pollDelay(schedule, n));
    ws.stop.throwIfRequested();
    for (const id of [...remaining]) {
      let batch: BatchInfo;
      try {
        batch = await ws.api().retrieve(id);
        failedPolls = 0;
      } catch (error) {
        failedPolls++;
        if (!isTransient(error) || failedPolls >= MAX_FAILED_POLLS) throw apiError(`polling ${id}`, error);
        ws.reporter.warn(`polling ${id} failed (${apiError('poll', error).message}); will retry`);
        continue;
      }
      const c = batch.request_counts;
      const finished = c.succeeded + c.errored + c.canceled + c.expired;
      const total = finished + c.processing;
      const elapsedMs = ws.now() - Date.parse(batch.created_at);
      ws.reporter.progress({
        batchId: id,
        status: batch.processing_status,
        succeeded: c.succeeded,
        errored: c.errored,
        processing: c.processing,
        canceled: c.canceled,
        expired: c.expired,
        elapsedMs: Math.max(elapsedMs, ws.now() - started),
        etaMs: finished > 0 && finished < total ? Math.round((elapsedMs / finished) * (total - finished)) : null,
      });
      if (batch.processing_status === 'ended') remaining.delete(id);
    }
    if (until === 'any' ? remaining.size < records.length : remaining.size === 0) return true;
    if (ws.now() - started >= maxWaitMs) return false;
  }
}
