/**
 * A small world for the run loop's unit tests: task-list.md and the journal in memory, a batch
 * server whose batches end after `durationMs` on a manual clock, and every stage a fake that does
 * to them what the real one does (submit records an intent and marks its tasks, collect marks
 * them done or failed, ...). Each stage call is logged, so a test reads the run as a sequence.
 */
import { defaultConfig, type HarnessConfig } from '../../src/config/schema.js';
import type { Estimate } from '../../src/cost/estimate.js';
import { zeroUsage } from '../../src/cost/usage.js';
import { resolveModel } from '../../src/models/models.js';
import type { CollectOutcome } from '../../src/pipeline/collect-finish.js';
import type { PlannedBatch } from '../../src/pipeline/plan-requests.js';
import type { LoopWorkspace, RunDeps } from '../../src/pipeline/run-loop.js';
import type { Snapshot } from '../../src/pipeline/snapshot.js';
import type { CacheState } from '../../src/pipeline/warmup.js';
import type { BatchRequest } from '../../src/requests/build.js';
import { HarnessError } from '../../src/shared/errors.js';
import { createStopController, type StopController } from '../../src/shared/signals.js';
import { type BatchRecord, memoryJournal } from '../../src/state/journal.js';
import type { Task } from '../../src/tasks/task.js';
import { repairRounds } from '../../src/verify/repair-state.js';
import { decideVerify } from '../../src/verify/verify-decision.js';
import { parseTaskList, type TaskChange, type TaskList, writeTaskList } from '../../src/tasks/task-list.js';

export const NOW = Date.parse('2026-11-02T10:00:00.000Z');

/**
 * task-list.md with these tasks (path → status; `done` ticked). `stages` (path → stage, in
 * non-decreasing order) puts a `## Stage N:` heading before the first task of each stage.
 */
export function taskList(tasks: Record<string, Task['status']>, stages: Record<string, number> = {}): TaskList {
  let stage = 0;
  const lines = Object.keys(tasks).map((p) => {
    const s = stages[p];
    if (s === undefined || s === stage) return `- [ ] \`${p}\` — make ${p}\n`;
    stage = s;
    const heading = `\n## Stage ${s}: s${s}\n\n`;
    return `${heading}- [ ] \`${p}\` — make ${p}\n`;
  });
  const list = parseTaskList(`# Tasks\n\n${lines.join('')}`);
  const changes = new Map(Object.entries(tasks).map(([p, status]): [string, TaskChange] => [p, { status }]));
  return parseTaskList(writeTaskList(list, changes));
}

export function request(customId: string): BatchRequest {
  const content = [
    { type: 'text' as const, text: 'the codebase '.repeat(4000), cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } },
    { type: 'text' as const, text: `write ${customId}` },
  ];
  return {
    custom_id: customId,
    params: { model: 'claude-opus-4-8', max_tokens: 1000, system: 'you write files', messages: [{ role: 'user', content }] },
  };
}

export function estimate(usd: number): Estimate {
  const base = {
    requests: 1,
    usage: zeroUsage(),
    usageLow: zeroUsage(),
    usageHigh: zeroUsage(),
    usd,
    usdLow: usd,
    usdHigh: usd,
    outputTokensHigh: 0,
    hitRate: 0.3,
  };
  return { ...base, inputSource: 'local-estimate' };
}

/** A planned batch of `tasks`, one request per task. */
export function planned(tasks: readonly Task[], cache: CacheState = 'cold', usd = 1): PlannedBatch {
  return {
    requests: tasks.map((t) => request(t.id)),
    packed: tasks.map((t) => ({ customId: t.id, tasks: [t], expectedOutputTokens: 100 })),
    estimate: estimate(usd),
    warmup: null,
    cache,
  };
}

