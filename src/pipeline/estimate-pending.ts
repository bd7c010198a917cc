/**
 * `harness estimate`: what submitting the pending tasks now would cost, before any spend. Input
 * tokens come from count_tokens when the API answers (else the local estimate, and it says so).
 */
import { batchCost, type Estimate, requestTokens, sumEstimates } from '../cost/estimate.js';
import type { Usage } from '../cost/usage.js';
import type { ContextMode } from '../repo/context.js';
import { type CachedPrefixes, cachedPrefixes } from '../requests/prefixes.js';
import { busyPaths, readJournal, spentUsd } from '../state/journal.js';
import { readTaskListFile } from '../tasks/task-list.js';
import { batchEstimate, planBatches, type PlannedBatch } from './plan-requests.js';
import { takeSnapshot } from './snapshot.js';
import type { ModelFactsSummary } from './model-check.js';
import { heldMessage, pendingOfStage, stageState } from './stages.js';
import type { Workspace } from './workspace.js';

export interface EstimateReport {
  model: string;
  /** Pending tasks of the stage in progress only (later stages wait for it). */
  pendingTasks: number;
  /** The stage in progress (null: nothing pending or submitted). */
  stage: number | null;
  /** Pending tasks of later stages: not in this estimate. */
  waitingTasks: number;
  /** Why the stage in progress cannot start, or null. */
  stageHeld: string | null;
  batches: number;
  requests: number;
  /** Tokens of the batches' own requests; the USD figures include their warm-ups' (`warmupUsd`, expected). */
  estimate: (Omit<Estimate, 'requests'> & { warmupUsd: number }) | null;
  /** Each batch's three figures, its warm-up's included. */
  perBatch: { requests: number; usd: number; usdLow: number; usdHigh: number; warmup: boolean }[];
  inputSource: Estimate['inputSource'];
  spentUsd: number;
  budget: { perRunUsd: number | null; totalUsd: number | null };
  /** What the Models API said of the model (live, cached, or the table's figures); null when not asked. */
  modelFacts: ModelFactsSummary | null;
  /** How the codebase is sent (null: nothing pending, no snapshot taken). */
  contextMode: ContextMode | null;
  /** The distinct cached prefixes of the requests and what writing each once costs (null: nothing pending). */
  prefixes: CachedPrefixes | null;
  /** `JSON.stringify(report)` gives the `estimate --json` document (snake_case, docs/json.md). */
  toJSON(): EstimateJson;
}

/**
 * The `estimate --json` document (docs/json.md). Every JSON document the CLI prints is snake_case,
 * as the API's are; the code keeps camelCase and maps here, at the edge.
 */
export interface EstimateJson {
  /** Null only in the document a failed `estimate --json` prints (with its `error`). */
  model: string | null;
  pending_tasks: number;
  stage: number | null;
  waiting_tasks: number;
  stage_held: string | null;
  batches: number;
  requests: number;
  /** `count_tokens` (the API counted the input) or `local-estimate` (it could not be reached). */
  input_source: Estimate['inputSource'];
  /** Null when nothing is pending. */
  estimate: {
    usage: Usage;
    usage_low: Usage;
    usage_high: Usage;
    cost_usd: number;
    cost_usd_low: number;
    cost_usd_high: number;
    output_tokens_low: number;
    output_tokens_high: number;
    expected_hit_rate: number;
    warmup_cost_usd: number;
    batches: { requests: number; cost_usd: number; cost_usd_low: number; cost_usd_high: number; warmup: boolean }[];
  } | null;
  spent_usd: number;
  budget: { per_run_usd: number | null; total_usd: number | null };
  model_facts: {
    source: ModelFactsSummary['source'];
    fetched_at: string | null;
    lifecycle: ModelFactsSummary['lifecycle'];
    retires_at: string | null;
    context_window: number;
    max_output: number;
    error: string | null;
  } | null;
  /** `full` or `map` (docs/context.md); null when nothing is pending. */
  context_mode: ContextMode | null;
  /** Null when nothing is pending. */
  cached_prefixes: { count: number; write_tokens: number; write_cost_usd: number } | null;
}

