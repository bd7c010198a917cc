/**
 * The window check of a synchronous call (refine, the llm planner, a sync repair), before it is
 * sent: input + `max_tokens` must fit the model's window as for every batch request
 * (docs/context.md). `max_tokens` is lowered to what the window leaves when the configured
 * `syncMaxTokens` does not fit beside the input, and the call is refused when too little is left.
 */
import { syncCallCeiling } from '../cost/budget.js';
import { fitSyncMaxTokens } from '../requests/fit.js';
import type { Workspace } from './workspace.js';

type SyncParams = Parameters<typeof syncCallCeiling>[1];

/** Sets `params.max_tokens` to what fits; `what` names the call in messages (`refine of src/a.ts`). */
export function fitSyncCall(ws: Pick<Workspace, 'model' | 'configLabel' | 'reporter'>, params: SyncParams, what: string): void {
  const { inputTokens } = syncCallCeiling(ws.model, params, ws.configLabel);
  const fit = fitSyncMaxTokens(inputTokens, params.max_tokens, ws.model.contextWindow, what, ws.model.id);
  if (fit.cut) {
    ws.reporter.info(
      `${what}: max_tokens ${fit.maxTokens} instead of ${params.max_tokens} (input ~${inputTokens} tokens and output share the ${ws.model.contextWindow}-token window)`,
    );
  }
  params.max_tokens = fit.maxTokens;
}