export interface World {
  ws: LoopWorkspace;
  deps: RunDeps<LoopWorkspace>;
  stop: StopController;
  journal: ReturnType<typeof memoryJournal>;
  log: string[];
  messages: string[];
  /** task-list.md as it is now. */
  list(): TaskList;
  /** Milliseconds on the manual clock (advanced by waits). */
  clock: number;
  server: Map<string, { endsAt: number; paths: string[] }>;
  /** How long a batch runs. */
  durationMs: number;
  /** What a collect makes of a task (default: done). */
  fate: (path: string) => 'done' | 'failed' | 'pending';
  /** Tasks per planned batch. */
  batchSize: number;
  /** The cache state planning gives each batch. */
  cache: CacheState;
  /** Per-batch estimate, and the run cap checkBudget enforces (none when undefined). */
  batchUsd: number;
  perRunUsd: number | undefined;
  refreshed: { added: number; requeued: string[]; edited: string[] } | null;
  /** Called after each stage (a test asks for a stop from here). */
  after: (stage: string) => void;
  /** What each run of the verify command finds, in turn (then: passed): the paths to repair, `timeout`, or `none` (fails naming no task). */
  verifyRuns: (string[] | 'timeout' | 'none')[];
}

export function world(tasks: Record<string, Task['status']>, config: Partial<HarnessConfig> = {}, stages: Record<string, number> = {}): World {
  let text = taskList(tasks, stages).source;
  let ids = 0;
  const stop = createStopController();
  const journal = memoryJournal();
  const w: World = {
    stop,
    journal,
    log: [],
    messages: [],
    list: () => parseTaskList(text),
    clock: NOW,
    server: new Map(),
    durationMs: 60_000,
    fate: () => 'done',
    batchSize: 2,
    cache: 'cold',
    batchUsd: 1,
    perRunUsd: undefined,
    refreshed: null,
    after: () => {},
    verifyRuns: [],
    ws: {
      repoDir: '/fake/repo',
      config: { ...defaultConfig, ...config },
      model: resolveModel('claude-opus-4-8'),
      now: () => w.clock,
      reporter: { info: (m) => w.messages.push(`info: ${m}`), warn: (m) => w.messages.push(`warn: ${m}`), progress() {} },
      stop: stop.stop,
    },
    deps: undefined as unknown as RunDeps<LoopWorkspace>,
  };
  const say = (entry: string) => {
    w.log.push(entry);
    w.after(entry);
  };
  const change = (changes: Map<string, TaskChange>) => {
    text = writeTaskList(w.list(), changes);
  };
  const collectEnded = async (_ws: LoopWorkspace, record: BatchRecord): Promise<CollectOutcome> => {
    const batchId = record.batchId!;
    const paths = record.intent.requests.flatMap((r) => r.paths);
    const changes = new Map(paths.map((p): [string, TaskChange] => [p, { status: w.fate(p), batch: batchId }]));
    await journal.append({ type: 'collect', at: iso(w.clock), batchId });
    const taskChanges = Object.fromEntries(changes);
    const files = paths.filter((p) => changes.get(p)?.status === 'done').map((path) => ({ path, sha256: 'x' }));
    await journal.append({ type: 'collected', at: iso(w.clock), batchId, files, taskChanges, usage: zeroUsage(), costUsd: 0.5, counts: {} });
    change(changes);
    say(`collect ${batchId}`);
    return { batchId, files: paths.length, costUsd: 0.5, usage: zeroUsage(), counts: {} };
  };
  w.deps = {
    openJournal: () => journal,
    readTaskList: async () => w.list(),
    preflight: async () => say('preflight'),
    retryFailedTasks: async () => {
      change(
        new Map(
          w
            .list()
            .tasks.filter((t) => t.status === 'failed')
            .map((t) => [t.path, { status: 'pending', attempts: 0, reason: null }]),
        ),
      );
      say('retry failed');
    },
    recover: async (_ws, options) => {
      say(`recover${options.waitForCandidates ? '' : ' (no waiting)'}`);
      return journal.read();
    },
    refreshMirror: async () => {
      say('refresh mirror');
      return w.refreshed;
    },
    assertClean: async () => say('check clean'),
    collectIfEnded: async (ws, record) => {
      if (w.server.get(record.batchId!)!.endsAt > w.clock) {
        say(`look ${record.batchId}: running`);
        return { outcome: null };
      }
      return { outcome: await collectEnded(ws, record) };
    },
    collectEnded,
    assertTargetsWritable: async (_ws, list) => say(`check targets ${list.map((t) => t.path).join(',')}`),
    takeSnapshot: async (_ws, options) => {
      say(`snapshot${options.reuse ? '' : ' (fresh)'}`);
      return snapshot;
    },
    planBatches: async (_ws, list) => {
      const batches: PlannedBatch[] = [];
      for (let i = 0; i < list.length; i += w.batchSize) batches.push(planned(list.slice(i, i + w.batchSize), w.cache, w.batchUsd));
      say(`plan ${batches.map((b) => b.packed.map((p) => p.tasks[0]!.path).join('+')).join(' ')}`);
      return batches;
    },
    writeDryRun: async (_ws, batches) => {
      say(`dry run ${batches.length}`);
      return { dir: '.harness/dry-run', batches: [] };
    },
    checkBudget: (_ws, batch, budget) => {
      say(`budget $${budget.runUsd} committed $${budget.committedUsd}`);
      if (w.perRunUsd !== undefined && budget.runUsd + batch.estimate.usd > w.perRunUsd) {
        throw new HarnessError('BUDGET_EXCEEDED', 'submitting would cross budget.perRunUsd');
      }
    },
    submitBatch: async (_ws, batch, _journal, options) => {
      const batchId = `b${++ids}`;
      const intentId = `i${ids}`;
      const requests = batch.packed.map((p) => ({ customId: p.customId, paths: p.tasks.map((t) => t.path) }));
      const paths = requests.flatMap((r) => r.paths);
      await journal.append({
        type: 'intent',
        at: iso(w.clock),
        intentId,
        model: 'claude-opus-4-8',
        betas: [],
        fingerprint: intentId,
        requests,
        estimateUsd: batch.estimate.usd,
        purpose: options.purpose ?? 'tasks',
        ...(options.context ? { context: options.context } : {}),
      });
      await journal.append({ type: 'submitted', at: iso(w.clock), intentId, batchId });
      change(new Map(paths.map((p) => [p, { status: 'submitted', batch: batchId }])));
      w.server.set(batchId, { endsAt: w.clock + w.durationMs, paths });
      say(`submit ${batchId} ${options.purpose === 'warmup' ? 'warm-up' : paths.join(',')}`);
      return batchId;
    },
    verify: async (ws) => {
      const found = w.verifyRuns.shift() ?? [];
      const named = Array.isArray(found) ? found : [];
      const mapping = { byTask: new Map(named.map((p): [string, string[]] => [p, [`${p}(1,1): error`]])), otherPaths: [] };
      const run = {
        passed: found.length === 0,
        exitCode: found === 'timeout' ? null : found.length === 0 ? 0 : 1,
        signal: null,
        timedOut: found === 'timeout',
        output: '',
      };
      const { event, taskChanges } = decideVerify({
        command: 'check',
        at: iso(w.clock),
        run,
        mapping,
        rounds: repairRounds(await journal.read()),
        repairs: ws.config.verify.repairs,
      });
      await journal.append(event);
      change(taskChanges);
      say(`verify ${event.passed ? 'passed' : `repair ${Object.keys(event.repairs).join(',')} failed ${Object.keys(event.failed).join(',')}`}`);
    },
    repairSync: async (_ws, needs) => {
      for (const n of needs) {
        await journal.append({ type: 'call', at: iso(w.clock), purpose: 'refine', path: n.path, usage: zeroUsage(), costUsd: 0.1 });
      }
      change(new Map(needs.map((n): [string, TaskChange] => [n.path, { status: 'done', checked: true }])));
      say(`repair-sync ${needs.map((n) => n.path).join(',')}`);
    },
    waitForEnd: async (_ws, records, until, maxWaitMs = Number.POSITIVE_INFINITY) => {
      w.stop.stop.throwIfRequested();
      const ends = records.map((r) => w.server.get(r.batchId!)!.endsAt);
      const target = until === 'any' ? Math.min(...ends) : Math.max(...ends);
      const started = w.clock;
      w.clock = Math.max(w.clock, Math.min(target, started + maxWaitMs));
      say(`wait ${until} ${records.map((r) => r.batchId).join(',')}${Number.isFinite(maxWaitMs) ? ` (at most ${maxWaitMs / 1000} s)` : ''}`);
      return w.clock >= target;
    },
  };
  return w;
}

const snapshot: Snapshot = {
  context: { text: '', tokens: 0, bytes: 0, files: 0, sha256: 'ctx1' },
  paths: new Set(),
  skipped: 0,
  fresh: false,
};

const iso = (ms: number) => new Date(ms).toISOString();

/** Tasks of a list by path (for building batches in decision tests). */
export const tasksOf = (list: TaskList, ...paths: string[]): Task[] => paths.map((p) => list.tasks.find((t) => t.path === p)!);
