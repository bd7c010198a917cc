/**
 * Pending tasks → packed requests → request params → batches, exactly as they would be sent.
 * Pure apart from reading the templates, the journal and the task list (its secret check); shared
 * by submit, --dry-run and estimate. `planBatches` takes the whole workspace because the secret
 * check of the task list (outgoing.ts) does.
 */
import { estimateRequests, type Estimate } from '../cost/estimate.js';
import { splitIntoBatches } from '../batch/split-batches.js';
import { buildRequest, type BatchRequest } from '../requests/build.js';
import { estimateTaskTokens, packTasks, type PackedRequest } from '../requests/pack.js';
import type { Task } from '../tasks/task.js';
import type { Snapshot } from './snapshot.js';
import { readJournal } from '../state/journal.js';
import { assertTaskListClean } from './outgoing.js';
import { taskFollowUps } from './task-history.js';
import { cacheStateFor, type CacheState, warmupEstimate } from './warmup.js';
import type { Workspace } from './workspace.js';

export interface PlannedBatch {
  requests: BatchRequest[];
  packed: PackedRequest[];
  /** Includes the warm-up batch's cost when `cache` is `warm-up`. */
  estimate: Estimate;
  /** `warm-up`: a one-request warm-up batch precedes this one (config `cache`); `warm`: one ran recently. */
  cache: CacheState;
}

export async function planBatches(ws: Workspace, tasks: readonly Task[], snapshot: Snapshot): Promise<PlannedBatch[]> {
  if (tasks.length === 0) return [];
  await assertTaskListClean(ws, tasks); // the task list is in every request: no secret in it leaves the machine
  const { config } = ws;
  const journal = await readJournal(ws.repoDir);
  // What earlier collects asked of these tasks' next requests: a cap on the request's size (an
  // invalid request being narrowed down) and a note to the model (an ambiguous answer).
  const followUps = taskFollowUps(journal);
  const packed = packTasks(tasks, {
    maxTokens: config.maxTokens,
    safetyMargin: config.packing.safetyMargin,
    estimate: (t) => estimateTaskTokens(t, config.packing),
    maxTasks: (t) => followUps.get(t.path)?.maxTasks,
  });
  const templates = await ws.templates();
  const existingPaths = new Set([...tasks].filter((t) => snapshot.paths.has(ws.repoPath(t.path))).map((t) => t.path));
  const byId = new Map(packed.map((p) => [p.customId, p]));
  const ambiguousBefore = new Set(tasks.filter((t) => followUps.get(t.path)?.ambiguous).map((t) => t.path));
  const requests = packed.map((p) =>
    buildRequest(p, {
      context: snapshot.context,
      templates,
      model: ws.model.id,
      maxTokens: config.maxTokens,
      existingPaths,
      ambiguousBefore,
    }),
  );
  return splitIntoBatches(requests, config.batch).map((chunk) => {
    const chunkPacked = chunk.map((r) => byId.get(r.custom_id)!);
    const cache = cacheStateFor(ws, chunk, snapshot.context.sha256, journal);
    return { requests: chunk, packed: chunkPacked, cache, estimate: batchEstimate(ws, chunk, chunkPacked, cache) };
  });
}

/** The estimate of one batch, plus its warm-up batch; `countedInput` from count_tokens when known. */
export function batchEstimate(
  ws: Pick<Workspace, 'config' | 'model'>,
  requests: readonly BatchRequest[],
  packed: readonly PackedRequest[],
  cache: CacheState,
  countedInput?: readonly number[],
): Estimate {
  const warmup = cache === 'warm-up';
  const estimate = estimateRequests({
    requests,
    expectedOutput: packed.map((p) => p.expectedOutputTokens),
    maxTokens: ws.config.maxTokens,
    model: ws.model,
    warm: cache !== 'cold',
    ...(countedInput ? { countedInput } : {}),
  });
  const warmupUsd = warmup && requests[0] ? warmupEstimate(ws, requests[0]).usd : 0;
  return { ...estimate, usd: estimate.usd + warmupUsd, usdLow: estimate.usdLow + warmupUsd, usdHigh: estimate.usdHigh + warmupUsd };
}
