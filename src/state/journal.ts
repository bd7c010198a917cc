/**
 * The journal: `.harness/journal.jsonl`, append-only, one event per line. An intent is recorded
 * BEFORE each side effect (create a batch, write files), so a crash at any instant leaves enough
 * on disk to resume without paying twice. It is committed with the harness's commits, so a fresh
 * clone (a nightly CI job) knows every batch and what was paid.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { usageSchema, type Usage } from '../cost/usage.js';
import { HarnessError } from '../shared/errors.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';

export const JOURNAL_FILE = `${HARNESS_STATE_DIR}/journal.jsonl`;

const requestMapSchema = z.object({ customId: z.string(), paths: z.array(z.string()) });
const taskChangeSchema = z.object({
  status: z.enum(['pending', 'submitted', 'done', 'failed']).optional(),
  attempts: z.number().int().nonnegative().optional(),
  batch: z.string().nullable().optional(),
  reason: z.string().nullable().optional(),
  checked: z.boolean().optional(),
});

const retrySchema = z.object({
  /** The next request that holds this task holds at most this many tasks (an invalid request being narrowed down). */
  maxTasks: z.number().int().positive().optional(),
  /** The last answer for this task was ambiguous (its content showed the section format): the next request says so. */
  ambiguous: z.boolean().optional(),
});

export const journalEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('intent'),
    at: z.string(),
    intentId: z.string(),
    model: z.string(),
    betas: z.array(z.string()),
    /** sha256 over the custom ids and each request's params: the batch's identity before it has an id. */
    fingerprint: z.string(),
    requests: z.array(requestMapSchema),
    estimateUsd: z.number().nonnegative(),
    /** The estimator's token figures for this batch, kept to judge it against the bill. */
    estimate: usageSchema.optional(),
    /** `warmup`: a one-request batch that writes the codebase cache before a large batch (no tasks). */
    purpose: z.enum(['tasks', 'warmup']).default('tasks'),
    /** sha256 of the codebase context the requests carry. */
    context: z.string().optional(),
    /**
     * Each task path's file as it was at submit time: sha256 of its bytes, or null when absent.
     * Collect compares with it so that an edit made while the batch ran is never overwritten.
     */
    targets: z.record(z.string(), z.string().nullable()).optional(),
    /**
     * Random id of this intent, the suffix of every custom_id of its batch (`<id>_<nonce>`): after a
     * crash, a listed batch is adopted only when its results carry it. Absent in older journals.
     */
    nonce: z.string().optional(),
  }),
  z.object({ type: z.literal('submitted'), at: z.string(), intentId: z.string(), batchId: z.string(), adopted: z.boolean().default(false) }),
  /** The create call failed for good (the API said no): the intent's tasks are free again. */
  z.object({ type: z.literal('abandoned'), at: z.string(), intentId: z.string(), reason: z.string() }),
  /**
   * Batches that may be the one this intent's create made (its response was lost, or the process
   * died before recording the id): listed in its time window with its request count, unknown to
   * the journal. None is adopted before its results show this intent's custom_ids.
   */
  z.object({ type: z.literal('candidates'), at: z.string(), intentId: z.string(), batchIds: z.array(z.string()) }),
  /** A candidate whose results carry other custom_ids: another repo's (or another intent's) batch. */
  z.object({ type: z.literal('foreign'), at: z.string(), intentId: z.string(), batchId: z.string(), reason: z.string() }),
  z.object({ type: z.literal('cancel'), at: z.string(), batchId: z.string() }),
  /**
   * `harness cancel --forget`: a batch the API does not know (created with another workspace's key,
   * deleted, archived) is given up. It is no longer in flight, its tasks are pending again, and the
   * API is never asked about it again.
   */
  z.object({ type: z.literal('forgotten'), at: z.string(), batchId: z.string() }),
  /** Collecting has begun: from here on files of this batch may be on disk, uncommitted. */
  z.object({ type: z.literal('collect'), at: z.string(), batchId: z.string() }),
  /**
   * What a collect wrote and decided, recorded after the files and before the task list and the
   * commit: a crash after it is finished by replaying it (absolute values: idempotent).
   */
  z.object({
    type: z.literal('collected'),
    at: z.string(),
    batchId: z.string(),
    files: z.array(z.object({ path: z.string(), sha256: z.string() })),
    taskChanges: z.record(z.string(), taskChangeSchema),
    usage: usageSchema,
    costUsd: z.number().nonnegative(),
    counts: z.record(z.string(), z.number()),
    report: z.array(z.string()).default([]),
    /** Per task path: what its next request must do differently (see pipeline/task-history.ts). */
    retry: z.record(z.string(), retrySchema).optional(),
    /** Outputs not written because the person changed the target while the batch ran: kept aside. */
    conflicts: z.array(z.object({ path: z.string(), kept: z.string() })).optional(),
  }),
  /**
   * A synchronous Messages call, paid at standard (non-batch) rates: `refine` of one file or the
   * llm planner's plan.
   */
  z.object({
    type: z.literal('call'),
    at: z.string(),
    purpose: z.enum(['refine', 'plan']),
    path: z.string().optional(),
    /** sha256 of the codebase context the call carried. */
    context: z.string().optional(),
    usage: usageSchema,
    costUsd: z.number().nonnegative(),
  }),
]);
export type JournalEvent = z.output<typeof journalEventSchema>;
/** An event as written (fields with defaults may be left out). */
export type JournalEventInput = z.input<typeof journalEventSchema>;
export type IntentEvent = Extract<JournalEvent, { type: 'intent' }>;
export type CollectedEvent = Extract<JournalEvent, { type: 'collected' }>;
export type CallEvent = Extract<JournalEvent, { type: 'call' }>;
export type TaskChangeRecord = z.output<typeof taskChangeSchema>;
export type RetryRecord = z.output<typeof retrySchema>;

