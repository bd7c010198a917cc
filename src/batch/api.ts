/**
 * The Batches port and its one adapter over the official SDK (beta namespace, so the 300K
 * beta travels as the batch-level `anthropic-beta` header). The same code path talks to the real
 * API and to the emulator: only ANTHROPIC_BASE_URL differs.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { BetaMessageBatch, BetaMessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/beta/messages/batches';
import type { BatchRequest } from '../requests/build.js';
import { HarnessError } from '../shared/errors.js';
import { jsonLines } from './jsonl.js';
import { rememberBaseUrl } from './network.js';

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
  /**
   * The raw bytes of the results from byte `from` on (an HTTP Range request when `from` > 0), for
   * a download that can resume. A server that ignores the range answers from byte 0: `start`
   * says where the body begins. Optional: a port without it is read through `results()`.
   */
  resultsBytes?(id: string, from: number): Promise<ResultsBytes>;
}

export interface ResultsBytes {
  /** Offset in the results file of the body's first byte. */
  start: number;
  /** Size of the whole results file, when the server said it. */
  total: number | null;
  body: AsyncIterable<Uint8Array>;
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
  const client = new Anthropic({
    apiKey,
    baseURL: env.ANTHROPIC_BASE_URL || undefined,
    maxRetries: options.maxRetries ?? 4,
  });
  rememberBaseUrl(client.baseURL);
  return client;
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
      const { body } = await resultsBytes(id, 0);
      return jsonLines<BatchResultLine>(body);
    },
    resultsBytes,
  };

  async function resultsBytes(id: string, from: number): Promise<ResultsBytes> {
    const batch = await batches.retrieve(id, b);
    if (!batch.results_url) throw new HarnessError('API', `batch ${id} has no results yet (${batch.processing_status})`);
    const headers: Record<string, string> = { Accept: 'application/binary' };
    if (betas.length > 0) headers['anthropic-beta'] = betas.join(',');
    if (from > 0) headers.Range = `bytes=${from}-`;
    let response: Response;
    try {
      // Upstream behaviour this relies on, checked with @anthropic-ai/sdk 1.13.0 (pinned with `~` in
      // package.json; test/canary/sdk-binary-response.test.ts fails when it changes): `client.get`
      // requests an absolute URL as given, with the client's key, retries and the headers passed;
      // `__binaryResponse: true`, an internal request option (the one the SDK's own
      // `batches.results()` passes), makes the SDK hand back the fetch Response with its body unread
      // and streaming, which `.asResponse()` returns; an error status (416) is thrown as
      // Anthropic.APIError carrying the response headers.
      response = await client.get(batch.results_url, { headers, __binaryResponse: true }).asResponse();
    } catch (error) {
      // Nothing left past `from`: the file is already whole.
      if (error instanceof Anthropic.APIError && error.status === 416) {
        const total = sizeFromContentRange(error.headers?.get('content-range') ?? null);
        return { start: from, total: total ?? from, body: emptyBody() };
      }
      throw error;
    }
    if (!response.body) throw new HarnessError('API', `the results of ${id} came without a body`);
    const body = response.body as unknown as AsyncIterable<Uint8Array>;
    if (response.status === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (range) return { start: Number(range[1]), total: range[2] === '*' ? null : Number(range[2]), body };
    }
    const length = response.headers.get('content-length');
    return { start: 0, total: length !== null && /^\d+$/.test(length) ? Number(length) : null, body };
  }
}

function sizeFromContentRange(value: string | null): number | null {
  const m = /\/(\d+)$/.exec(value ?? '');
  return m ? Number(m[1]) : null;
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {
  // no bytes
}
