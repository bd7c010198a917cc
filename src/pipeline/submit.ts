/**
 * Submit: for each planned batch, record the intent (custom_id → task paths, fingerprint, nonce) in
 * the journal, create the batch, record its id, mark the tasks submitted and commit
 * `harness: submit <id> (<n> tasks)`. Every custom_id of the batch ends in the intent's random
 * nonce (`<id>_<nonce>`), so a batch whose id was never recorded can be told apart from the
 * batches of other repos sharing the key (see orphans.ts). A create that fails in a way that may
 * still have created the batch (connection reset, 5xx) looks for it before trying again.
 */
import { plural } from '../shared/plural.js';
import { randomBytes } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { type BudgetState, checkBatchBudget, estimateRange } from '../cost/budget.js';
import { batchCost } from '../cost/estimate.js';
import { formatUsd } from '../cost/usage.js';
import { apiError, isTransient } from '../batch/retry.js';
import type { BatchInfo } from '../batch/api.js';
import { requestFingerprint, type BatchRequest } from '../requests/build.js';
import type { PackedRequest } from '../requests/pack.js';
import { failpoint } from '../shared/failpoint.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import { appendJournal, JOURNAL_FILE, newIntentId, nowIso, readJournal, type IntentEvent, type JournalState } from '../state/journal.js';
import { readTaskListFile, writeTaskList, writeTaskListFile, type TaskChange } from '../tasks/task-list.js';
import { type ResolveWorkspace, resolveIntent } from './orphans.js';
import type { PlannedBatch } from './plan-requests.js';
import { targetsAtSubmit } from './targets.js';
import type { Workspace } from './workspace.js';

export type { BudgetState } from '../cost/budget.js';

/** What a submit uses: the request's identity (model, betas), the API, git, the targets, the journal. */
export type SubmitWorkspace = ResolveWorkspace & Pick<Workspace, 'model' | 'betas' | 'git'> & { config: Pick<Workspace['config'], 'outputRoot'> };

export function checkBudget(ws: Pick<Workspace, 'repoDir' | 'config' | 'configLabel'>, batch: PlannedBatch, budget: BudgetState): void {
  checkBatchBudget(ws, budget, batchCost(batch), batch.requests.length);
}

export interface SubmitOptions {
  /** Default: the planned batch's own (`tasks`, or `repair`). */
  purpose?: 'tasks' | 'warmup' | 'repair';
  /** sha256 of the codebase context the requests carry. */
  context?: string;
}

export async function submitBatch(
  ws: SubmitWorkspace,
  planned: Pick<PlannedBatch, 'requests' | 'packed' | 'estimate' | 'purpose'>,
  journal: JournalState,
  options: SubmitOptions = {},
): Promise<string> {
  const at = nowIso();
  const nonce = newNonce();
  const batch = { ...planned, ...withNonce(planned.requests, planned.packed, nonce) };
  const fingerprint = requestFingerprint(batch.requests);
  const intent: IntentEvent = {
    type: 'intent',
    at,
    intentId: newIntentId(fingerprint, at),
    model: ws.model.id,
    betas: ws.betas,
    fingerprint,
    requests: batch.packed.map((p) => ({ customId: p.customId, paths: p.tasks.map((t) => t.path) })),
    estimateUsd: batch.estimate.usd,
    estimate: batch.estimate.usage,
    range: estimateRange(batch.estimate),
    purpose: options.purpose ?? planned.purpose ?? 'tasks',
    ...(options.context ? { context: options.context } : {}),
    targets: await targetsAtSubmit(ws, batch.packed),
    nonce,
  };
  await appendJournal(ws.repoDir, intent);
  failpoint('submit:intent-recorded');
  const known = new Set(journal.batches.map((b) => b.batchId).filter((id): id is string => id !== null));
  const created = await createOrAdopt(ws, intent, batch, known);
  failpoint('submit:created');
  if (!created.adopted) {
    // (An adopted batch was recorded when its results proved it this intent's.)
    await appendJournal(ws.repoDir, { type: 'submitted', at: nowIso(), intentId: intent.intentId, batchId: created.batch, adopted: false });
  }
  failpoint('submit:recorded');
  await markSubmitted(ws, intent, created.batch);
  failpoint('submit:marked');
  const n = intent.requests.reduce((s, r) => s + r.paths.length, 0);
  await ensureStateGitignore(ws.repoDir);
  await ws.git.commit([TASK_LIST_FILE, JOURNAL_FILE, STATE_GITIGNORE], `harness: submit ${created.batch} (${n} tasks)`, {
    [SUBMIT_TRAILER]: created.batch,
  });
  ws.reporter.info(
    `submitted ${created.batch}${created.adopted ? ' (adopted after a failed create)' : ''}: ${plural(batch.requests.length, 'request')}, ${plural(n, 'task')}, estimate $${formatUsd(batch.estimate.usd)} (range $${formatUsd(batch.estimate.usdLow)}–$${formatUsd(batch.estimate.usdHigh)})`,
  );
  return created.batch;
}

