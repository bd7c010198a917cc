/**
 * A crash (or a lost response) between "create" and "record its id" leaves a paid batch nobody
 * tracks. Several repos and machines may share one API key, so a batch listed at the right time
 * with the right number of requests is only a *candidate*: it is adopted when its results carry
 * the intent's custom_ids, whose suffix is a random nonce recorded in the intent before the create.
 *
 * The list endpoint shows no custom_ids and results exist only once a batch has ended, so:
 * - candidates (created in the intent's window, same request count, unknown to the journal) are
 *   recorded in the journal, and the intent's tasks stay busy while one is unresolved;
 * - a candidate that has ended is checked: the first line of its results names a custom_id; it is
 *   adopted when that id is one of the intent's, and recorded as foreign otherwise;
 * - when no candidate is left (none listed, or every one foreign), the intent is closed
 *   (abandoned: nothing was created), and its tasks are free again.
 * A foreign batch is never collected, committed or canceled: only its first result line is read.
 */
import type { BatchApi, BatchInfo } from '../batch/api.js';
import { pollDelay, pollSchedule } from '../batch/poll.js';
import { withRetry } from '../batch/retry.js';
import { appendJournal, nowIso, type BatchRecord, type IntentEvent } from '../state/journal.js';
import type { Workspace } from './workspace.js';

/** Clock skew allowed between this machine and the API. */
const SKEW_MS = 5 * 60_000;
/** How long after the intent a create can still land. */
const WINDOW_MS = 60 * 60_000;

/** Batches that may be `intent`'s: created in its window, with its request count, not in `known`. */
async function findCandidates(api: BatchApi, intent: IntentEvent, known: ReadonlySet<string>): Promise<BatchInfo[]> {
  const from = Date.parse(intent.at) - SKEW_MS;
  const to = Date.parse(intent.at) + WINDOW_MS;
  const candidates: BatchInfo[] = [];
  for await (const b of api.list((batch) => Date.parse(batch.created_at) < from)) {
    const created = Date.parse(b.created_at);
    if (created > to || known.has(b.id)) continue;
    if (totalRequests(b) === intent.requests.length) candidates.push(b);
  }
  // The oldest first: the one created first after the intent is the likeliest.
  candidates.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1));
  return candidates;
}

function totalRequests(b: BatchInfo): number {
  const c = b.request_counts;
  return c.processing + c.succeeded + c.errored + c.canceled + c.expired;
}

export type Ownership = { own: true } | { own: false; reason: string };

/**
 * Whether the ended batch `batchId` is `intent`'s: the custom_id of its first result line must be
 * one of the intent's (which carry its nonce). Reads that one line and closes the stream.
 */
async function checkOwnership(api: BatchApi, batchId: string, intent: IntentEvent): Promise<Ownership> {
  const ids = new Set(intent.requests.map((r) => r.customId));
  const lines = await api.results(batchId);
  for await (const line of lines) {
    const id = String((line as { custom_id?: unknown }).custom_id);
    if (ids.has(id)) return { own: true };
    return { own: false, reason: `its results are for custom_id ${JSON.stringify(id.slice(0, 64))}, not this intent's` };
  }
  return { own: false, reason: 'its results are empty' };
}

export type Resolution =
  | { state: 'adopted'; batchId: string }
  | { state: 'abandoned' }
  /** A candidate has not ended yet (only when not waiting). */
  | { state: 'unresolved'; waitingFor: string[] };

export interface ResolveOptions {
  /** Batch ids owned by other intents of this journal (never candidates). */
  known: ReadonlySet<string>;
  /** Search the list for new candidates first (recorded in the journal). */
  search: boolean;
  /** Wait (polling) until a candidate ends rather than return `unresolved`. */
  wait: boolean;
  /** Close the intent when no candidate is left (false: leave it to the caller, e.g. to create again). */
  abandon: boolean;
}

/** What resolving an intent uses: the API (listing, retrieving, reading results), its polling, the journal. */
export type ResolveWorkspace = Pick<Workspace, 'api' | 'sleep' | 'wait' | 'repoDir' | 'reporter' | 'env'> & {
  config: Pick<Workspace['config'], 'poll'>;
};

