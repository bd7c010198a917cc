/**
 * Submit: for each planned batch, record the intent (custom_id → task paths, fingerprint) in the
 * journal, create the batch, record its id, mark the tasks submitted and commit
 * `harness: submit <id> (<n> tasks)`. A create that fails in a way that may still have created
 * the batch (connection reset, 5xx) looks for the orphan before trying again.
 */
import Anthropic from '@anthropic-ai/sdk';
import { checkBatchBudget } from '../cost/budget.js';
import { formatUsd } from '../cost/usage.js';
import { apiError, isTransient, withRetry } from '../batch/retry.js';
import type { BatchInfo } from '../batch/api.js';
import { requestFingerprint } from '../requests/build.js';
import { HarnessError } from '../shared/errors.js';
import { failpoint } from '../shared/failpoint.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import { appendJournal, JOURNAL_FILE, newIntentId, nowIso, type IntentEvent, type JournalState } from '../state/journal.js';
import { readTaskListFile, writeTaskList, writeTaskListFile, type TaskChange } from '../tasks/taskList.js';
import { findOrphan } from './orphans.js';
import type { PlannedBatch } from './plan-requests.js';
import { targetsAtSubmit } from './targets.js';
import type { Workspace } from './workspace.js';

export interface BudgetState {
  /** Estimated USD committed by this process so far. */
  runUsd: number;
  /** USD already spent (journal) plus estimates of batches still in flight. */
  committedUsd: number;
}

export function checkBudget(ws: Workspace, batch: PlannedBatch, budget: BudgetState): void {
  checkBatchBudget(ws, budget, batch.estimate, batch.requests.length);
}

export interface SubmitOptions {
  purpose?: 'tasks' | 'warmup';
  /** sha256 of the codebase context the requests carry. */
  context?: string;
}

export async function submitBatch(ws: Workspace, batch: Pick<PlannedBatch, 'requests' | 'packed' | 'estimate'>, journal: JournalState, options: SubmitOptions = {}): Promise<string> {
  const at = nowIso();
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
    purpose: options.purpose ?? 'tasks',
    ...(options.context ? { context: options.context } : {}),
    targets: await targetsAtSubmit(ws, batch.packed),
  };
  await appendJournal(ws.repoDir, intent);
  failpoint('submit:intent-recorded');
  const known = new Set(journal.batches.map((b) => b.batchId).filter((id): id is string => id !== null));
  const created = await createOrAdopt(ws, intent, batch, known);
  failpoint('submit:created');
  await appendJournal(ws.repoDir, { type: 'submitted', at: nowIso(), intentId: intent.intentId, batchId: created.batch.id, adopted: created.adopted });
  failpoint('submit:recorded');
  await markSubmitted(ws, intent, created.batch.id);
  failpoint('submit:marked');
  const n = intent.requests.reduce((s, r) => s + r.paths.length, 0);
  await ensureStateGitignore(ws.repoDir);
  await ws.git.commit([TASK_LIST_FILE, JOURNAL_FILE, STATE_GITIGNORE], `harness: submit ${created.batch.id} (${n} tasks)`);
  ws.reporter.info(
    `submitted ${created.batch.id}${created.adopted ? ' (adopted after a failed create)' : ''}: ${batch.requests.length} requests, ${n} tasks, estimate $${formatUsd(batch.estimate.usd)}`,
  );
  return created.batch.id;
}

async function createOrAdopt(
  ws: Workspace,
  intent: IntentEvent,
  batch: Pick<PlannedBatch, 'requests'>,
  known: ReadonlySet<string>,
): Promise<{ batch: BatchInfo; adopted: boolean }> {
  const api = ws.api();
  for (let attempt = 1; ; attempt++) {
    try {
      return { batch: await api.create(batch.requests, intent.betas), adopted: false };
    } catch (error) {
      if (error instanceof Anthropic.APIError && !isTransient(error)) {
        await appendJournal(ws.repoDir, { type: 'abandoned', at: nowIso(), intentId: intent.intentId, reason: apiError('create', error).message });
        throw apiError('creating the batch', error);
      }
      if (attempt >= 4) throw apiError('creating the batch', error);
      ws.reporter.warn(`create failed (${apiError('create', error).message}); checking whether the batch exists before retrying`);
      const orphan = await withRetry('listing batches', () => findOrphan(ws.api(), intent, known), { sleep: ws.sleep });
      if (orphan) return { batch: orphan, adopted: true };
      await ws.sleep(2_000 * 2 ** (attempt - 1));
    }
  }
}

/** Tasks of the intent → submitted in `batchId` (only those still unticked: the task list wins). */
export async function markSubmitted(ws: Workspace, intent: IntentEvent, batchId: string): Promise<void> {
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
