/** node:http helpers: bodies with a size cap, JSON and error responses. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errorBody } from './api-errors.js';

/**
 * The whole body, or a 413 request_too_large once it passes `limit` bytes (the rest is read and
 * dropped, so the client gets the answer instead of a broken pipe).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = Number.isFinite(declared) && declared > limit;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  if (tooLarge) {
    throw new ApiError(413, `Request exceeds the maximum allowed number of bytes (${limit}).`);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** Drops the rest of a body we do not need. */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  for await (const _ of req as AsyncIterable<Buffer>) {
    // discard
  }
}

export function parseJsonBody(buf: Buffer): unknown {
  if (buf.length === 0) throw new ApiError(400, 'body: a JSON request body is required');
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (error) {
    throw new ApiError(400, `body: invalid JSON (${(error as Error).message})`);
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendError(res: ServerResponse, error: ApiError, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(error.type, error.message, requestId);
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...error.headers,
  });
  res.end(body);
}
