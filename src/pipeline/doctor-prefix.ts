/**
 * The prompt `harness doctor` counts: the first request of the pending tasks exactly as `run`
 * would send it (system prompt, codebase, earlier stages, plan, file list); with no task list or
 * nothing pending, the system prompt and the codebase block as every request carries them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { requestTokens } from '../cost/estimate.js';
import { contextBlock } from '../requests/build.js';
import { isHarnessError } from '../shared/errors.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { plural } from '../shared/plural.js';
import { busyPaths, readJournal } from '../state/journal.js';
import { readTaskListFile } from '../tasks/task-list.js';
import { planBatches } from './plan-requests.js';
import { takeSnapshot } from './snapshot.js';
import { pendingOfStage, stageState } from './stages.js';
import type { Workspace } from './workspace.js';

type CountParams = Anthropic.Messages.MessageCountTokensParams;

export interface DoctorPrefix {
  /** The codebase row's detail. */
  codebase: string;
  /** What was counted, for the count row. */
  what: string;
  countParams: CountParams;
  /** The harness's own token estimate of the same prompt. */
  localTokens: number;
  /** Why the pending tasks' requests could not be built (then the bare prefix is counted), or null. */
  planProblem: string | null;
}

/** Throws a HarnessError when the codebase cannot be sent at all (a secret, a context over the window). */
export async function doctorPrefix(ws: Workspace): Promise<DoctorPrefix> {
  const snapshot = await takeSnapshot(ws, { reuse: true });
  const c = snapshot.context;
  const codebase = `${plural(c.files, 'file')}, ${(c.bytes / 1024).toFixed(0)} KiB, ~${c.tokens} tokens (local estimate)`;
  let planProblem: string | null = null;
  if (existsSync(path.join(ws.repoDir, TASK_LIST_FILE))) {
    try {
      const list = await readTaskListFile(ws.repoDir);
      const busy = busyPaths(await readJournal(ws.repoDir));
      const pending = pendingOfStage(list, stageState(list)).filter((t) => !busy.has(t.path));
      const first = pending.length > 0 ? (await planBatches(ws, pending, snapshot))[0]?.requests[0] : undefined;
      if (first) {
        const { max_tokens: _max, ...params } = first.params;
        const n = first.custom_id;
        return {
          codebase,
          what: `the first request of the pending tasks (${n}) as \`run\` would send it`,
          countParams: params as unknown as CountParams,
          localTokens: total(first),
          planProblem,
        };
      }
    } catch (error) {
      if (!isHarnessError(error)) throw error;
      planProblem = error.message;
    }
  }
  const templates = await ws.templates();
  const params = {
    model: ws.model.id,
    system: templates.system,
    messages: [{ role: 'user' as const, content: [contextBlock(c), { type: 'text' as const, text: 'Reply with the word: ok' }] }],
  };
  return { codebase, what: 'the system prompt and the codebase (nothing pending)', countParams: params, localTokens: total({ params }), planProblem };
}

const total = (req: Parameters<typeof requestTokens>[0]): number => {
  const t = requestTokens(req);
  return t.cacheable + t.uncached;
};

/** The same prompt without cache breakpoints (a measuring call should not pay a cache write). */
export function plainParams(params: CountParams): Anthropic.Messages.MessageCreateParamsNonStreaming & { max_tokens: number } {
  const strip = (content: unknown): unknown =>
    Array.isArray(content)
      ? content.map((b: Record<string, unknown>) => Object.fromEntries(Object.entries(b).filter(([k]) => k !== 'cache_control')))
      : content;
  const system = typeof params.system === 'string' || params.system === undefined ? params.system : strip(params.system);
  return {
    ...(params as object),
    ...(system !== undefined ? { system } : {}),
    messages: params.messages.map((m) => ({ ...m, content: strip(m.content) })),
    max_tokens: 1,
  } as Anthropic.Messages.MessageCreateParamsNonStreaming & { max_tokens: number };
}
