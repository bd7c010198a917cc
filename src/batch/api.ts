/**
 * The Batches port and its one adapter over the official SDK (beta namespace, so the 300K
 * beta travels as the batch-level `anthropic-beta` header). The same code path talks to the real
 * API and to the emulator: only ANTHROPIC_BASE_URL differs.
 */
import Anthropic from '@anthropic-ai/sdk';
import type {
  BetaMessageBatch,
  BetaMessageBatchIndividualResponse,
} from '@anthropic-ai/sdk/resources/beta/messages/batches';
import type { BatchRequest } from '../requests/build.js';
import { HarnessError } from '../shared/errors.js';
import { jsonLines } from './jsonl.js';

export type BatchInfo = BetaMessageBatch;
export type BatchResultLine = BetaMessageBatchIndividualResponse;

export interface BatchApi {
  create(requests: readonly BatchRequest[], betas: readonly string[]): Promise<BatchInfo>;
  retrieve(id: string): Promise<BatchInfo>;
  /** Newest first, as the API lists them; stops when `stop(batch)` says so. */
  list(stop?: (batch: BatchInfo) => boolean): AsyncIterable<BatchInfo>;
  cancel(id: string): Promise<BatchInfo>;
  /** Streams the results JSONL line by line (never the whole file in memory). */
  results(id: string): Promise<AsyncIterable<BatchResultLine>>;
}

export interface ClientOptions {
  /** Retries inside the SDK per call (429, 5xx, connection errors), honouring retry-after. */
  maxRetries?: number;
  env?: NodeJS.ProcessEnv;
}

/** An SDK client from the environment; a missing key is a clear error, never a print of it. */
export function createClient(options: ClientOptions = {}): Anthropic {
  const env = options.env ?? process.env;
  const apiKey = env.ANTHROPIC_API_KEY;
  if (!apiKey) {
    throw new HarnessError('BAD_USAGE', 'ANTHROPIC_API_KEY is not set', {
      hint: 'export ANTHROPIC_API_KEY=… (or run against the emulator: ANTHROPIC_BASE_URL=http://127.0.0.1:PORT with any key)',
    });
  }
  return new Anthropic({
    apiKey,
    baseURL: env.ANTHROPIC_BASE_URL || undefined,
    maxRetries: options.maxRetries ?? 4,
  });
}

export function sdkBatchApi(client: Anthropic, betas: readonly string[] = []): BatchApi {
  const batches = client.beta.messages.batches;
  const b = betas.length > 0 ? { betas: [...betas] } : {};
  return {
    // No SDK retries on create: a retry after a lost response would create (and bill) a second
    // batch. The caller retries itself, after looking for the batch the lost response created.
    create: (requests, createBetas) =>
      batches.create(
        {
          requests: requests as unknown as Anthropic.Beta.Messages.BatchCreateParams['requests'],
          ...(createBetas.length > 0 ? { betas: [...createBetas] } : {}),
        },
        { maxRetries: 0 },
      ),
    retrieve: (id) => batches.retrieve(id, b),
    async *list(stop) {
      for await (const batch of batches.list({ limit: 100, ...b })) {
        if (stop?.(batch)) return;
        yield batch;
      }
    },
    cancel: (id) => batches.cancel(id, b),
    // The SDK's own results() decodes JSONL in quadratic time: fetch results_url (absolute, as the
    // API gives it: never rebuilt) through the same client, headers and retries, and decode it here.
    async results(id) {
      const batch = await batches.retrieve(id, b);
      if (!batch.results_url) throw new HarnessError('API', `batch ${id} has no results yet (${batch.processing_status})`);
      const response = await client
        .get(batch.results_url, {
          headers: { Accept: 'application/binary', ...(betas.length > 0 ? { 'anthropic-beta': betas.join(',') } : {}) },
          __binaryResponse: true,
        })
        .asResponse();
      if (!response.body) throw new HarnessError('API', `the results of ${id} came without a body`);
      return jsonLines<BatchResultLine>(response.body as unknown as AsyncIterable<Uint8Array>);
    },
  };
}