/** What the journal says about one batch (or an intent that has no batch yet). */
export interface BatchRecord {
  intent: IntentEvent;
  batchId: string | null;
  /** When the batch was recorded as created (its expiry is 24 h later, its results go 29 days later). */
  submittedAt: string | null;
  adopted: boolean;
  abandoned: boolean;
  /** Batches that may be this intent's (no id recorded yet), in the order found. */
  candidates: string[];
  /** Candidates checked and found not to be this intent's. */
  foreign: string[];
  cancelRequested: boolean;
  /** Given up with `harness cancel --forget`: not in flight, never asked about again. */
  forgotten?: boolean;
  /** A collect began (its files may be on disk, uncommitted). */
  collectStarted: boolean;
  collected: CollectedEvent | null;
}

export interface JournalState {
  events: JournalEvent[];
  /** In intent order. */
  batches: BatchRecord[];
}

/**
 * Reads the journal; never writes it (`status` reads it while a run may be appending). A last line
 * without its newline is an append in progress, or one a crash cut: it counts only if it is a
 * whole event already, and is otherwise left out. A bad line anywhere else is corruption.
 */
export async function readJournal(repoDir: string): Promise<JournalState> {
  const file = path.join(repoDir, JOURNAL_FILE);
  if (!existsSync(file)) return foldJournal([]);
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  // After the last newline: '' when the file ends with one, else the unfinished last line.
  const tail = lines.pop()!;
  const events: JournalEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    events.push(parseEvent(line, i + 1));
  }
  if (tail.trim() !== '') {
    const event = tryParseEvent(tail);
    if (event) events.push(event);
  }
  return foldJournal(events);
}

function parseEvent(line: string, lineNo: number): JournalEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new HarnessError('STATE', 'the journal is corrupt (not JSON)', { file: JOURNAL_FILE, line: lineNo });
  }
  const event = journalEventSchema.safeParse(parsed);
  if (!event.success) {
    throw new HarnessError('STATE', `the journal has an invalid event: ${event.error.issues[0]?.message ?? ''}`, {
      file: JOURNAL_FILE,
      line: lineNo,
    });
  }
  return event.data;
}

function tryParseEvent(line: string): JournalEvent | null {
  try {
    const event = journalEventSchema.safeParse(JSON.parse(line));
    return event.success ? event.data : null;
  } catch {
    return null;
  }
}

