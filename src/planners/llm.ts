/**
 * The `llm` planner: one synchronous streaming Messages call. Its prefix is the batch requests'
 * prefix byte for byte (system.md + the codebase block with its 1h cache breakpoint), so the call
 * writes the cache the first batch then reads; planner.md (with the spec) comes after the
 * breakpoint and tells the model to reply with a task list instead of file sections.
 *
 * The reply is validated exactly like a hand-written task-list.md; an invalid plan is BAD_MODEL.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { apiError } from '../batch/retry.js';
import { contextBlock } from '../requests/build.js';
import { fillTemplate, type Templates } from '../requests/templates.js';
import { HarnessError, isHarnessError } from '../shared/errors.js';
import { parseTaskList } from '../tasks/taskList.js';
import { planFromTaskList, type Plan } from './index.js';

export type PlannerParams = Anthropic.Messages.MessageStreamParams;

/** What the planner needs of the SDK client (an `Anthropic` instance is one). */
export interface PlannerClient {
  messages: {
    stream(params: PlannerParams): { finalMessage(): Promise<Anthropic.Messages.Message> };
  };
}

export interface PlanWithModelOptions {
  context: { text: string };
  spec: string;
  specFile: string;
  templates: Templates;
  model: string;
  maxTokens: number;
}

const EDIT_HINT = 'run init again, or write task-list.md by hand (the format is in the README) and run `harness run`';

/** The planner call's params: system.md, the cached codebase block, then planner.md with the spec. */
export function plannerParams(options: PlanWithModelOptions): PlannerParams {
  const prompt = fillTemplate(options.templates.planner, { spec: options.spec, specFile: options.specFile }, 'planner.md');
  return {
    model: options.model,
    max_tokens: options.maxTokens,
    system: options.templates.system,
    messages: [{ role: 'user', content: [contextBlock(options.context), { type: 'text', text: prompt }] }],
  };
}

export async function planWithModel(
  client: PlannerClient,
  options: PlanWithModelOptions,
): Promise<{ plan: Plan; usage: Anthropic.Messages.Usage }> {
  const params = plannerParams(options);
  let message: Anthropic.Messages.Message;
  try {
    message = await client.messages.stream(params).finalMessage();
  } catch (error) {
    throw apiError('planning with the model', error);
  }
  const file = `${options.specFile} (planner reply)`;
  if (message.stop_reason === 'max_tokens') {
    throw new HarnessError('BAD_MODEL', `plan cut at max_tokens (${options.maxTokens}): the task list is incomplete`, {
      file,
      hint: "raise syncMaxTokens in the config (up to the model's standard output ceiling), or split the spec",
    });
  }
  if (message.stop_reason === 'refusal') {
    throw new HarnessError('BAD_MODEL', 'the model refused to plan this spec', { file, hint: EDIT_HINT });
  }
  const reply = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  const { text, lineOffset } = extractTaskList(reply);
  let plan: Plan;
  try {
    plan = planFromTaskList(parseTaskList(text, file));
  } catch (error) {
    if (!isHarnessError(error)) throw error;
    const line = error.line === undefined ? undefined : error.line + lineOffset;
    const shown = line === undefined ? undefined : reply.split(/\r\n?|\n/)[line - 1];
    throw new HarnessError('BAD_MODEL', `the model's plan is invalid: ${error.message}${shown === undefined ? '' : ` (${JSON.stringify(shown.slice(0, 200))})`}`, {
      file,
      ...(line === undefined ? {} : { line }),
      hint: `the plan must be a valid task list; ${EDIT_HINT}`,
      cause: error,
    });
  }
  if (plan.groups.length === 0) {
    throw new HarnessError('BAD_MODEL', `the model's reply has no task lines (stop_reason ${message.stop_reason})`, {
      file,
      hint: `it should be lines like - [ ] \`src/a.ts\` — what it is; ${EDIT_HINT}`,
    });
  }
  return { plan, usage: message.usage };
}

/**
 * The task list inside a reply: the content of the first code fence that holds a task line (when
 * the list is fenced), else the reply from its first heading or task line on. `lineOffset` is the
 * number of reply lines before the returned text (to report lines of the whole reply).
 */
export function extractTaskList(reply: string): { text: string; lineOffset: number } {
  const lines = reply.split(/\r\n?|\n/);
  const isListLine = (l: string): boolean => /^ {0,3}(#{1,6}[ \t]|[-*+][ \t]+\[[ xX]\])/.test(l);
  const isTaskLine = (l: string): boolean => /^\s*[-*+][ \t]+\[[ xX]\]/.test(l);
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    let close = i + 1;
    while (close < lines.length && !new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`).test(lines[close]!)) close++;
    const inner = lines.slice(i + 1, close);
    if (inner.some(isTaskLine)) return { text: `${inner.join('\n')}\n`, lineOffset: i + 1 };
    i = close;
  }
  const start = lines.findIndex(isListLine);
  if (start === -1) return { text: reply, lineOffset: 0 };
  return { text: lines.slice(start).join('\n'), lineOffset: start };
}
