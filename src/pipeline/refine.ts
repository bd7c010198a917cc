/**
 * `harness refine PATH --message TEXT`: one synchronous streaming Messages call with the cached
 * codebase prefix + the current file + the instruction. The reply goes through the same splitter
 * and safe writer as batch output, then one commit `harness: refine <path>`. A stream that fails
 * part-way writes nothing.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { apiError } from '../batch/retry.js';
import { costUsd, formatUsd, usageFromApi } from '../cost/usage.js';
import { planOutput, pricesOf } from '../models/models.js';
import { splitOutput } from '../output/split.js';
import { writeSafe } from '../output/write.js';
import { fillTemplate } from '../requests/templates.js';
import { codeSpan } from '../tasks/render.js';
import { HarnessError } from '../shared/errors.js';
import { unsafePathReason } from '../shared/paths.js';
import { appendJournal, JOURNAL_FILE, nowIso } from '../state/journal.js';
import { readTaskListFile } from '../tasks/taskList.js';
import { takeSnapshot } from './snapshot.js';
import type { Workspace } from './workspace.js';

export interface RefineResult {
  path: string;
  outputTokens: number;
  costUsd: number;
}

export async function refineFile(
  ws: Workspace,
  options: { path: string; message: string; force: boolean; onText?: (delta: string) => void },
): Promise<RefineResult> {
  const target = options.path.replace(/^\.\//, '');
  const unsafe = unsafePathReason(target);
  if (unsafe) throw new HarnessError('UNSAFE_PATH', `cannot refine ${JSON.stringify(options.path)}: ${unsafe}`);
  const list = await readTaskListFile(ws.repoDir);
  if (!options.force && !list.tasks.some((t) => t.path === target)) {
    throw new HarnessError('BAD_USAGE', `${target} is not in task-list.md`, { hint: 'pass --force to refine a file the harness did not generate' });
  }
  planOutput(ws.model, ws.config.syncMaxTokens, 'sync', ws.configLabel); // sync calls: standard ceiling only
  const abs = path.join(ws.repoDir, ws.repoPath(target));
  const current = existsSync(abs) ? await readFile(abs, 'utf8') : null;
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
          { type: 'text' as const, text: snapshot.context.text, cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } },
          { type: 'text' as const, text: prompt },
        ],
      },
    ],
  };
  let message;
  try {
    const stream = ws.client().messages.stream(params);
    let chars = 0;
    stream.on('text', (delta) => {
      chars += delta.length;
      options.onText?.(delta);
      ws.reporter.progress({ batchId: 'refine', status: `streaming ${target}`, succeeded: 0, errored: 0, processing: 1, canceled: 0, expired: 0, elapsedMs: 0, etaMs: null });
    });
    message = await stream.finalMessage();
    ws.reporter.info(`received ${chars} characters`);
  } catch (error) {
    throw apiError(`refining ${target}`, error);
  }
  const usage = usageFromApi(message.usage);
  const cost = costUsd(usage, pricesOf(ws.model, ws.configLabel), 'sync');
  await appendJournal(ws.repoDir, { type: 'call', purpose: 'refine', at: nowIso(), path: target, context: snapshot.context.sha256, usage, costUsd: cost });
  const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  const split = splitOutput(text, [target]);
  const file = split.files.find((f) => f.path === target);
  if (!file) {
    await ws.git.commit([JOURNAL_FILE], `harness: refine ${target} (no file: ${message.stop_reason})`, { 'Harness-Cost-USD': formatUsd(cost) });
    throw new HarnessError('API', `the reply had no complete section for ${target} (stop_reason ${message.stop_reason}); nothing written`, {
      hint: message.stop_reason === 'max_tokens' ? 'raise syncMaxTokens in the config (up to the model\'s standard ceiling)' : 'try again with a clearer --message',
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
