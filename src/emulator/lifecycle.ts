/**
 * Batch lifecycle in simulated time. At create, the k-th request of N to be processed (an order of
 * their own, see request-schedule.ts: the results file is out of order) is scheduled at
 * `created + processingMs × (k+1)/N` (plus any latency fault; they finish in that order), so the last
 * one finishes at `created + processingMs` and the batch ends then. Requests are processed lazily:
 * whenever the batch is looked at (retrieve, list, cancel, results, delete) and by a timer at its
 * end, every request whose time has come is answered (responder + faults + cache accounting at its
 * scheduled time) and its result line appended to the results file. So:
 * - cancel at time c: requests scheduled before c + cancelMs still finish ("in-flight"); the batch
 *   is `canceling` until then, then `ended` with the rest `canceled`;
 * - expiry: still in progress at `created + expireAfterMs`, the rest are `expired`;
 * - a restart: the next emulator on the same data dir carries on by wall-clock time (a batch whose
 *   end passed while it was down is ended right away, with `ended_at` at its simulated end).
 * As in the API, `request_counts` shows every request as `processing` until the batch has ended.
 * The times come from request-schedule.ts, each answer from request-result.ts, the API's view of a
 * batch from api-batch.ts.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { EmulatedModels } from './model-facts.js';
import { type ApiBatch, toApiBatch } from './api-batch.js';
import type { PromptCache } from './cache.js';
import { ApiError, invalid, newId, notFound } from './api-errors.js';
import type { Faults } from './faults.js';
import type { Usage } from './message.js';
import { requestResult } from './request-result.js';
import { scheduleRequests } from './request-schedule.js';
import type { BatchRecord, Store, StoredRequest } from './store.js';
import type { Responder } from './types.js';

export interface LifecycleOptions {
  processingMs: number;
  concurrency: number;
  /** Batch cache hit rate, 0..1 (cache-hit-rate.ts). */
  cacheHitRate: number;
  expireAfterMs: number;
  cancelMs: number;
  retentionMs: number;
  models: EmulatedModels;
  responder: Responder;
  onUsage: (usage: Usage) => void;
}

interface BatchState {
  rec: BatchRecord;
  requests: StoredRequest[] | null;
  lock: Promise<unknown>;
  timer: NodeJS.Timeout | null;
}

const MAX_TIMER = 2 ** 31 - 1;

