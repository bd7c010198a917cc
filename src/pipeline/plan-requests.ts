/**
 * Pending tasks → packed requests → request params → batches, exactly as they would be sent.
 * Pure apart from reading the templates, the journal, the task list (the plan, and its secret
 * check) and the files earlier stages wrote; shared by submit, --dry-run and estimate.
 * `planBatches` takes the whole workspace because the secret check of the task list (outgoing.ts)
 * does.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { estimateRequests, type Estimate } from '../cost/estimate.js';
import { splitIntoBatches } from '../batch/split-batches.js';
import { findSecrets, secretsError } from '../repo/secrets.js';
import { buildRequest, type BatchRequest, type BuildOptions, requestText } from '../requests/build.js';
import { fitError, worstOverflow } from '../requests/fit.js';
import type { RepairInput } from '../requests/repair-note.js';
import { estimateTaskTokens, packTasks, type PackedRequest } from '../requests/pack.js';
import { planBlockText, planEntries, planEntriesOfTasks } from '../requests/plan-block.js';
import { type StageFile, stageBlockText } from '../requests/stage-block.js';
import { comparePaths } from '../repo/scan.js';
import { readTaskListFile, type TaskList } from '../tasks/task-list.js';
import type { Task } from '../tasks/task.js';
import { planMapRequests, type RequestContext } from './plan-map.js';
import type { Snapshot } from './snapshot.js';
import { type JournalState, readJournal } from '../state/journal.js';
import { assertTaskListClean } from './outgoing.js';
import { taskFollowUps } from './task-history.js';
import { repairsPending } from '../verify/repair-state.js';
import { cacheStateFor, type CacheState, prefixWarmedUp, warmupEstimate } from './warmup.js';
import type { Workspace } from './workspace.js';

export interface PlannedBatch {
  requests: BatchRequest[];
  packed: PackedRequest[];
  /** This batch's requests alone (what its intent records, to be set against its bill). */
  estimate: Estimate;
  /** The warm-up batch's, when `cache` is `warm-up` (else null); `batchCost` (cost/estimate.ts) adds the two. */
  warmup: Estimate | null;
  /** `warm-up`: a one-request warm-up batch precedes this one (config `cache`); `warm`: one ran recently. */
  cache: CacheState;
  /** What each request (same order) holds of the codebase in full. */
  contexts?: RequestContext[];
  /** `repair`: every task of it is under repair (the verify command named it); absent: `tasks`. */
  purpose?: 'tasks' | 'repair';
}

/**
 * The batches of `tasks` (pending tasks of one stage). `list` is the task list they come from, for
 * the plan block and the earlier stages' files; read from task-list.md when not given (a list that
 * does not hold every task, or none on disk, gives a plan of `tasks` alone).
 */
