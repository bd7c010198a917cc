/**
 * The `llm` planner: one synchronous streaming Messages call. Its prefix is the batch requests'
 * prefix byte for byte (system.md + the codebase block with its 1h cache breakpoint), so the call
 * writes the cache the first batch then reads; planner.md (with the spec) comes after the
 * breakpoint and tells the model to reply with a task list instead of file sections.
 *
 * planner.md asks for descriptions a stranger could code against (each file's main exports with
 * their signatures, on one line) and for `## Stage N:` headings when the work has layers (models,
 * services, routes, tests: docs/task-list.md#stages). The reply is validated exactly like a
 * hand-written task-list.md (a stage heading going backwards included); an invalid plan is BAD_MODEL.
 *
 * Before the call, the spec goes through the secret check (the codebase and custom templates were
 * checked with the snapshot). A transient failure (an `overloaded_error` mid-stream, a 429/5xx that
 * outlasted the SDK's retries) is retried from scratch; attempts cut after the answer began are
 * counted in the usage returned, so the plan's cost includes them.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Sleep } from '../batch/retry.js';
import { answerText, streamWithRetry, type StreamClient, type StreamParams } from '../batch/stream.js';
import { syncCallCeiling } from '../cost/budget.js';
import { addUsage, usageFromApi, type Usage } from '../cost/usage.js';
import type { ModelInfo } from '../models/models.js';
import { assertNoSecrets } from '../repo/secrets.js';
import { contextBlock } from '../requests/build.js';
import { fillTemplate, type Templates } from '../requests/templates.js';
import { HarnessError, isHarnessError } from '../shared/errors.js';
import { parseTaskList } from '../tasks/task-list.js';
import { planFromTaskList, type Plan } from './index.js';

export type PlannerParams = StreamParams;

/** What the planner needs of the SDK client (an `Anthropic` instance is one). */
export type PlannerClient = StreamClient;

export interface PlanWithModelOptions {
  context: { text: string };
  spec: string;
  specFile: string;
  templates: Templates;
  model: string;
  maxTokens: number;
  /**
   * The secret check of the spec: config `secrets.allow` and the environment (for its API key).
   * Default: no allow entries (disable comments in the spec still work) and `process.env`.
   */
  secrets?: { allow: readonly string[]; env: NodeJS.ProcessEnv };
  /** Waits between attempts (tests); default real time. */
  sleep?: Sleep;
  /** Before every attempt (a budget check), the first included. */
  beforeAttempt?: (attempt: number) => Promise<void>;
}

const EDIT_HINT = 'run init again, or write task-list.md by hand (the format is in docs/task-list.md) and run `harness run`';

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

/** The most the planner call can cost (input estimate + max_tokens at standard prices), for the budget check before it. */
export function plannerCeilingUsd(model: ModelInfo, options: PlanWithModelOptions, source = 'config'): number {
  return syncCallCeiling(model, plannerParams(options), source).usd;
}

export async function planWithModel(client: PlannerClient, options: PlanWithModelOptions): Promise<{ plan: Plan; usage: Anthropic.Messages.Usage }> {
  await assertNoSecrets([{ path: options.specFile, content: options.spec }], {
    allow: options.secrets?.allow ?? [],
    env: options.secrets?.env ?? process.env,
    source: `the spec ${options.specFile}`,
  });
  const params = plannerParams(options);
  let failedUsage: Usage | null = null;
  const message = await streamWithRetry(client, params, {
    what: 'planning with the model',
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.beforeAttempt ? { beforeAttempt: options.beforeAttempt } : {}),
    onBilledFailure: (u) => {
      failedUsage = failedUsage ? addUsage(failedUsage, u) : u;
    },
  });
  const usage = failedUsage ? withExtraUsage(message.usage, failedUsage) : message.usage;
  const file = `${options.specFile} (planner reply)`;
  if (message.stop_reason === 'max_tokens') {
    throw new HarnessError('BAD_MODEL', `plan cut at max_tokens (${options.maxTokens}): the task list is incomplete`, {
      file,
      hint: "raise syncMaxTokens in the config (up to the model's standard output ceiling), or split the spec",
    });
  }
  const reply = answerText(message);
  if (reply === null) throw new HarnessError('BAD_MODEL', 'the model refused to plan this spec', { file, hint: EDIT_HINT });
  const { text, lineOffset } = extractTaskList(reply);
  let plan: Plan;
  try {
    plan = planFromTaskList(parseTaskList(text, file));
  } catch (error) {
    if (!isHarnessError(error)) throw error;
    const line = error.line === undefined ? undefined : error.line + lineOffset;
    const shown = line === undefined ? undefined : reply.split(/\r\n?|\n/)[line - 1];
    throw new HarnessError(
      'BAD_MODEL',
      `the model's plan is invalid: ${error.message}${shown === undefined ? '' : ` (${JSON.stringify(shown.slice(0, 200))})`}`,
      {
        file,
        ...(line === undefined ? {} : { line }),
        hint: `the plan must be a valid task list; ${EDIT_HINT}`,
        cause: error,
      },
    );
  }
  if (plan.groups.length === 0) {
    throw new HarnessError('BAD_MODEL', `the model's reply has no task lines (stop_reason ${message.stop_reason})`, {
      file,
      hint: `it should be lines like - [ ] \`src/a.ts\` — what it is; ${EDIT_HINT}`,
    });
  }
  return { plan, usage };
}

/** The API usage of the final attempt plus what earlier, cut attempts may have been billed. */
function withExtraUsage(final: Anthropic.Messages.Usage, extra: Usage): Anthropic.Messages.Usage {
  const f = usageFromApi(final);
  const sum = addUsage(f, extra);
  return {
    ...final,
    input_tokens: sum.input_tokens,
    output_tokens: sum.output_tokens,
    cache_creation_input_tokens: sum.cache_creation_input_tokens,
    cache_read_input_tokens: sum.cache_read_input_tokens,
    cache_creation: { ephemeral_5m_input_tokens: sum.cache_creation_5m_input_tokens, ephemeral_1h_input_tokens: sum.cache_creation_1h_input_tokens },
  };
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
