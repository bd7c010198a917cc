/**
 * Pending tasks → packed requests → request params → batches, exactly as they would be sent.
 * Pure apart from reading the templates; shared by submit, --dry-run and estimate.
 */
import { estimateRequests, type Estimate } from '../cost/estimate.js';
import { buildRequest, splitIntoBatches, type BatchRequest } from '../requests/build.js';
import { estimateTaskTokens, packTasks, type PackedRequest } from '../requests/pack.js';
import type { Task } from '../tasks/task.js';
import type { Snapshot } from './snapshot.js';
import type { Workspace } from './workspace.js';

export interface PlannedBatch {
  requests: BatchRequest[];
  packed: PackedRequest[];
  estimate: Estimate;
}

export async function planBatches(ws: Workspace, tasks: readonly Task[], snapshot: Snapshot): Promise<PlannedBatch[]> {
  if (tasks.length === 0) return [];
  const { config } = ws;
  const packed = packTasks(tasks, {
    maxTokens: config.maxTokens,
    safetyMargin: config.packing.safetyMargin,
    estimate: (t) => estimateTaskTokens(t, config.packing),
  });
  const templates = await ws.templates();
  const existingPaths = new Set([...tasks].filter((t) => snapshot.paths.has(ws.repoPath(t.path))).map((t) => t.path));
  const byId = new Map(packed.map((p) => [p.customId, p]));
  const requests = packed.map((p) =>
    buildRequest(p, {
      context: snapshot.context,
      templates,
      model: ws.model.id,
      maxTokens: config.maxTokens,
      existingPaths,
    }),
  );
  return splitIntoBatches(requests, config.batch).map((chunk) => {
    const chunkPacked = chunk.map((r) => byId.get(r.custom_id)!);
    return {
      requests: chunk,
      packed: chunkPacked,
      estimate: estimateRequests({
        requests: chunk,
        expectedOutput: chunkPacked.map((p) => p.expectedOutputTokens),
        maxTokens: config.maxTokens,
        model: ws.model,
      }),
    };
  });
}