export async function planBatches(ws: Workspace, tasks: readonly Task[], snapshot: Snapshot, list?: TaskList): Promise<PlannedBatch[]> {
  if (tasks.length === 0) return [];
  await assertTaskListClean(ws, tasks); // the task list is in every request: no secret in it leaves the machine
  const { config } = ws;
  const whole = await planList(ws, tasks, list);
  const plan = planBlockText(whole ? planEntries(whole) : planEntriesOfTasks(tasks));
  const stage = Math.max(...tasks.map((t) => t.stage));
  const stageFiles = whole ? await earlierStageFiles(ws, whole, stage) : [];
  const earlier = stageFiles.length > 0 ? stageBlockText(stage, stageFiles) : undefined;
  const journal = await readJournal(ws.repoDir);
  // What earlier collects asked of these tasks' next requests: a cap on the request's size (an
  // invalid request being narrowed down) and a note to the model (an ambiguous answer).
  const followUps = taskFollowUps(journal);
  const pack = (some: readonly Task[]) =>
    packTasks(some, {
      // Thinking comes out of max_tokens: the files get the rest.
      maxTokens: Math.max(1, config.maxTokens - ws.thinking.reservedTokens),
      safetyMargin: config.packing.safetyMargin,
      estimate: (t) => estimateTaskTokens(t, config.packing),
      maxTasks: (t) => followUps.get(t.path)?.maxTasks,
    });
  const templates = await ws.templates();
  const existingPaths = new Set([...tasks].filter((t) => snapshot.paths.has(ws.repoPath(t.path))).map((t) => t.path));
  const ambiguousBefore = new Set(tasks.filter((t) => followUps.get(t.path)?.ambiguous).map((t) => t.path));
  const repairs = await repairInputs(ws, tasks, journal);
  const options: BuildOptions = {
    context: snapshot.context,
    templates,
    model: ws.model.id,
    maxTokens: config.maxTokens,
    ...(ws.thinking.param ? { thinking: ws.thinking.param } : {}),
    existingPaths,
    ambiguousBefore,
    ...(repairs.size > 0 ? { repairs } : {}),
    plan,
    ...(earlier ? { earlier } : {}),
  };
  const mode = snapshot.mode ?? 'full';
  const build = (some: readonly Task[]): { packed: PackedRequest[]; requests: BatchRequest[]; contexts: RequestContext[] } => {
    if (mode === 'map' && snapshot.files && snapshot.map) {
      return planMapRequests({
        tasks: some,
        files: snapshot.files,
        map: snapshot.map,
        repoPath: (p) => ws.repoPath(p),
        pack,
        requestText: (p) => requestText(p.tasks, templates, existingPaths, ambiguousBefore, repairs),
        build: (p, prefix) => buildRequest(p, { ...options, prefix }),
        system: templates.system,
        ...(earlier ? { earlier: { text: earlier, paths: new Set(stageFiles.map((f) => f.path)) } } : {}),
        plan,
        window: ws.model.contextWindow,
        maxTokens: config.maxTokens,
        ...(config.context.groupBudgetTokens !== undefined ? { budget: config.context.groupBudgetTokens } : {}),
      });
    }
    const packed = pack(some);
    const inFull = [...snapshot.paths].sort(comparePaths);
    return {
      packed,
      requests: packed.map((p) => buildRequest(p, options)),
      contexts: packed.map((p) => ({ customId: p.customId, mode: 'full', inFull, codebase: inFull })),
    };
  };
  // Tasks under repair go out in batches of their own (purpose `repair`), so their spend is counted apart.
  const purposes = [
    { purpose: 'tasks' as const, tasks: tasks.filter((t) => !repairs.has(t.path)) },
    { purpose: 'repair' as const, tasks: tasks.filter((t) => repairs.has(t.path)) },
  ].filter((p) => p.tasks.length > 0);
  const built = purposes.map((p) => ({ purpose: p.purpose, ...build(p.tasks) }));
  // The fit check, per request, before anything is sent: input + max_tokens within the window.
  for (const b of built) {
    const over = worstOverflow(b.requests, ws.model.contextWindow);
    if (!over) continue;
    const expectedOutput = b.packed.find((p) => p.customId === over.customId)?.expectedOutputTokens ?? 0;
    throw fitError(over, { modelId: ws.model.id, window: ws.model.contextWindow, mode, setting: config.context.mode, expectedOutput });
  }
  return built.flatMap(({ purpose, packed, requests, contexts }) => {
    const byId = new Map(packed.map((p, i) => [p.customId, { packed: p, context: contexts[i]! }]));
    return splitIntoBatches(requests, config.batch).map((chunk) => {
      const chunkPacked = chunk.map((r) => byId.get(r.custom_id)!.packed);
      const cache = batchCacheState(ws, chunk, snapshot.context.sha256, journal);
      const chunkContexts = chunk.map((r) => byId.get(r.custom_id)!.context);
      return {
        requests: chunk,
        packed: chunkPacked,
        cache,
        contexts: chunkContexts,
        ...batchEstimate(ws, chunk, chunkPacked, cache),
        purpose,
      };
    });
  });
}

/**
 * `cacheStateFor`, with the blocks after the codebase taken into account: `warm` (a warm-up of this
 * snapshot ended recently) becomes `warm-up` when that warm-up carried another prefix (an earlier
 * stage's, or an older plan) and the batch is big enough for one, so every stage's new prefix is
 * written once before its requests run. The warm-up is found in flight by the snapshot (run-effects).
 */