/** Trailer of every submit commit (`Harness-Submit: <batch>`), so a recovery can tell it was made. */
export const SUBMIT_TRAILER = 'Harness-Submit';

/** Length of the nonce in hex digits (48 random bits). */
const NONCE_HEX = 12;

export const newNonce = (): string => randomBytes(NONCE_HEX / 2).toString('hex');

/**
 * The requests with every custom_id ending in `_<nonce>` (still `^[a-zA-Z0-9_-]{1,64}$` and unique
 * in the batch: a base cut to make room that meets another gets a counter), and the packed
 * requests renamed alike, so the journal maps the ids exactly as sent.
 */
export function withNonce(
  requests: readonly BatchRequest[],
  packed: readonly PackedRequest[],
  nonce: string,
): { requests: BatchRequest[]; packed: PackedRequest[] } {
  const suffix = `_${nonce}`;
  const room = 64 - suffix.length;
  const used = new Set<string>();
  const renamed = new Map<string, string>();
  for (const r of requests) {
    const base = r.custom_id.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, room) || 'r';
    let id = base + suffix;
    for (let n = 2; used.has(id); n++) id = `${base.slice(0, room - `-${n}`.length)}-${n}${suffix}`;
    used.add(id);
    renamed.set(r.custom_id, id);
  }
  const rename = (id: string): string => {
    const to = renamed.get(id);
    if (to === undefined) throw new Error(`packed request ${id} has no batch request`);
    return to;
  };
  return {
    requests: requests.map((r) => ({ ...r, custom_id: rename(r.custom_id) })),
    packed: packed.map((p) => ({ ...p, customId: rename(p.customId) })),
  };
}

/**
 * Creates the batch. A create that fails in a way that may still have created it (a lost response)
 * looks for batches that may be it before trying again: if some are listed, it waits until they
 * have ended and adopts the one whose results carry this intent's custom_ids (never creating a
 * second one meanwhile); if none is, or none is this intent's, it creates again.
 */
async function createOrAdopt(
  ws: ResolveWorkspace,
  intent: IntentEvent,
  batch: Pick<PlannedBatch, 'requests'>,
  known: ReadonlySet<string>,
): Promise<{ batch: string; adopted: boolean }> {
  const api = ws.api();
  for (let attempt = 1; ; attempt++) {
    try {
      const created: BatchInfo = await api.create(batch.requests, intent.betas);
      return { batch: created.id, adopted: false };
    } catch (error) {
      if (error instanceof Anthropic.APIError && !isTransient(error)) {
        await appendJournal(ws.repoDir, { type: 'abandoned', at: nowIso(), intentId: intent.intentId, reason: apiError('create', error).message });
        throw apiError('creating the batch', error);
      }
      if (attempt >= 4) {
        throw apiError('creating the batch', error, {
          hint: "the batch may have been created all the same: the next `harness run` looks for it and adopts it only if it is this repo's (never submitting the same tasks twice)",
        });
      }
      ws.reporter.warn(`create failed (${apiError('create', error).message}); checking whether the batch exists before retrying`);
      const record = (await readJournal(ws.repoDir)).batches.find((b) => b.intent.intentId === intent.intentId)!;
      const resolution = await resolveIntent(ws, record, { known, search: true, wait: true, abandon: false });
      if (resolution.state === 'adopted') return { batch: resolution.batchId, adopted: true };
      await ws.sleep(2_000 * 2 ** (attempt - 1));
    }
  }
}

/** Tasks of the intent → submitted in `batchId` (only those still unticked: the task list wins). */
export async function markSubmitted(ws: Pick<Workspace, 'repoDir'>, intent: IntentEvent, batchId: string): Promise<void> {
  const list = await readTaskListFile(ws.repoDir);
  const byPath = new Map(list.tasks.map((t) => [t.path, t]));
  const changes = new Map<string, TaskChange>();
  for (const r of intent.requests) {
    for (const p of r.paths) {
      const t = byPath.get(p);
      if (t && !t.checked && (t.status !== 'submitted' || t.batch !== batchId)) {
        changes.set(p, { status: 'submitted', batch: batchId, reason: null });
      }
    }
  }
  if (changes.size > 0) await writeTaskListFile(ws.repoDir, writeTaskList(list, changes));
}
