/**
 * When each request of a new batch finishes in simulated time. Requests are processed in an order
 * of their own, not the batch's (by a hash of custom_id: deterministic), so the results file lists
 * them out of order, as the API documents. The k-th processed of N finishes at
 * `created + processingMs × (k+1)/N`, plus any latency fault; its prompt-cache writes land when its
 * wave of `concurrency` requests is done. Faults are assigned in the batch's order.
 */
import { createHash } from 'node:crypto';
import type { Faults } from './faults.js';
import { filesToWrite, lastUserText } from './prompt.js';
import type { StoredRequest } from './store.js';
import type { ResponderParams } from './types.js';

interface ScheduleOptions {
  processingMs: number;
  concurrency: number;
}

/** The paths a request asks for; none when its params are too malformed to read (it will be refused later). */
function pathsOf(params: unknown): string[] {
  try {
    return (filesToWrite(lastUserText(params as ResponderParams)) ?? []).map((f) => f.path);
  } catch {
    return [];
  }
}

/** Where a request falls in the processing order (custom_ids are unique within a batch). */
const processingKey = (customId: string): string => createHash('sha256').update(customId).digest('hex');

/** The requests of the batch created at `now` (the `ordinal`-th one) in processing order, each with its time and fault; `endsAt`: the last one's time. */
export function scheduleRequests(
  requests: { custom_id: string; params: unknown }[],
  now: number,
  ordinal: number,
  faults: Faults,
  opts: ScheduleOptions,
): { stored: StoredRequest[]; endsAt: number } {
  const n = requests.length;
  const assigned = requests.map((r) => ({ r, key: processingKey(r.custom_id), ...faults.result(r.custom_id, ordinal, () => pathsOf(r.params)) }));
  assigned.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let prev = now;
  const stored: StoredRequest[] = assigned.map(({ r, fault, latencyMs }, k) => {
    const at = Math.max(prev, now + Math.round((opts.processingMs * (k + 1)) / n) + latencyMs);
    prev = at;
    return { custom_id: r.custom_id, params: r.params, at, fault };
  });
  // Waves of `concurrency` requests: writes land when the wave's last request is done.
  const c = Math.max(1, opts.concurrency);
  for (let i = 0; i < n; i++) stored[i]!.cacheReadyAt = stored[Math.min(n - 1, Math.floor(i / c) * c + c - 1)]!.at + 1;
  return { stored, endsAt: prev };
}
