/**
 * A crash (or a lost response) between "create" and "record its id" leaves a paid batch nobody
 * tracks. Batches carry no metadata, so an intent is matched to a listed batch by what is known
 * before the id: created within minutes after the intent was written, with the same number of
 * requests, and not already known to the journal. The collect step checks the custom_ids.
 */
import type { BatchApi, BatchInfo } from '../batch/api.js';
import type { IntentEvent } from '../state/journal.js';

/** Clock skew allowed between this machine and the API. */
const SKEW_MS = 5 * 60_000;
/** How long after the intent a create can still land. */
const WINDOW_MS = 60 * 60_000;

export async function findOrphan(api: BatchApi, intent: IntentEvent, known: ReadonlySet<string>): Promise<BatchInfo | null> {
  const from = Date.parse(intent.at) - SKEW_MS;
  const to = Date.parse(intent.at) + WINDOW_MS;
  const candidates: BatchInfo[] = [];
  for await (const b of api.list((batch) => Date.parse(batch.created_at) < from)) {
    const created = Date.parse(b.created_at);
    if (created > to || known.has(b.id)) continue;
    if (totalRequests(b) === intent.requests.length) candidates.push(b);
  }
  // The oldest match is the one created first after the intent.
  candidates.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1));
  return candidates[0] ?? null;
}

export function totalRequests(b: BatchInfo): number {
  const c = b.request_counts;
  return c.processing + c.succeeded + c.errored + c.canceled + c.expired;
}
