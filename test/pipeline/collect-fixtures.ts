/** Tasks, result lines and a submitted batch for the collect's unit tests, built in a line each. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BatchResultLine } from '../../src/batch/api.js';
import type { Fate, FateContext } from '../../src/pipeline/collect-fates.js';
import type { TaskFollowUp } from '../../src/pipeline/task-history.js';
import type { JournalEventInput } from '../../src/state/journal.js';
import type { Task } from '../../src/tasks/task.js';
import { parseTaskList, writeTaskList } from '../../src/tasks/task-list.js';

/** The clock of the collect's unit tests. */
export const NOW = '2026-11-02T10:00:00.000Z';

/** A task of batch `b1`, submitted, no attempt used yet (override any field). */
export function task(path: string, fields: Partial<Task> = {}): Task {
  return {
    id: `t${path.length}`,
    status: 'submitted',
    attempts: 0,
    batch: 'b1',
    reason: null,
    path,
    description: `make ${path}`,
    group: 'G',
    stage: 1,
    checked: false,
    line: 1,
    ...fields,
  };
}

/** The generated content of `path` in these tests. */
export const generated = (path: string): string => `export const name = ${JSON.stringify(path)};\n`;

/** A complete section for `path`. */
export const section = (path: string, content = generated(path)): string => `<<<FILE ${path}>>>\n${content}<<<END ${path}>>>\n`;

export function succeeded(customId: string, text: string, stopReason = 'end_turn', outputTokens = 100): BatchResultLine {
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-test',
    content: [{ type: 'text', text, citations: null }],
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: 1_000, output_tokens: outputTokens, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  };
  return { custom_id: customId, result: { type: 'succeeded', message } } as unknown as BatchResultLine;
}

/** An errored result; `type` undefined: an error body without its `error` object. */
export function errored(customId: string, type: string | undefined, message = `${type} message`): BatchResultLine {
  const error = { type: 'error', ...(type === undefined ? {} : { error: { type, message } }) };
  return { custom_id: customId, result: { type: 'errored', error } } as unknown as BatchResultLine;
}

export const ended = (customId: string, type: 'canceled' | 'expired'): BatchResultLine => ({ custom_id: customId, result: { type } });

/** The context of batch b1's decisions: `tasks` in the list, `requests` by custom_id. */
export function context(
  tasks: Task[],
  requests: Record<string, string[]>,
  options: { attemptsCap?: number; history?: Record<string, TaskFollowUp> } = {},
): FateContext {
  return {
    batchId: 'b1',
    attemptsCap: options.attemptsCap ?? 3,
    requests: new Map(Object.entries(requests)),
    tasks: new Map(tasks.map((t) => [t.path, t])),
    history: new Map(Object.entries(options.history ?? {})),
  };
}

/** Pending in b1; with `attempts`, an answer was processed (an attempt used). */
export const pending = (path: string, attempts?: number): Fate =>
  attempts === undefined
    ? { path, change: { status: 'pending', batch: 'b1', reason: null } }
    : { path, change: { status: 'pending', attempts, batch: 'b1', reason: null } };
export const failed = (path: string, attempts: number, reason: string): Fate => ({
  path,
  change: { status: 'failed', attempts, batch: 'b1', reason },
});

/** task-list.md in `repo`: `paths` under `## G`, each submitted in batch b1. */
export async function writeSubmittedList(repo: string, paths: readonly string[]): Promise<void> {
  const list = parseTaskList(`# Tasks\n\n## G\n\n${paths.map((p) => `- [ ] \`${p}\` — make ${p}\n`).join('')}`);
  await writeFile(path.join(repo, 'task-list.md'), writeTaskList(list, new Map(paths.map((p) => [p, { status: 'submitted', batch: 'b1' }]))));
}

/** The journal of b1's submit: its intent (custom_id → task paths, and the targets' hashes if given), then the submit. */
export function submittedEvents(requests: Record<string, readonly string[]>, targets?: Record<string, string | null>): JournalEventInput[] {
  return [
    {
      type: 'intent',
      at: NOW,
      intentId: 'i1',
      model: 'm',
      betas: [],
      fingerprint: 'f',
      estimateUsd: 0,
      ...(targets ? { targets } : {}),
      requests: Object.entries(requests).map(([customId, p]) => ({ customId, paths: [...p] })),
    },
    { type: 'submitted', at: NOW, intentId: 'i1', batchId: 'b1' },
  ];
}
