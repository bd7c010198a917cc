/** The result of one batch request at its scheduled time: its fault if it has one, else the responder's answer. */
import { ApiError } from './api-errors.js';
import type { PromptCache } from './cache.js';
import type { AssignedFault } from './faults.js';
import { answer, type Usage } from './message.js';
import type { StoredRequest } from './store.js';
import { type EmulatedModels, findModel } from './model-facts.js';
import type { Responder } from './types.js';

type RequestResult = { type: 'succeeded'; message: unknown } | { type: 'errored'; error: unknown } | { type: 'canceled' } | { type: 'expired' };

interface RequestResultDeps {
  models: EmulatedModels;
  responder: Responder;
  cache: PromptCache;
  onUsage: (usage: Usage) => void;
}

const ERROR_MESSAGES: Record<NonNullable<AssignedFault['errorType']>, string> = {
  overloaded_error: 'Overloaded',
  api_error: 'Internal server error',
  invalid_request_error: 'Invalid request (emulated fault)',
};

/** What the results file says of `req`: an injected fault, an unknown model, or the answer (its usage reported). */
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
  const model = findModel(req.params.model, deps.models);
  if (!model) return errored('invalid_request_error', `model: unknown model "${req.params.model}"`);
  // A model retired while the batch waited: the API answers such requests with not_found_error.
  if (model.lifecycle === 'retired')
    return { type: 'errored', error: { type: 'error', error: { type: 'not_found_error', message: `model: ${req.params.model}` }, request_id: null } };
  try {
    const message = await answer({
      params: req.params,
      model,
      customId: req.custom_id,
      mode: 'batch',
      responder: deps.responder,
      cache: deps.cache,
      now: req.at,
      ...(req.cacheReadyAt !== undefined ? { cacheReadyAt: req.cacheReadyAt } : {}),
      ...(fault?.kind === 'truncate' ? { truncateAt: fault.maxTokens ?? ('half' as const) } : {}),
    });
    deps.onUsage(message.usage);
    return { type: 'succeeded', message };
  } catch (error) {
    // A prompt over the model's window: the request is refused as the API refuses it (an errored result).
    if (error instanceof ApiError && error.type === 'invalid_request_error') return errored('invalid_request_error', error.message);
    return errored('api_error', `the emulator's responder failed: ${(error as Error).message}`);
  }
}
