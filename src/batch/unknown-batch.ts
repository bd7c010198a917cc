/**
 * A batch the API says it does not know (`not_found_error`): created with another workspace's
 * key, against another ANTHROPIC_BASE_URL, or deleted or archived since. Every call about one batch
 * (retrieve, cancel, results) turns that answer into an error that says so and names the ways out,
 * instead of a bare `not_found_error` that leaves the repo stuck on the batch.
 */
import type { BatchApi } from './api.js';
import { HarnessError } from '../shared/errors.js';

const isNotFound = (error: unknown): boolean => (error as { status?: unknown } | null)?.status === 404;

/** The error for `id` after the API answered 404 to `what` (e.g. "retrieving"). */
function unknownBatchError(id: string, what: string, error: unknown): HarnessError {
  const body = (error as { error?: { error?: { type?: string; message?: string } } }).error?.error;
  const detail = body?.message ? ` (${body.type ?? 'not_found_error'}: ${body.message})` : '';
  return new HarnessError('API', `${what} batch ${id} failed: the API does not know this batch${detail}`, {
    cause: error,
    hint:
      'a batch is visible only to keys of the workspace that created it: is ANTHROPIC_API_KEY a key of another workspace, ' +
      'or ANTHROPIC_BASE_URL another server than the one the batch was sent to? Set them back and run again. ' +
      `If the batch is gone for good (deleted, archived, results past 29 days), give it up with \`harness cancel --forget ${id}\`: ` +
      'its tasks go back to pending and the harness never asks about it again',
  });
}

/** `api` with every per-batch call's 404 turned into `unknownBatchError`. */
export function withUnknownBatchHint(api: BatchApi): BatchApi {
  const guard =
    <A extends unknown[], T>(what: string, call: (id: string, ...rest: A) => Promise<T>) =>
    async (id: string, ...rest: A): Promise<T> => {
      try {
        return await call(id, ...rest);
      } catch (error) {
        throw isNotFound(error) ? unknownBatchError(id, what, error) : error;
      }
    };
  const wrapped: BatchApi = {
    create: (requests, betas) => api.create(requests, betas),
    list: (stop) => api.list(stop),
    retrieve: guard('retrieving', (id) => api.retrieve(id)),
    cancel: guard('canceling', (id) => api.cancel(id)),
    results: guard('downloading the results of', (id) => api.results(id)),
  };
  const bytes = (api as { resultsBytes?: (id: string, from: number) => Promise<unknown> }).resultsBytes;
  if (bytes) Object.assign(wrapped, { resultsBytes: guard('downloading the results of', (id, from: number) => bytes.call(api, id, from)) });
  return wrapped;
}