export class Batches {
  private readonly states = new Map<string, BatchState>();
  /** seq of deleted batches, so a cursor on one still pages. */
  private readonly tombstones = new Map<string, number>();
  private seq = 0;
  private ordinal = 0;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly cache: PromptCache,
    private readonly faults: Faults,
    private readonly opts: LifecycleOptions,
  ) {}

  get created(): number {
    return this.ordinal;
  }

  async load(): Promise<void> {
    for (const rec of await this.store.loadAll()) {
      this.seq = Math.max(this.seq, rec.seq);
      const st: BatchState = { rec, requests: null, lock: Promise.resolve(), timer: null };
      this.states.set(rec.id, st);
      this.schedule(st);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const st of this.states.values()) if (st.timer) clearTimeout(st.timer);
    await Promise.allSettled([...this.states.values()].map((st) => st.lock));
  }

  async create(requests: { custom_id: string; params: unknown }[], betas: string[]): Promise<BatchRecord> {
    const now = Date.now();
    const ordinal = ++this.ordinal;
    const n = requests.length;
    const { stored, endsAt } = scheduleRequests(requests, now, ordinal, this.faults, this.opts);
    const rec: BatchRecord = {
      version: 1,
      id: newId('msgbatch_'),
      seq: ++this.seq,
      createdAt: now,
      endsAt,
      expireAt: now + this.opts.expireAfterMs,
      cancelAt: null,
      cancelEndsAt: null,
      endedAt: null,
      archiveAt: now + this.opts.retentionMs,
      total: n,
      processed: 0,
      resultsBytes: 0,
      counts: { succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      betas,
    };
    await this.store.writeRequests(rec.id, stored);
    await this.store.saveBatch(rec);
    const st: BatchState = { rec, requests: stored, lock: Promise.resolve(), timer: null };
    this.states.set(rec.id, st);
    this.schedule(st);
    return rec;
  }

  /** The batch, brought up to date. */
  async get(id: string): Promise<BatchRecord> {
    const st = this.states.get(id);
    if (!st) throw notFound(`message_batch_id: no message batch with id ${id}`);
    await this.advance(st);
    return st.rec;
  }

  async list(query: { limit: number; afterId?: string; beforeId?: string }): Promise<{ data: BatchRecord[]; has_more: boolean }> {
    const all = [...this.states.values()].sort((a, b) => b.rec.seq - a.rec.seq);
    const seqOf = (id: string) => {
      const s = this.states.get(id)?.rec.seq ?? this.tombstones.get(id);
      if (s === undefined) throw invalid(`${query.afterId !== undefined ? 'after_id' : 'before_id'}: no message batch with id ${id}`);
      return s;
    };
    let page: BatchState[];
    let hasMore: boolean;
    if (query.beforeId !== undefined) {
      const cursor = seqOf(query.beforeId);
      const newer = all.filter((s) => s.rec.seq > cursor);
      page = newer.slice(Math.max(0, newer.length - query.limit));
      hasMore = newer.length > query.limit;
    } else {
      const cursor = query.afterId !== undefined ? seqOf(query.afterId) : Infinity;
      const older = all.filter((s) => s.rec.seq < cursor);
      page = older.slice(0, query.limit);
      hasMore = older.length > query.limit;
    }
    for (const st of page) await this.advance(st);
    return { data: page.map((s) => s.rec), has_more: hasMore };
  }

  async cancel(id: string): Promise<BatchRecord> {
    const st = this.states.get(id);
    if (!st) throw notFound(`message_batch_id: no message batch with id ${id}`);
    await this.advance(st);
    return this.locked(st, async () => {
      const rec = st.rec;
      if (rec.endedAt !== null) throw invalid(`message batch ${id} has already ended; only a batch in progress can be canceled`);
      if (rec.cancelAt === null) {
        const now = Date.now();
        rec.cancelAt = now;
        rec.cancelEndsAt = now + this.opts.cancelMs;
        await this.store.saveBatch(rec);
        this.schedule(st);
      }
      return rec;
    });
  }

  async delete(id: string): Promise<void> {
    const st = this.states.get(id);
    if (!st) throw notFound(`message_batch_id: no message batch with id ${id}`);
    await this.advance(st);
    await this.locked(st, async () => {
      if (st.rec.endedAt === null) {
        const status = st.rec.cancelAt === null ? 'in_progress' : 'canceling';
        throw invalid(`message batch ${id} cannot be deleted while its processing_status is ${status}; cancel it and wait until it has ended`);
      }
      if (st.timer) clearTimeout(st.timer);
      this.states.delete(id);
      this.tombstones.set(id, st.rec.seq);
      await this.store.removeBatch(id);
    });
  }

  /** The results file of an ended, unarchived batch. */
  async resultsFile(id: string): Promise<{ file: string; size: number }> {
    const rec = await this.get(id);
    if (rec.endedAt === null) throw notFound(`results of message batch ${id} are not available until it has ended`);
    if (Date.now() >= rec.archiveAt) throw notFound(`message batch ${id} is archived: its results are no longer available`);
    const size = await this.store.resultsSize(id);
    if (size === null) throw new ApiError(500, `the results file of message batch ${id} is missing from the emulator's data dir`);
    return { file: this.store.resultsFile(id), size };
  }

  toApi(rec: BatchRecord, origin: string, now = Date.now()): ApiBatch {
    return toApiBatch(rec, origin, now);
  }

  private locked<T>(st: BatchState, fn: () => Promise<T>): Promise<T> {
    const run = st.lock.then(fn, fn);
    st.lock = run.catch(() => {});
    return run;
  }

  private schedule(st: BatchState): void {
    if (st.timer) clearTimeout(st.timer);
    st.timer = null;
    const rec = st.rec;
    if (rec.endedAt !== null || this.closed) return;
    const next = Math.min(rec.endsAt, rec.expireAt, rec.cancelEndsAt ?? Infinity);
    const wait = Math.min(MAX_TIMER, Math.max(0, next - Date.now()));
    st.timer = setTimeout(() => {
      st.timer = null;
      this.advance(st).catch((error: unknown) => {
        process.emitWarning(`emulator: processing ${rec.id} failed: ${(error as Error).message}`);
      });
    }, wait);
    st.timer.unref();
  }

  /** Processes every request whose time has come, and ends the batch when it is over. */
  private advance(st: BatchState): Promise<void> {
    return this.locked(st, async () => {
      const rec = st.rec;
      if (rec.endedAt !== null || this.closed) return;
      const now = Date.now();
      const deadline = Math.min(rec.expireAt, rec.cancelEndsAt ?? Infinity);
      const horizon = Math.min(now, deadline);
      const over = now >= deadline || now >= rec.endsAt;
      if (!over && !(rec.processed < rec.total && (await this.nextAt(st)) <= horizon)) return;
      const requests = await this.requestsOf(st);
      const writer = await this.store.openResults(rec.id, rec.resultsBytes);
      try {
        while (rec.processed < rec.total && requests[rec.processed]!.at <= horizon) {
          await writer.append(await this.process(requests[rec.processed]!, rec));
          rec.processed++;
          if (rec.processed % 1000 === 0) await delay(0); // let HTTP requests in during a big batch
        }
        if (rec.processed === rec.total) {
          rec.endedAt = rec.endsAt;
        } else if (now >= deadline) {
          const kind = rec.cancelEndsAt !== null && rec.cancelEndsAt <= rec.expireAt ? 'canceled' : 'expired';
          for (let i = rec.processed; i < rec.total; i++) {
            await writer.append(`${JSON.stringify({ custom_id: requests[i]!.custom_id, result: { type: kind } })}\n`);
            rec.counts[kind]++;
          }
          rec.processed = rec.total;
          rec.endedAt = deadline;
        }
      } finally {
        await writer.close();
        rec.resultsBytes = writer.bytes;
        await this.store.saveBatch(rec);
        await this.cache.save();
      }
      if (rec.endedAt !== null) {
        st.requests = null;
        await this.store.removeRequests(rec.id);
      }
      this.schedule(st);
    });
  }

  private async nextAt(st: BatchState): Promise<number> {
    const requests = await this.requestsOf(st);
    return requests[st.rec.processed]?.at ?? Infinity;
  }

  private async requestsOf(st: BatchState): Promise<StoredRequest[]> {
    st.requests ??= await this.store.readRequests(st.rec.id);
    return st.requests;
  }

  /** One result line. */
  private async process(req: StoredRequest, rec: BatchRecord): Promise<string> {
    const result = await requestResult(req, {
      models: this.opts.models,
      betas: rec.betas,
      cacheHitRate: this.opts.cacheHitRate,
      responder: this.opts.responder,
      cache: this.cache,
      onUsage: this.opts.onUsage,
    });
    rec.counts[result.type]++;
    return `${JSON.stringify({ custom_id: req.custom_id, result })}\n`;
  }
}
