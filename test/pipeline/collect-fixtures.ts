/** Tasks and result lines for the collect's unit tests, built in a line each. */
import type { BatchResultLine } from '../../src/batch/api.js';
import type { Task } from '../../src/tasks/task.js';

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
