/**
 * `harness status`: tasks, batches, tokens and cost from task-list.md and the journal only; it never
 * calls the API. The JSON shape is CONTRACT section 10 (more fields may be added; those stay).
 */
import { cacheReadShare, costUsd, naivePerFileCostUsd, naiveSyncCostUsd, sumUsage, zeroUsage, type Usage } from '../cost/usage.js';
import { pricesOf, type ModelInfo } from '../models/models.js';
import { calls, readJournal, type BatchRecord } from '../state/journal.js';
import type { TaskStatus } from '../tasks/task.js';
import { readTaskListFile } from '../tasks/taskList.js';

export interface StatusReport {
  tasks: { id: string; path: string; status: TaskStatus; attempts: number; batch: string | null; reason: string | null; group: string }[];
  counts: Record<TaskStatus, number>;
  batches: {
    id: string;
    /** `canceled`: collected after a cancel (its unfinished requests were canceled: their tasks went back to pending). */
    status: 'in_progress' | 'canceling' | 'ended' | 'collected' | 'canceled';
    requests: number;
    tasks: number;
    created_at: string | null;
    /** A batch not finished 24 h after creation expires; results are kept 29 days. */
    expires_at: string | null;
    results_expire_at: string | null;
    estimate_usd: number;
    /** The estimator's token figures at submit time, to judge it against the bill. */
    estimate_usage: Usage | null;
    cost_usd: number | null;
    files: number | null;
    usage: Usage | null;
    adopted: boolean;
    /** `warmup`: a one-request batch that wrote the codebase cache before a large batch. */
    purpose: 'tasks' | 'warmup';
  }[];
  /** Synchronous calls (refine, the llm planner), at standard rates. */
  calls: { purpose: 'refine' | 'plan'; path: string | null; at: string; usage: Usage; cost_usd: number }[];
  usage: Usage;
  cost_usd: number;
  /** What the same files would cost as one synchronous uncached call per file. */
  naive_sync_cost_usd: number;
  /** Share of cacheable context tokens read from the cache. */
  cache_read_share: number;
  model: string;
}

const DAY = 24 * 3600_000;

export async function buildStatus(repoDir: string, model: ModelInfo): Promise<StatusReport> {
  const list = await readTaskListFile(repoDir);
  const journal = await readJournal(repoDir);
  const counts: Record<TaskStatus, number> = { pending: 0, submitted: 0, done: 0, failed: 0 };
  for (const t of list.tasks) counts[t.status]++;
  const batches: StatusReport['batches'] = journal.batches
    .filter((b) => b.batchId !== null)
    .map((b) => {
      const created = b.submittedAt ? Date.parse(b.submittedAt) : null;
      return {
        id: b.batchId!,
        status: batchStatus(b),
        requests: b.intent.requests.length,
        tasks: b.intent.requests.reduce((s, r) => s + r.paths.length, 0),
        created_at: b.submittedAt,
        expires_at: created === null ? null : new Date(created + DAY).toISOString(),
        results_expire_at: created === null ? null : new Date(created + 29 * DAY).toISOString(),
        estimate_usd: b.intent.estimateUsd,
        estimate_usage: b.intent.estimate ?? null,
        cost_usd: b.collected?.costUsd ?? null,
        files: b.collected?.files.length ?? null,
        usage: b.collected?.usage ?? null,
        adopted: b.adopted,
        purpose: b.intent.purpose,
      };
    });
  const syncCalls = calls(journal);
  const usage = sumUsage([...batches.map((b) => b.usage ?? zeroUsage()), ...syncCalls.map((e) => e.usage)]);
  const prices = model.prices;
  // The naive way: one synchronous uncached call per file (and the planner/refine calls as they
  // were, uncached). Warm-up batches exist only because of caching: the naive way has none.
  const naive = (p: NonNullable<ModelInfo['prices']>) =>
    batches.reduce((s, b) => s + (b.usage && b.purpose === 'tasks' ? naivePerFileCostUsd(b.usage, b.requests, b.files ?? b.tasks, p) : 0), 0) +
    syncCalls.reduce((s, e) => s + naiveSyncCostUsd(e.usage, p), 0);
  return {
    tasks: list.tasks.map((t) => ({ id: t.id, path: t.path, status: t.status, attempts: t.attempts, batch: t.batch, reason: t.reason, group: t.group })),
    counts,
    batches,
    calls: syncCalls.map((e) => ({ purpose: e.purpose, path: e.path ?? null, at: e.at, usage: e.usage, cost_usd: e.costUsd })),
    usage,
    cost_usd: round6(batches.reduce((s, b) => s + (b.cost_usd ?? 0), 0) + syncCalls.reduce((s, e) => s + e.costUsd, 0)),
    naive_sync_cost_usd: prices ? round6(naive(pricesOf(model))) : 0,
    cache_read_share: cacheReadShare(usage),
    model: model.id,
  };
}

/**
 * A batch's status from the journal: `canceled` once collected after a cancel (asked with
 * `harness cancel`, or requests the API reports canceled), `collected` once collected otherwise,
 * `canceling` while a cancel asked for runs, else `in_progress`.
 */
export function batchStatus(b: Pick<BatchRecord, 'collected' | 'cancelRequested'>): 'in_progress' | 'canceling' | 'collected' | 'canceled' {
  if (b.collected) return b.cancelRequested || (b.collected.counts.canceled ?? 0) > 0 ? 'canceled' : 'collected';
  return b.cancelRequested ? 'canceling' : 'in_progress';
}

export const batchCost = (usage: Usage, model: ModelInfo) => costUsd(usage, pricesOf(model), 'batch');
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
