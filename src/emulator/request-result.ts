/** The result of one batch request at its scheduled time: its fault if it has one, else the responder's answer. */
import { ApiError } from './api-errors.js';
import type { PromptCache } from './cache.js';
import { cacheHits } from './cache-hit-rate.js';
import type { AssignedFault } from './faults.js';
import { answer, type Usage } from './message.js';
import type { StoredRequest } from './store.js';
import type { EmulatedModels } from './model-facts.js';
import type { Responder } from './types.js';
import { validateParams } from './validate.js';

type RequestResult = { type: 'succeeded'; message: unknown } | { type: 'errored'; error: unknown } | { type: 'canceled' } | { type: 'expired' };

interface RequestResultDeps {
  models: EmulatedModels;
  /** Share of requests whose cache read hits (cache-hit-rate.ts). */
  cacheHitRate: number;
  /** The batch's `anthropic-beta` header. */
  betas: readonly string[];
  responder: Responder;
  cache: PromptCache;
  onUsage: (usage: Usage) => void;
}

const ERROR_MESSAGES: Record<NonNullable<AssignedFault['errorType']>, string> = {
  overloaded_error: 'Overloaded',
  api_error: 'Internal server error',
  invalid_request_error: 'Invalid request (emulated fault)',
};

/** What the results file says of `req`: an injected fault, its params refused (as the API refuses them), or the answer (its usage reported). */
export async function requestResult(req: StoredRequest, deps: RequestResultDeps): Promise<RequestResult> {
  const errored = (type: NonNullable<AssignedFault['errorType']>, message: string) => ({
    type: 'errored' as const,
    error: { type: 'error', error: { type, message }, request_id: null },
  });
  const fault = req.fault;
  if (fault?.kind === 'errored') {
    const type = fault.errorType ?? 'overloaded_error';
    return errored(type, ERROR_MESSAGES[type]);
  }
  if (fault?.kind === 'expired') return { type: 'expired' };
  if (fault?.kind === 'canceled') return { type: 'canceled' };
  let valid: ReturnType<typeof validateParams>;
  try {
    // Params are validated now, not at create: a bad request is an errored result with the API's message
    // (invalid_request_error; not_found_error for a retired model, e.g. one retired while the batch waited).
    valid = validateParams(req.params, { mode: 'batch', betas: deps.betas, models: deps.models });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { type: 'errored', error: { type: 'error', error: { type: error.type, message: error.message }, request_id: null } };
  }
  const { params, model } = valid;
  try {
    const message = await answer({
      params,
      model,
      customId: req.custom_id,
      mode: 'batch',
      responder: deps.responder,
      cache: deps.cache,
      now: req.at,
      ...(req.cacheReadyAt !== undefined ? { cacheReadyAt: req.cacheReadyAt } : {}),
      ...(fault?.kind === 'truncate' ? { truncateAt: fault.maxTokens ?? ('half' as const) } : {}),
      ...(fault?.kind === 'refusal' ? { refuse: true } : {}),
      ...(cacheHits(deps.cacheHitRate, req.custom_id) ? {} : { cacheMiss: true }),
    });
    deps.onUsage(message.usage);
    return { type: 'succeeded', message };
  } catch (error) {
    // A prompt over the model's window: the request is refused as the API refuses it (an errored result).
    if (error instanceof ApiError && error.type === 'invalid_request_error') return errored('invalid_request_error', error.message);
    return errored('api_error', `the emulator's responder failed: ${(error as Error).message}`);
  }
}
