/**
 * `harness estimate`: what submitting the pending tasks now would cost, before any spend. Input
 * tokens come from count_tokens when the API answers (else the local estimate, and it says so).
 */
import type { Estimate } from '../cost/estimate.js';
import { requestTokens } from '../cost/estimate.js';
import { formatUsd } from '../cost/usage.js';
import { busyPaths, readJournal, spentUsd } from '../state/journal.js';
import { pendingTasks, readTaskListFile } from '../tasks/taskList.js';
import { batchEstimate, planBatches, type PlannedBatch } from './plan-requests.js';
import { takeSnapshot } from './snapshot.js';
import type { Workspace } from './workspace.js';

export interface EstimateReport {
  model: string;
  pendingTasks: number;
  batches: number;
  requests: number;
  estimate: Omit<Estimate, 'requests'> | null;
  inputSource: Estimate['inputSource'];
  spentUsd: number;
  budget: { perRunUsd: number | null; totalUsd: number | null };
}

export async function estimatePending(ws: Workspace, options: { countTokens?: boolean } = {}): Promise<EstimateReport> {
  const list = await readTaskListFile(ws.repoDir);
  const journal = await readJournal(ws.repoDir);
  const busy = busyPaths(journal);
  const pending = pendingTasks(list).filter((t) => !busy.has(t.path));
  const base = {
    model: ws.model.id,
    pendingTasks: pending.length,
    spentUsd: spentUsd(journal),
    budget: { perRunUsd: ws.config.budget.perRunUsd ?? null, totalUsd: ws.config.budget.totalUsd ?? null },
  };
  if (pending.length === 0) return { ...base, batches: 0, requests: 0, estimate: null, inputSource: 'local-estimate' };
  const snapshot = await takeSnapshot(ws, { reuse: true });
  const planned = await planBatches(ws, pending, snapshot);
  const counted = options.countTokens === false ? null : await countInput(ws, planned);
  const estimates = planned.map((b, i) => (counted ? batchEstimate(ws, b.requests, b.packed, b.cache, counted[i]!) : b.estimate));
  const sum = estimates.reduce(
    (acc, e) => ({
      usage: {
        input_tokens: acc.usage.input_tokens + e.usage.input_tokens,
        output_tokens: acc.usage.output_tokens + e.usage.output_tokens,
        cache_creation_input_tokens: acc.usage.cache_creation_input_tokens + e.usage.cache_creation_input_tokens,
        cache_read_input_tokens: acc.usage.cache_read_input_tokens + e.usage.cache_read_input_tokens,
        cache_creation_5m_input_tokens: acc.usage.cache_creation_5m_input_tokens + e.usage.cache_creation_5m_input_tokens,
        cache_creation_1h_input_tokens: acc.usage.cache_creation_1h_input_tokens + e.usage.cache_creation_1h_input_tokens,
      },
      usd: acc.usd + e.usd,
      usdLow: acc.usdLow + e.usdLow,
      usdHigh: acc.usdHigh + e.usdHigh,
      outputTokensLow: acc.outputTokensLow + e.outputTokensLow,
      outputTokensHigh: acc.outputTokensHigh + e.outputTokensHigh,
    }),
    { usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation_5m_input_tokens: 0, cache_creation_1h_input_tokens: 0 }, usd: 0, usdLow: 0, usdHigh: 0, outputTokensLow: 0, outputTokensHigh: 0 },
  );
  const inputSource = counted ? 'count_tokens' : 'local-estimate';
  return {
    ...base,
    batches: planned.length,
    requests: planned.reduce((s, b) => s + b.requests.length, 0),
    estimate: { ...sum, inputSource },
    inputSource,
  };
}

/**
 * Input tokens of every request from count_tokens; null when the API cannot be reached. Requests of
 * a run share one big prefix, so one call per batch (its first request) calibrates the local
 * estimate for the others instead of uploading the codebase once per request.
 */
async function countInput(ws: Workspace, planned: readonly PlannedBatch[]): Promise<number[][] | null> {
  try {
    const client = ws.client();
    const out: number[][] = [];
    for (const b of planned) {
      const first = b.requests[0]!;
      const { max_tokens: _max, ...params } = first.params;
      const res = await client.messages.countTokens(params as Parameters<typeof client.messages.countTokens>[0]);
      const local = (r: (typeof b.requests)[number]) => {
        const t = requestTokens(r);
        return t.cacheable + t.uncached;
      };
      const ratio = res.input_tokens / Math.max(1, local(first));
      out.push(b.requests.map((r, i) => (i === 0 ? res.input_tokens : Math.round(local(r) * ratio))));
    }
    return out;
  } catch (error) {
    ws.reporter.warn(`count_tokens unavailable (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): using the local estimate`);
    return null;
  }
}

export const describeUsd = (usd: number) => `$${formatUsd(usd)}`;