function estimateJson(r: Omit<EstimateReport, 'toJSON'>): EstimateJson {
  const e = r.estimate;
  return {
    model: r.model,
    pending_tasks: r.pendingTasks,
    stage: r.stage,
    waiting_tasks: r.waitingTasks,
    stage_held: r.stageHeld,
    batches: r.batches,
    requests: r.requests,
    input_source: r.inputSource,
    estimate: e && {
      usage: e.usage,
      usage_low: e.usageLow,
      usage_high: e.usageHigh,
      cost_usd: e.usd,
      cost_usd_low: e.usdLow,
      cost_usd_high: e.usdHigh,
      output_tokens_low: e.usageLow.output_tokens,
      output_tokens_high: e.outputTokensHigh,
      expected_hit_rate: e.hitRate,
      warmup_cost_usd: e.warmupUsd,
      batches: r.perBatch.map((b) => ({ requests: b.requests, cost_usd: b.usd, cost_usd_low: b.usdLow, cost_usd_high: b.usdHigh, warmup: b.warmup })),
    },
    spent_usd: r.spentUsd,
    budget: { per_run_usd: r.budget.perRunUsd, total_usd: r.budget.totalUsd },
    model_facts: r.modelFacts && {
      source: r.modelFacts.source,
      fetched_at: r.modelFacts.fetchedAt,
      lifecycle: r.modelFacts.lifecycle,
      retires_at: r.modelFacts.retiresAt,
      context_window: r.modelFacts.contextWindow,
      max_output: r.modelFacts.maxOutput,
      error: r.modelFacts.error,
    },
    context_mode: r.contextMode,
    cached_prefixes: r.prefixes && { count: r.prefixes.count, write_tokens: r.prefixes.writeTokens, write_cost_usd: r.prefixes.writeUsd },
  };
}

/** The report with its (non-enumerable) toJSON. */
function report(fields: Omit<EstimateReport, 'toJSON'>): EstimateReport {
  return Object.defineProperty(fields, 'toJSON', { value: () => estimateJson(fields), enumerable: false }) as EstimateReport;
}

export async function estimatePending(ws: Workspace, options: { countTokens?: boolean } = {}): Promise<EstimateReport> {
  // Live model facts first: a retired model is refused here too, and the live window and ceiling are used.
  if (options.countTokens !== false) await ws.checkModel();
  const list = await readTaskListFile(ws.repoDir);
  const journal = await readJournal(ws.repoDir);
  const busy = busyPaths(journal);
  const stage = stageState(list);
  const pending = pendingOfStage(list, stage).filter((t) => !busy.has(t.path));
  const base = {
    model: ws.model.id,
    pendingTasks: pending.length,
    stage: stage?.current ?? null,
    waitingTasks: stage?.waiting ?? 0,
    stageHeld: stage ? heldMessage(stage) : null,
    spentUsd: spentUsd(journal),
    budget: { perRunUsd: ws.config.budget.perRunUsd ?? null, totalUsd: ws.config.budget.totalUsd ?? null },
    modelFacts: ws.modelFacts(),
  };
  if (pending.length === 0)
    return report({
      ...base,
      batches: 0,
      requests: 0,
      estimate: null,
      perBatch: [],
      inputSource: 'local-estimate',
      contextMode: null,
      prefixes: null,
    });
  const snapshot = await takeSnapshot(ws, { reuse: true });
  const planned = await planBatches(ws, pending, snapshot);
  const counted = options.countTokens === false ? null : await countInput(ws, planned);
  const figures = planned.map((b, i) => (counted ? batchEstimate(ws, b.requests, b.packed, b.cache, counted[i]!) : b));
  // Tokens: the batches' own requests (what each batch's bill is set against); USD: warm-ups included.
  const own = sumEstimates(figures.map((f) => f.estimate))!;
  const withWarmups = sumEstimates(figures.map(batchCost))!;
  const warmupUsd = sumEstimates(figures.flatMap((f) => (f.warmup ? [f.warmup] : [])))?.usd ?? 0;
  const sum = { ...own, usd: withWarmups.usd, usdLow: withWarmups.usdLow, usdHigh: withWarmups.usdHigh, warmupUsd };
  const inputSource = counted ? 'count_tokens' : 'local-estimate';
  return report({
    ...base,
    batches: planned.length,
    requests: planned.reduce((s, b) => s + b.requests.length, 0),
    estimate: { ...sum, inputSource },
    perBatch: figures.map((f) => {
      const c = batchCost(f);
      return { requests: f.estimate.requests, usd: c.usd, usdLow: c.usdLow, usdHigh: c.usdHigh, warmup: f.warmup !== null };
    }),
    inputSource,
    contextMode: snapshot.mode ?? 'full',
    prefixes: cachedPrefixes(
      planned.flatMap((b) => b.requests),
      ws.model,
    ),
  });
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

/** The `estimate --json` document with nothing in it: what a failed `--json` run prints, with its `error`. */
export function emptyEstimate(): EstimateJson {
  return {
    model: null,
    pending_tasks: 0,
    stage: null,
    waiting_tasks: 0,
    stage_held: null,
    batches: 0,
    requests: 0,
    input_source: 'local-estimate',
    estimate: null,
    spent_usd: 0,
    budget: { per_run_usd: null, total_usd: null },
    model_facts: null,
    context_mode: null,
    cached_prefixes: null,
  };
}
