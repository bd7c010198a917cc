/**
 * `verify.repairWith: 'sync'` (issue 15 item 4): each file under repair is asked again with one
 * synchronous streaming call instead of a batch, through refine's machinery (streamWithRetry, the
 * budget check before every attempt, the splitter, the safe writer). The request is the batch
 * request of that one task: the same system prompt and cached prefix (codebase, then the plan),
 * then request.md with the file's repair note (its current content and diagnostic lines).
 *
 * One commit per repaired file, `harness: repair <path>` (the file, the journal, the task list with
 * the task `done`), each with its `Harness-Cost-USD` trailer. Every call is a journal `call` event
 * with purpose `repair` (counted apart in the cost report); it names the path only when the file was written, so a reply without the
 * file leaves the task under repair (repairsPending) and it is reported, not retried here.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { answerText, streamWithRetry } from '../batch/stream.js';
import { checkSyncBudget, syncCallCeiling } from '../cost/budget.js';
import { costUsd, formatUsd, usageFromApi, type Usage } from '../cost/usage.js';
import { planOutput, pricesOf } from '../models/models.js';
import { splitOutput } from '../output/split.js';
import { writeSafe } from '../output/write.js';
import { assertNoSecrets } from '../repo/secrets.js';
import { contextBlock, requestText } from '../requests/build.js';
import { planBlockText, planEntries } from '../requests/plan-block.js';
import { HarnessError } from '../shared/errors.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { appendJournal, JOURNAL_FILE, nowIso } from '../state/journal.js';
import { readTaskListFile, type TaskChange, writeTaskList, writeTaskListFile } from '../tasks/task-list.js';
import type { RepairNeed } from '../verify/repair-state.js';
import { REFUSAL } from './collect-fates.js';
import { assertTaskListClean } from './outgoing.js';
import { promptContext, takeSnapshot } from './snapshot.js';
import { fitSyncCall } from './sync-window.js';
import type { Workspace } from './workspace.js';

export interface RepairSyncResult {
  /** Task paths whose file was written and committed. */
  repaired: string[];
  costUsd: number;
}

export async function repairSync(ws: Workspace, needs: readonly RepairNeed[]): Promise<RepairSyncResult> {
  const result: RepairSyncResult = { repaired: [], costUsd: 0 };
  if (needs.length === 0) return result;
  planOutput(ws.model, ws.config.syncMaxTokens, 'sync', ws.configLabel); // sync calls: standard ceiling only
  const list = await readTaskListFile(ws.repoDir);
  const tasks = needs.map((need) => {
    const task = list.tasks.find((t) => t.path === need.path || ws.repoPath(t.path) === need.path);
    if (!task) throw new HarnessError('BAD_USAGE', `cannot repair ${need.path}: it is not in ${TASK_LIST_FILE}`);
    return { task, need };
  });
  await assertTaskListClean(ws, list.tasks); // the plan goes out with every call
  const secrets = { allow: ws.config.secrets.allow, env: ws.env };
  const currents = new Map<string, string | null>();
  for (const { task, need } of tasks) {
    const repoPath = ws.repoPath(task.path);
    const file = path.join(ws.repoDir, repoPath);
    const content = existsSync(file) ? await readFile(file, 'utf8').catch(() => null) : null;
    const texts = [{ path: `the diagnostics of ${repoPath}`, content: need.diagnostics.join('\n'), unlocated: true }];
    await assertNoSecrets(content === null ? texts : [{ path: repoPath, content }, ...texts], { ...secrets, source: 'the files under repair' });
    currents.set(task.path, content);
  }

  await ws.preflight();
  const snapshot = await takeSnapshot(ws, { reuse: true });
  const templates = await ws.templates();
  const plan = planBlockText(planEntries(list));
  const prices = pricesOf(ws.model, ws.configLabel);
  const client = {
    messages: { stream: (p: Parameters<ReturnType<Workspace['client']>['messages']['stream']>[0]) => ws.client().messages.stream(p) },
  };

  for (const { task, need } of tasks) {
    const target = task.path;
    const repoPath = ws.repoPath(target);
    const existing = new Set(snapshot.paths.has(repoPath) ? [target] : []);
    const text = requestText(
      [task],
      templates,
      existing,
      undefined,
      new Map([[target, { content: currents.get(target) ?? null, diagnostics: need.diagnostics }]]),
    );
    const params = {
      model: ws.model.id,
      max_tokens: ws.config.syncMaxTokens,
      system: templates.system,
      messages: [
        {
          role: 'user' as const,
          content: [
            contextBlock(promptContext(snapshot)),
            { type: 'text' as const, text: plan, cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } },
            { type: 'text' as const, text },
          ],
        },
      ],
    };
    fitSyncCall(ws, params, `the repair of ${repoPath}`);
    const ceiling = syncCallCeiling(ws.model, params, ws.configLabel);
    const journalCall = (usage: Usage, written: boolean) =>
      appendJournal(ws.repoDir, {
        type: 'call',
        purpose: 'repair',
        at: nowIso(),
        ...(written ? { path: target } : {}),
        context: snapshot.context.sha256,
        usage,
        costUsd: costUsd(usage, prices, 'sync'),
      });
    const message = await streamWithRetry(client, params, {
      what: `repairing ${target}`,
      sleep: ws.sleep,
      beforeAttempt: () => checkSyncBudget(ws, ceiling.usd, `repair of ${target}`),
      onBilledFailure: async (usage) => {
        result.costUsd += costUsd(usage, prices, 'sync');
        await journalCall(usage, false);
      },
      onRetry: (error, attempt, delayMs) =>
        ws.reporter.warn(
          `repairing ${target}: attempt ${attempt} failed (${error instanceof Error ? error.message : String(error)}); trying again in ${Math.round(delayMs / 1000)} s`,
        ),
    });
    const usage = usageFromApi(message.usage);
    const cost = costUsd(usage, prices, 'sync');
    result.costUsd += cost;
    const reply = answerText(message);
    const file = reply === null ? undefined : splitOutput(reply, [target]).files.find((f) => f.path === target);
    const written = file ? await writeSafe(ws.repoDir, ws.config.outputRoot, target, file.content) : null;
    await journalCall(usage, written?.ok === true);
    if (!written?.ok) {
      const why =
        reply === null
          ? REFUSAL
          : written && !written.ok
            ? `not written: ${written.reason}`
            : `no complete section (stop_reason ${message.stop_reason})`;
      await ws.git.commit([JOURNAL_FILE], `harness: repair ${target} (${why})`, { 'Harness-Cost-USD': formatUsd(cost) });
      ws.reporter.warn(`repair of ${target}: ${why}; it stays under repair`);
      continue;
    }
    const now = await readTaskListFile(ws.repoDir);
    const listText = writeTaskList(now, new Map<string, TaskChange>([[target, { status: 'done', reason: null }]]));
    if (listText !== now.source) await writeTaskListFile(ws.repoDir, listText);
    await ws.git.commit([written.repoRelPath, JOURNAL_FILE, TASK_LIST_FILE], `harness: repair ${target}`, { 'Harness-Cost-USD': formatUsd(cost) });
    result.repaired.push(target);
  }
  return result;
}
