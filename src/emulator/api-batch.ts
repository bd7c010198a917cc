/** A batch as the Message Batches API shows it, from the emulator's record of it. */
import type { BatchRecord } from './store.js';

export interface ApiBatch {
  id: string;
  type: 'message_batch';
  processing_status: 'in_progress' | 'canceling' | 'ended';
  request_counts: { processing: number; succeeded: number; errored: number; canceled: number; expired: number };
  ended_at: string | null;
  created_at: string;
  expires_at: string;
  archived_at: string | null;
  cancel_initiated_at: string | null;
  results_url: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `rec` at time `now`, as the API returns it. As in the API, `request_counts` shows every request
 * as `processing` until the batch has ended; `results_url` points back at this emulator (`origin`).
 */
export function toApiBatch(rec: BatchRecord, origin: string, now: number): ApiBatch {
  const ended = rec.endedAt !== null;
  const archived = now >= rec.archiveAt;
  return {
    id: rec.id,
    type: 'message_batch',
    processing_status: ended ? 'ended' : rec.cancelAt !== null ? 'canceling' : 'in_progress',
    request_counts: ended ? { processing: 0, ...rec.counts } : { processing: rec.total, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    ended_at: ended ? iso(rec.endedAt!) : null,
    created_at: iso(rec.createdAt),
    expires_at: iso(rec.expireAt),
    archived_at: archived ? iso(rec.archiveAt) : null,
    cancel_initiated_at: rec.cancelAt !== null ? iso(rec.cancelAt) : null,
    results_url: ended && !archived ? `${origin}/v1/messages/batches/${rec.id}/results` : null,
  };
}