function batchCacheState(ws: Workspace, chunk: readonly BatchRequest[], contextSha: string, journal: JournalState): CacheState {
  const state = cacheStateFor(ws, chunk, contextSha, journal);
  if (state !== 'warm' || prefixWarmedUp(ws, chunk[0]!, contextSha, journal)) return state;
  return ws.config.cache.warmup && chunk.length >= ws.config.cache.warmupMinRequests ? 'warm-up' : 'warm';
}

/** `list`, else task-list.md; null when neither holds every task of `tasks`. */
async function planList(ws: Pick<Workspace, 'repoDir'>, tasks: readonly Task[], list?: TaskList): Promise<TaskList | null> {
  const whole = list ?? (await readTaskListFile(ws.repoDir).catch(() => null));
  if (!whole) return null;
  const paths = new Set(whole.tasks.map((t) => t.path));
  return tasks.every((t) => paths.has(t.path)) ? whole : null;
}

/**
 * The current content of the files the done tasks of stages before `stage` wrote, read from disk
 * now (a file that is not there is left out), checked for secrets like the codebase.
 */
async function earlierStageFiles(ws: Workspace, list: TaskList, stage: number): Promise<StageFile[]> {
  if (stage <= 1) return [];
  const files: StageFile[] = [];
  for (const t of list.tasks) {
    if (t.stage >= stage || t.status !== 'done') continue;
    const repoPath = ws.repoPath(t.path);
    const file = path.join(ws.repoDir, repoPath);
    if (!existsSync(file)) continue;
    const content = await readFile(file, 'utf8').catch(() => null); // a directory or an unreadable file: left out
    if (content !== null) files.push({ path: repoPath, content });
  }
  const findings = await findSecrets(files, { allow: ws.config.secrets.allow, env: ws.env });
  if (findings.length > 0) throw secretsError(findings, { source: 'the files of earlier stages' });
  return files;
}

/**
 * The tasks of `tasks` under repair (the last verification named them, they were not rewritten
 * since: repairsPending), each with its file as it is on disk now and its diagnostic lines, both
 * checked for secrets like everything else that is sent.
 */
async function repairInputs(ws: Workspace, tasks: readonly Task[], journal: JournalState): Promise<Map<string, RepairInput>> {
  const pending = repairsPending(journal);
  const out = new Map<string, RepairInput>();
  if (pending.size === 0) return out;
  const texts = [];
  for (const t of tasks) {
    const repoPath = ws.repoPath(t.path);
    const need = pending.get(t.path) ?? pending.get(repoPath);
    if (!need) continue;
    const file = path.join(ws.repoDir, repoPath);
    const content = existsSync(file) ? await readFile(file, 'utf8').catch(() => null) : null;
    if (content !== null) texts.push({ path: repoPath, content });
    texts.push({ path: `the diagnostics of ${repoPath}`, content: need.diagnostics.join('\n'), unlocated: true });
    out.set(t.path, { content, diagnostics: need.diagnostics });
  }
  const findings = await findSecrets(texts, { allow: ws.config.secrets.allow, env: ws.env });
  if (findings.length > 0) throw secretsError(findings, { source: 'the files under repair' });
  return out;
}

/** The estimate of one batch, and of its warm-up batch; `countedInput` from count_tokens when known. */
export function batchEstimate(
  ws: Pick<Workspace, 'config' | 'model'> & Partial<Pick<Workspace, 'thinking'>>,
  requests: readonly BatchRequest[],
  packed: readonly PackedRequest[],
  cache: CacheState,
  countedInput?: readonly number[],
): Pick<PlannedBatch, 'estimate' | 'warmup'> {
  const estimate = estimateRequests({
    requests,
    // A thinking budget is output too: count it as spent in full (the model may think less).
    expectedOutput: packed.map((p) => p.expectedOutputTokens + (ws.thinking?.reservedTokens ?? 0)),
    maxTokens: ws.config.maxTokens,
    model: ws.model,
    hitRate: ws.config.cache.expectedHitRate,
    // A warm-up of this batch wrote its whole prefix; one that ran for an earlier batch of the same
    // snapshot is known to have written the codebase only (the earlier stages' block and the plan may differ).
    warm: cache === 'warm-up' ? true : cache === 'warm' ? 1 : false,
    ...(countedInput ? { countedInput } : {}),
  });
  return { estimate, warmup: cache === 'warm-up' && requests[0] ? warmupEstimate(ws, requests[0]) : null };
}