/**
 * Brings an intent with no recorded batch to a decision: adopt the candidate whose results carry
 * its custom_ids, or close it when none can. Every step is journaled (candidates, foreign,
 * submitted/abandoned), so a crash in the middle resumes here without reading anything twice.
 */
export async function resolveIntent(ws: ResolveWorkspace, record: BatchRecord, options: ResolveOptions): Promise<Resolution> {
  const intent = record.intent;
  const candidates = [...record.candidates];
  const foreign = new Set(record.foreign);
  if (options.search) {
    const found = await withRetry('listing batches', () => findCandidates(ws.api(), intent, options.known), { sleep: ws.sleep });
    const fresh = found.map((b) => b.id).filter((id) => !candidates.includes(id));
    if (fresh.length > 0) {
      await appendJournal(ws.repoDir, { type: 'candidates', at: nowIso(), intentId: intent.intentId, batchIds: fresh });
      candidates.push(...fresh);
    }
  }
  const schedule = pollSchedule(ws.config.poll, ws.env);
  let told = false;
  for (let n = 0; ; n++) {
    const open = candidates.filter((id) => !foreign.has(id) && !options.known.has(id));
    const waitingFor: string[] = [];
    for (const id of open) {
      const verdict = await judge(ws, id, intent);
      if (verdict === 'running') {
        waitingFor.push(id);
        continue;
      }
      if (verdict.own) {
        await appendJournal(ws.repoDir, { type: 'submitted', at: nowIso(), intentId: intent.intentId, batchId: id, adopted: true });
        ws.reporter.warn(`adopted batch ${id}: created for this repo before a crash or a lost response, and never recorded`);
        return { state: 'adopted', batchId: id };
      }
      foreign.add(id);
      await appendJournal(ws.repoDir, { type: 'foreign', at: nowIso(), intentId: intent.intentId, batchId: id, reason: verdict.reason });
      ws.reporter.info(`batch ${id} is not this repo's (${verdict.reason}): left alone`);
    }
    if (waitingFor.length === 0) {
      if (options.abandon) {
        const checked = candidates.length;
        const reason =
          checked === 0
            ? 'no batch was created for this intent'
            : `no batch was created for this intent (${checked} candidate(s) checked: other repos' batches)`;
        await appendJournal(ws.repoDir, { type: 'abandoned', at: nowIso(), intentId: intent.intentId, reason });
      }
      return { state: 'abandoned' };
    }
    if (!options.wait) return { state: 'unresolved', waitingFor };
    if (!told) {
      ws.reporter.info(
        `waiting for ${waitingFor.join(', ')} to end: a batch of the same size created around a crash; its results will show whether it is this repo's (its tasks are held until then)`,
      );
      told = true;
    }
    // A stop request (Ctrl-C) ends the wait here: the candidates are journaled, the next run goes on.
    await ws.wait(pollDelay(schedule, n));
  }
}

/** `running` until the batch has ended; then whether it is the intent's. A deleted or archived batch is not adoptable. */
async function judge(ws: Pick<Workspace, 'api' | 'sleep'>, id: string, intent: IntentEvent): Promise<'running' | Ownership> {
  let batch: BatchInfo;
  try {
    batch = await withRetry(`retrieving ${id}`, () => ws.api().retrieve(id), { sleep: ws.sleep });
  } catch (error) {
    if (isNotFound(error)) return { own: false, reason: 'it no longer exists' };
    throw error;
  }
  if (batch.processing_status !== 'ended') return 'running';
  if (!batch.results_url) return { own: false, reason: 'its results are no longer available' };
  return withRetry(`reading the first result of ${id}`, () => checkOwnership(ws.api(), id, intent), { sleep: ws.sleep });
}

const isNotFound = (error: unknown): boolean => {
  const cause = (error as { cause?: { status?: unknown } }).cause;
  return (error as { status?: unknown }).status === 404 || cause?.status === 404;
};
