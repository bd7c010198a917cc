/**
 * The journal: `.harness/journal.jsonl`, append-only, one event per line. An intent is recorded
 * BEFORE each side effect (create a batch, write files), so a crash at any instant leaves enough
 * on disk to resume without paying twice. It is committed with the harness's commits, so a fresh
 * clone (a nightly CI job) knows every batch and what was paid.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
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
  }),
  z.object({ type: z.literal('submitted'), at: z.string(), intentId: z.string(), batchId: z.string(), adopted: z.boolean().default(false) }),
  /** The create call failed for good (the API said no): the intent's tasks are free again. */
  z.object({ type: z.literal('abandoned'), at: z.string(), intentId: z.string(), reason: z.string() }),
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

export async function readJournal(repoDir: string): Promise<JournalState> {
  const file = path.join(repoDir, JOURNAL_FILE);
  if (!existsSync(file)) return foldJournal([]);
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  const events: JournalEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // A crash mid-append leaves a partial LAST line: drop it. Anywhere else it is corruption.
      if (lines.slice(i + 1).every((l) => l.trim() === '')) {
        await writeFile(file, lines.slice(0, i).join('\n') + (i > 0 ? '\n' : ''));
        break;
      }
      throw new HarnessError('STATE', 'the journal is corrupt (not JSON)', { file: JOURNAL_FILE, line: i + 1 });
    }
    const event = journalEventSchema.safeParse(parsed);
    if (!event.success) {
      throw new HarnessError('STATE', `the journal has an invalid event: ${event.error.issues[0]?.message ?? ''}`, {
        file: JOURNAL_FILE,
        line: i + 1,
      });
    }
    events.push(event.data);
  }
  return foldJournal(events);
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

export async function appendJournal(repoDir: string, event: JournalEventInput): Promise<void> {
  const file = path.join(repoDir, JOURNAL_FILE);
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'a');
  try {
    await handle.write(JSON.stringify(event) + '\n');
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Batches whose results are not yet in git: submitted (or adoptable), not collected, not forgotten. */
export const inFlight = (s: JournalState): BatchRecord[] =>
  s.batches.filter((b) => b.batchId !== null && !b.abandoned && !b.collected && !b.forgotten);

/** Task paths held by batches in flight (not to be submitted again). */
export const busyPaths = (s: JournalState): Set<string> =>
  new Set(inFlight(s).flatMap((b) => b.intent.requests.flatMap((r) => r.paths)));

export const usageOf = (b: BatchRecord): Usage | null => b.collected?.usage ?? null;

export const spentUsd = (s: JournalState): number =>
  s.batches.reduce((sum, b) => sum + (b.collected?.costUsd ?? 0), 0) +
  calls(s).reduce((sum, e) => sum + e.costUsd, 0);

export const calls = (s: JournalState): CallEvent[] => s.events.filter((e): e is CallEvent => e.type === 'call');

export const newIntentId = (fingerprint: string, at: string): string =>
  'i' + createHash('sha256').update(`${fingerprint}\n${at}`).digest('hex').slice(0, 16);

export const nowIso = (): string => new Date().toISOString();
