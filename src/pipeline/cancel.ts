/**
 * `harness cancel`: cancel every batch in flight, wait for each to end (requests already running
 * may still finish, and are paid), collect what succeeded, and put the rest back to pending.
 */
import { withRetry } from '../batch/retry.js';
import { pollDelay, pollSchedule } from '../batch/poll.js';
import { appendJournal, inFlight, nowIso, readJournal } from '../state/journal.js';
import { collectEnded, type CollectOutcome } from './collect.js';
import { recover } from './recover.js';
import type { Workspace } from './workspace.js';

export async function cancelInFlight(ws: Workspace): Promise<{ canceled: string[]; collected: CollectOutcome[] }> {
  await recover(ws);
  const journal = await readJournal(ws.repoDir);
  const records = inFlight(journal);
  const canceled: string[] = [];
  const collected: CollectOutcome[] = [];
  const schedule = pollSchedule({ ...ws.config.poll, initialMs: Math.min(ws.config.poll.initialMs, 5_000) }, ws.env);
  for (const record of records) {
    const id = record.batchId!;
    let batch = await withRetry(`retrieving ${id}`, () => ws.api().retrieve(id), { sleep: ws.sleep });
    if (batch.processing_status === 'in_progress') {
      if (!record.cancelRequested) await appendJournal(ws.repoDir, { type: 'cancel', at: nowIso(), batchId: id });
      batch = await withRetry(`canceling ${id}`, () => ws.api().cancel(id), { sleep: ws.sleep });
      canceled.push(id);
      ws.reporter.info(`canceling ${id}`);
    }
    for (let n = 0; batch.processing_status !== 'ended'; n++) {
      await ws.sleep(pollDelay(schedule, n));
      batch = await withRetry(`retrieving ${id}`, () => ws.api().retrieve(id), { sleep: ws.sleep });
    }
    const fresh = (await readJournal(ws.repoDir)).batches.find((b) => b.batchId === id)!;
    collected.push(await collectEnded(ws, fresh));
  }
  return { canceled, collected };
}