export function foldJournal(events: JournalEvent[]): JournalState {
  const byIntent = new Map<string, BatchRecord>();
  const byBatch = new Map<string, BatchRecord>();
  for (const e of events) {
    switch (e.type) {
      case 'intent':
        byIntent.set(e.intentId, {
          intent: e,
          batchId: null,
          submittedAt: null,
          adopted: false,
          abandoned: false,
          candidates: [],
          foreign: [],
          cancelRequested: false,
          collectStarted: false,
          collected: null,
        });
        break;
      case 'submitted': {
        const r = byIntent.get(e.intentId);
        if (r) {
          r.batchId = e.batchId;
          r.submittedAt = e.at;
          r.adopted = e.adopted;
          byBatch.set(e.batchId, r);
        }
        break;
      }
      case 'abandoned': {
        const r = byIntent.get(e.intentId);
        if (r) r.abandoned = true;
        break;
      }
      case 'candidates': {
        const r = byIntent.get(e.intentId);
        if (r) for (const id of e.batchIds) if (!r.candidates.includes(id)) r.candidates.push(id);
        break;
      }
      case 'foreign': {
        const r = byIntent.get(e.intentId);
        if (r && !r.foreign.includes(e.batchId)) r.foreign.push(e.batchId);
        break;
      }
      case 'cancel': {
        const r = byBatch.get(e.batchId);
        if (r) r.cancelRequested = true;
        break;
      }
      case 'forgotten': {
        const r = byBatch.get(e.batchId);
        if (r) r.forgotten = true;
        break;
      }
      case 'collect': {
        const r = byBatch.get(e.batchId);
        if (r) r.collectStarted = true;
        break;
      }
      case 'collected': {
        const r = byBatch.get(e.batchId);
        if (r) r.collected = e;
        break;
      }
    }
  }
  return { events, batches: [...byIntent.values()] };
}

/**
 * Appends one event and syncs it. Only the holder of the repo lock appends, so only it repairs: a
 * last line a crash cut short is completed (when it is a whole event missing its newline) or cut
 * off first, so the new event never gets glued to it.
 */
export async function appendJournal(repoDir: string, event: JournalEventInput): Promise<void> {
  const file = path.join(repoDir, JOURNAL_FILE);
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'a+');
  try {
    await repairTail(handle);
    await handle.write(JSON.stringify(event) + '\n');
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * Repairs a torn last line (see appendJournal); for the lock holder, e.g. before it reads the
 * journal to act on it. Returns what it did. Readers without the lock never call this.
 */
export async function repairJournal(repoDir: string): Promise<'none' | 'completed' | 'cut'> {
  const file = path.join(repoDir, JOURNAL_FILE);
  if (!existsSync(file)) return 'none';
  const handle = await open(file, 'r+');
  try {
    const done = await repairTail(handle);
    if (done !== 'none') await handle.datasync();
    return done;
  } finally {
    await handle.close();
  }
}

type Handle = Awaited<ReturnType<typeof open>>;

async function repairTail(handle: Handle): Promise<'none' | 'completed' | 'cut'> {
  const { size } = await handle.stat();
  if (size === 0) return 'none';
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] === 10) return 'none';
  // Find the start of the unfinished line, reading backwards in blocks.
  let start = 0;
  const block = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const from = Math.max(0, end - block.length);
    const { bytesRead } = await handle.read(block, 0, end - from, from);
    const nl = block.subarray(0, bytesRead).lastIndexOf(10);
    if (nl !== -1) {
      start = from + nl + 1;
      break;
    }
    end = from;
  }
  const tail = Buffer.alloc(size - start);
  await handle.read(tail, 0, tail.length, start);
  if (tryParseEvent(tail.toString('utf8')) !== null) {
    await handle.write('\n', size);
    return 'completed';
  }
  await handle.truncate(start);
  return 'cut';
}

/** Batches whose results are not yet in git: submitted (or adoptable), not collected, not forgotten. */
export const inFlight = (s: JournalState): BatchRecord[] =>
  s.batches.filter((b) => b.batchId !== null && !b.abandoned && !b.collected && !b.forgotten);

/**
 * Intents with no batch recorded and not closed: a crash (or a lost response) came between their
 * create and its record. Their batch may exist (see `candidates`) until they are resolved.
 */
export const unresolved = (s: JournalState): BatchRecord[] => s.batches.filter((b) => b.batchId === null && !b.abandoned);

/** Task paths held by batches in flight, or by an unresolved intent (not to be submitted again). */
export const busyPaths = (s: JournalState): Set<string> =>
  new Set([...inFlight(s), ...unresolved(s)].flatMap((b) => b.intent.requests.flatMap((r) => r.paths)));

export const usageOf = (b: BatchRecord): Usage | null => b.collected?.usage ?? null;

export const spentUsd = (s: JournalState): number =>
  s.batches.reduce((sum, b) => sum + (b.collected?.costUsd ?? 0), 0) + calls(s).reduce((sum, e) => sum + e.costUsd, 0);

export const calls = (s: JournalState): CallEvent[] => s.events.filter((e): e is CallEvent => e.type === 'call');

export const newIntentId = (fingerprint: string, at: string): string =>
  'i' + createHash('sha256').update(`${fingerprint}\n${at}`).digest('hex').slice(0, 16);

export const nowIso = (): string => new Date().toISOString();
