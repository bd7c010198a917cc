/**
 * The journal's events: one zod schema per line of `.harness/journal.jsonl`, and the types the
 * rest of the harness reads them as. What the events mean together is journal-fold.ts; how they
 * are stored is journal-file.ts.
 */
import { z } from 'zod';
import { usageSchema } from '../cost/usage.js';
import { taskStatusSchema } from '../tasks/task.js';

const requestMapSchema = z.object({ customId: z.string(), paths: z.array(z.string()) });
const taskChangeSchema = z.object({
  status: taskStatusSchema.optional(),
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
    /**
     * The low and high figures of the estimate (`estimateUsd` and `estimate` are the expected one) and
     * the cache hit rate it assumed. Absent in older journals.
     */
    range: z
      .object({ lowUsd: z.number().nonnegative(), highUsd: z.number().nonnegative(), hitRate: z.number(), low: usageSchema, high: usageSchema })
      .optional(),
    /**
     * `warmup`: a one-request batch that writes the codebase cache before a large batch (no tasks);
     * `repair`: tasks the verify command named, asked again with its diagnostics.
     */
    purpose: z.enum(['tasks', 'warmup', 'repair']).default('tasks'),
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
   * A synchronous Messages call, paid at standard (non-batch) rates: `refine` of one file, the
   * llm planner's plan, or the `repair` of a file the verify command named (`verify.repairWith: sync`).
   */
  z.object({
    type: z.literal('call'),
    at: z.string(),
    purpose: z.enum(['refine', 'plan', 'repair']),
    path: z.string().optional(),
    /** sha256 of the codebase context the call carried. */
    context: z.string().optional(),
    usage: usageSchema,
    costUsd: z.number().nonnegative(),
  }),
  /**
   * The verify command ran: its result, and what it meant for the tasks. Recorded
   * before the task list and the commit, so a crash after it never runs the command again.
   */
  z.object({
    type: z.literal('verified'),
    at: z.string(),
    command: z.string(),
    passed: z.boolean(),
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    timedOut: z.boolean(),
    /** The command's output: secrets redacted, bounded (its tail kept). */
    output: z.string(),
    /** Per task path marked for repair: the output lines that name it. */
    repairs: z.record(z.string(), z.array(z.string())),
    /** Per task path failed for good (out of repairs): the reason. */
    failed: z.record(z.string(), z.string()),
    /** Paths named by the output that no task generates (reported, left alone). */
    other: z.array(z.string()),
  }),
]);
export type JournalEvent = z.output<typeof journalEventSchema>;
/** An event as written (fields with defaults may be left out). */
export type JournalEventInput = z.input<typeof journalEventSchema>;
export type IntentEvent = Extract<JournalEvent, { type: 'intent' }>;
export type CollectedEvent = Extract<JournalEvent, { type: 'collected' }>;
export type CallEvent = Extract<JournalEvent, { type: 'call' }>;
export type VerifiedEvent = Extract<JournalEvent, { type: 'verified' }>;
export type TaskChangeRecord = z.output<typeof taskChangeSchema>;
export type RetryRecord = z.output<typeof retrySchema>;
