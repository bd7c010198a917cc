/**
 * `harness refine PATH --message TEXT`: one synchronous streaming Messages call with the cached
 * codebase prefix + the current file + the instruction. The reply goes through the same splitter
 * and safe writer as batch output, then one commit `harness: refine <path>`. A stream that fails
 * part-way writes nothing; a transient failure is retried from scratch.
 *
 * Before anything is sent, the same guards as a batch: the file must be one the scan would put in
 * the context (not excluded by default, by `exclude`/`include`, `.gitignore` or `.harnessignore`,
 * not a symlink, not too large), the file and the message go through the secret check, the file
 * must have no uncommitted changes (`allowDirty` overrides: the edit is then overwritten and
 * committed with the refine), and the call's ceiling must fit the budget caps.
 */
import { readFile } from 'node:fs/promises';
import { answerText, streamWithRetry } from '../batch/stream.js';
import { checkSyncBudget, syncCallCeiling } from '../cost/budget.js';
import { costUsd, formatUsd, usageFromApi, type Usage } from '../cost/usage.js';
import { planOutput, pricesOf } from '../models/models.js';
import { splitOutput } from '../output/split.js';
import { writeSafe } from '../output/write.js';
import { scanOne, scanOptionsOf } from '../repo/scan.js';
import { assertNoSecrets } from '../repo/secrets.js';
import { contextBlock } from '../requests/build.js';
import { fillTemplate } from '../requests/templates.js';
import { codeSpan } from '../tasks/render-task-list.js';
import { HarnessError } from '../shared/errors.js';
import { unsafePathReason } from '../shared/paths.js';
import { appendJournal, JOURNAL_FILE, nowIso } from '../state/journal.js';
import { readTaskListFile } from '../tasks/task-list.js';
import { REFUSAL } from './collect-fates.js';
import { promptContext, takeSnapshot } from './snapshot.js';
import { fitSyncCall } from './sync-window.js';
import type { Workspace } from './workspace.js';

export interface RefineResult {
  path: string;
  outputTokens: number;
  costUsd: number;
}

export interface RefineOptions {
  path: string;
  message: string;
  force: boolean;
  /** Overwrite the file even when it has uncommitted changes (they go into the refine commit). */
  allowDirty?: boolean;
  onText?: (delta: string) => void;
}

