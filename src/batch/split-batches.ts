/**
 * Requests into batches: the API takes at most 100,000 requests or 256 MB of request body per
 * batch (config `batch.maxRequests`, `batch.maxBytes`), so more work is split across batches.
 */
import type { BatchRequest } from '../requests/build.js';
import { HarnessError } from '../shared/errors.js';

/** Bytes of `{"requests":[...]}` with these requests, as the create call sends it. */
const ENVELOPE_BYTES = Buffer.byteLength('{"requests":[]}');

/**
 * Consecutive chunks of at most `maxRequests` requests and `maxBytes` bytes of create body
 * (`{"requests":[…]}` as JSON). A single request larger than `maxBytes` on its own is
 * HarnessError CONTEXT_TOO_LARGE naming its custom_id.
 */
export function splitIntoBatches(requests: readonly BatchRequest[], limits: { maxRequests: number; maxBytes: number }): BatchRequest[][] {
  const batches: BatchRequest[][] = [];
  let current: BatchRequest[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const request of requests) {
    const size = Buffer.byteLength(JSON.stringify(request));
    if (ENVELOPE_BYTES + size > limits.maxBytes) {
      throw new HarnessError(
        'CONTEXT_TOO_LARGE',
        `request ${request.custom_id} is ${size} bytes of JSON, more than a batch may hold (batch.maxBytes ${limits.maxBytes})`,
        { hint: 'shrink the codebase context (exclude globs, scan.maxFileBytes) or raise batch.maxBytes (at most 256 MB)' },
      );
    }
    const added = size + (current.length > 0 ? 1 : 0); // the comma
    if (current.length > 0 && (current.length >= limits.maxRequests || bytes + added > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    bytes += size + (current.length > 0 ? 1 : 0);
    current.push(request);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
