/** Request and response helpers for node:http handlers: JSON bodies, params, errors, pagination. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, HttpError } from './errors.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** Reads and parses a JSON body (at most 1 MiB); an empty body is `undefined`. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) throw new HttpError(415, 'content-type must be application/json');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('the body is not valid JSON');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204).end();
}

/** Renders any error as JSON: HttpErrors with their status and details, others as a bare 500. */
export function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof HttpError) {
    sendJson(res, error.status, { error: error.message, ...error.details });
    return;
  }
  sendJson(res, 500, { error: 'internal error' });
}

/** Matches `/users/:id` style patterns against a pathname; returns the params or null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const got = pathname.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}

export interface Page {
  limit: number;
  offset: number;
}

/** `?limit=&offset=` with defaults and bounds; bad values are a 400. */
export function pageOf(url: URL, defaults: Page = { limit: 20, offset: 0 }): Page {
  const num = (name: string, fallback: number, max: number): number => {
    const raw = url.searchParams.get(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > max) throw badRequest(`${name} must be an integer between 0 and ${max}`);
    return n;
  };
  return { limit: num('limit', defaults.limit, 100), offset: num('offset', defaults.offset, Number.MAX_SAFE_INTEGER) };
}

/** Wraps a handler so that thrown errors become JSON error responses. */
export function handle(fn: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await fn(req, res, new URL(req.url ?? '/', 'http://localhost'));
    } catch (error) {
      sendError(res, error);
    }
  };
}