export async function refineFile(ws: Workspace, options: RefineOptions): Promise<RefineResult> {
  const target = options.path.replace(/^\.\//, '');
  const unsafe = unsafePathReason(target);
  if (unsafe) throw new HarnessError('UNSAFE_PATH', `cannot refine ${JSON.stringify(options.path)}: ${unsafe}`);
  const list = await readTaskListFile(ws.repoDir);
  if (!options.force && !list.tasks.some((t) => t.path === target)) {
    throw new HarnessError('BAD_USAGE', `${target} is not in task-list.md`, { hint: 'pass --force to refine a file the harness did not generate' });
  }
  planOutput(ws.model, ws.config.syncMaxTokens, 'sync', ws.configLabel); // sync calls: standard ceiling only
  const repoRel = ws.repoPath(target);

  // The current file is sent only if the scan would send it with the codebase.
  const seen = await scanOne(ws.repoDir, repoRel, scanOptionsOf(ws.config));
  if ('reason' in seen) {
    throw new HarnessError('BAD_USAGE', `cannot refine ${repoRel}: it is left out of the codebase context (${seen.reason}), so it is never sent`, {
      file: repoRel,
      hint: 'refine only files the harness may send; if this one may be sent, change the rule that leaves it out',
    });
  }
  const current = 'file' in seen ? seen.file.content : null;

  if (!options.allowDirty) {
    const dirty = await ws.git.dirtyPaths([repoRel]);
    if (dirty.length > 0) {
      throw new HarnessError('DIRTY_REPO', `uncommitted changes in the file refine would write: ${dirty.join(', ')}`, {
        hint: 'commit or stash them first, or pass --allow-dirty to let refine overwrite them (they are then part of the refine commit)',
      });
    }
  }

  const secrets = { allow: ws.config.secrets.allow, env: ws.env };
  await assertNoSecrets([{ path: '--message', content: options.message, unlocated: true }], { ...secrets, source: 'the --message text' });
  if (current !== null) await assertNoSecrets([{ path: repoRel, content: current }], { ...secrets, source: repoRel });

  // The key and the API, before the snapshot is (re)built and before anything is paid for.
  await ws.preflight('sync'); // a synchronous call: batch support not needed
  const snapshot = await takeSnapshot(ws, { reuse: true });
  const templates = await ws.templates();
  const refineTemplate = await readFile(new URL('../../templates/refine.md', import.meta.url), 'utf8');
  const prompt = fillTemplate(
    refineTemplate,
    { file: codeSpan(target), message: options.message, current: current === null ? '(the file does not exist yet)' : fence(current) },
    'refine.md',
  );
  const params = {
    model: ws.model.id,
    max_tokens: ws.config.syncMaxTokens,
    system: fillTemplate(templates.system, {}, 'system.md'),
    messages: [
      {
        role: 'user' as const,
        content: [
          // The batches' block: an empty codebase gets the placeholder (the API refuses an empty text block).
          contextBlock(promptContext(snapshot)),
          { type: 'text' as const, text: prompt },
        ],
      },
    ],
  };
  fitSyncCall(ws, params, `refine of ${repoRel}`);
  const ceiling = syncCallCeiling(ws.model, params, ws.configLabel);
  const prices = pricesOf(ws.model, ws.configLabel);
  const journalCall = (usage: Usage) =>
    appendJournal(ws.repoDir, {
      type: 'call',
      purpose: 'refine',
      at: nowIso(),
      path: target,
      context: snapshot.context.sha256,
      usage,
      costUsd: costUsd(usage, prices, 'sync'),
    });

  let chars = 0;
  const client = { messages: { stream: (p: typeof params) => ws.client().messages.stream(p) } }; // created after the first budget check
  const message = await streamWithRetry(client, params, {
    what: `refining ${target}`,
    sleep: ws.sleep,
    // Every attempt is checked against the caps, with what the attempts before it may have cost.
    beforeAttempt: () => checkSyncBudget(ws, ceiling.usd, `refine of ${target}`),
    onText: (delta) => {
      chars += delta.length;
      options.onText?.(delta);
      ws.reporter.progress({
        batchId: 'refine',
        status: `streaming ${target}`,
        succeeded: 0,
        errored: 0,
        processing: 1,
        canceled: 0,
        expired: 0,
        elapsedMs: 0,
        etaMs: null,
      });
    },
    onBilledFailure: async (usage) => {
      chars = 0;
      await journalCall(usage);
    },
    onRetry: (error, attempt, delayMs) =>
      ws.reporter.warn(
        `refining ${target}: attempt ${attempt} failed (${error instanceof Error ? error.message : String(error)}); trying again in ${Math.round(delayMs / 1000)} s`,
      ),
  });
  ws.reporter.info(`received ${chars} characters`);
  const usage = usageFromApi(message.usage);
  const cost = costUsd(usage, prices, 'sync');
  await journalCall(usage);
  const text = answerText(message);
  if (text === null) {
    await ws.git.commit([JOURNAL_FILE], `harness: refine ${target} (no file: refusal)`, { 'Harness-Cost-USD': formatUsd(cost) });
    throw new HarnessError('API', `${REFUSAL} to refine ${target}; nothing written (the call is billed: $${formatUsd(cost)})`, {
      hint: 'reword --message, or edit the file by hand',
    });
  }
  const split = splitOutput(text, [target]);
  const file = split.files.find((f) => f.path === target);
  if (!file) {
    await ws.git.commit([JOURNAL_FILE], `harness: refine ${target} (no file: ${message.stop_reason})`, { 'Harness-Cost-USD': formatUsd(cost) });
    throw new HarnessError('API', `the reply had no complete section for ${target} (stop_reason ${message.stop_reason}); nothing written`, {
      hint:
        message.stop_reason === 'max_tokens'
          ? "raise syncMaxTokens in the config (up to the model's standard ceiling)"
          : 'try again with a clearer --message',
    });
  }
  const written = await writeSafe(ws.repoDir, ws.config.outputRoot, target, file.content);
  if (!written.ok) throw new HarnessError('UNSAFE_PATH', `not written: ${written.reason}`, { file: target });
  await ws.git.commit([written.repoRelPath, JOURNAL_FILE], `harness: refine ${target}`, { 'Harness-Cost-USD': formatUsd(cost) });
  return { path: target, outputTokens: usage.output_tokens, costUsd: cost };
}

function fence(content: string): string {
  let ticks = '```';
  while (content.includes(ticks)) ticks += '`';
  return `${ticks}\n${content}${content.endsWith('\n') ? '' : '\n'}${ticks}`;
}
