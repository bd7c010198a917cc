/** The endpoints: batches (create, list, retrieve, cancel, delete, results), messages, count_tokens, models. */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { EmulatedModels } from './model-facts.js';
import { inputTokens, type PromptCache } from './cache.js';
import { ApiError, invalid } from './api-errors.js';
import type { Faults } from './faults.js';
import { parseJsonBody, readBody, sendJson } from './http.js';
import type { Batches } from './lifecycle.js';
import { type ApiMessage, answer, type Usage } from './message.js';
import { listModels, retrieveModel } from './models-api.js';
import { streamMessage } from './sse.js';
import type { LogEntry, Responder } from './types.js';
import { parseBetas, validateParams } from './validate.js';

export interface RouteDeps {
  batches: Batches;
  cache: PromptCache;
  faults: Faults;
  responder: Responder;
  models: EmulatedModels;
  limits: { maxRequests: number; maxBatchBytes: number; maxMessageBytes: number };
  counters: { messages: number; countTokens: number; batchesCreated: number };
  onUsage: (usage: Usage) => void;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  requestId: string;
  /** Origin the client reached us at (for the absolute results_url). */
  origin: string;
  entry: LogEntry;
}

const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const BATCH_PATH = /^\/v1\/messages\/batches\/([^/]+)(\/cancel|\/results)?\/?$/;

type Handler = (ctx: RouteContext, deps: RouteDeps, id: string) => Promise<void>;

/** Finds the handler for a method and path; null for an unknown route. */
export function route(method: string, pathname: string): { handler: Handler; id: string } | null {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/v1/messages/batches') {
    if (method === 'POST') return { handler: createBatch, id: '' };
    if (method === 'GET') return { handler: listBatches, id: '' };
    return null;
  }
  if (p === '/v1/messages') return method === 'POST' ? { handler: createMessage, id: '' } : null;
  if (p === '/v1/messages/count_tokens') return method === 'POST' ? { handler: countTokens, id: '' } : null;
  if (p === '/v1/models') return method === 'GET' ? { handler: (ctx, deps) => sendModel(ctx, listModels(ctx.url, deps.models)), id: '' } : null;
  const model = /^\/v1\/models\/([^/]+)$/.exec(p);
  if (model)
    return method === 'GET'
      ? { handler: (ctx, deps, id) => sendModel(ctx, retrieveModel(id, deps.models)), id: decodeURIComponent(model[1]!) }
      : null;
  const m = BATCH_PATH.exec(pathname);
  if (!m) return null;
  const id = decodeURIComponent(m[1]!);
  if (m[2] === '/cancel') return method === 'POST' ? { handler: cancelBatch, id } : null;
  if (m[2] === '/results') return method === 'GET' ? { handler: batchResults, id } : null;
  if (method === 'GET') return { handler: retrieveBatch, id };
  if (method === 'DELETE') return { handler: deleteBatch, id };
  return null;
}

const sendModel = async (ctx: RouteContext, body: unknown) => sendJson(ctx.res, 200, body);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const createBatch: Handler = async (ctx, deps) => {
  const body = parseJsonBody(await readBody(ctx.req, deps.limits.maxBatchBytes));
  if (!isObject(body)) throw invalid('body: Input should be an object');
  const requests = body.requests;
  if (!Array.isArray(requests)) throw invalid('requests: Field required');
  if (requests.length === 0) throw invalid('requests: List should have at least 1 item after validation, not 0');
  if (requests.length > deps.limits.maxRequests) {
    throw invalid(`requests: a batch may contain at most ${deps.limits.maxRequests} requests, got ${requests.length}`);
  }
  const betas = parseBetas(ctx.req.headers['anthropic-beta']);
  const seen = new Set<string>();
  // Only the batch's shape is checked here; each request's params are validated when it is processed
  // and a bad one comes back as an errored result (request-result.ts), as the real API does.
  const valid: { custom_id: string; params: unknown }[] = [];
  requests.forEach((r, i) => {
    if (!isObject(r)) throw invalid(`requests.${i}: Input should be an object`);
    const cid = r.custom_id;
    if (typeof cid !== 'string') throw invalid(`requests.${i}.custom_id: Field required`);
    if (!CUSTOM_ID.test(cid)) throw invalid(`requests.${i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
    if (seen.has(cid)) throw invalid(`requests.${i}.custom_id: duplicate custom_id "${cid}": custom_id must be unique within a batch`);
    seen.add(cid);
    if (r.params === undefined) throw invalid(`requests.${i}.params: Field required`);
    if (!isObject(r.params)) throw invalid(`requests.${i}.params: Input should be a valid dictionary`);
    valid.push({ custom_id: cid, params: r.params });
  });
  const rec = await deps.batches.create(valid, betas);
  deps.counters.batchesCreated++;
  ctx.entry.batchId = rec.id;
  ctx.entry.requests = rec.total;
  sendJson(ctx.res, 200, deps.batches.toApi(rec, ctx.origin));
};

function intParam(url: URL, name: string, def: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`${name}: Input should be an integer between ${min} and ${max}`);
  return n;
}

const listBatches: Handler = async (ctx, deps) => {
  const limit = intParam(ctx.url, 'limit', 20, 1, 1000);
  const afterId = ctx.url.searchParams.get('after_id') || undefined;
  const beforeId = ctx.url.searchParams.get('before_id') || undefined;
  if (afterId && beforeId) throw invalid('after_id and before_id cannot both be given');
  const page = await deps.batches.list({ limit, ...(afterId ? { afterId } : {}), ...(beforeId ? { beforeId } : {}) });
  const data = page.data.map((r) => deps.batches.toApi(r, ctx.origin));
  sendJson(ctx.res, 200, { data, has_more: page.has_more, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
};

const retrieveBatch: Handler = async (ctx, deps, id) => {
  ctx.entry.batchId = id;
  sendJson(ctx.res, 200, deps.batches.toApi(await deps.batches.get(id), ctx.origin));
};

const cancelBatch: Handler = async (ctx, deps, id) => {
  ctx.entry.batchId = id;
  sendJson(ctx.res, 200, deps.batches.toApi(await deps.batches.cancel(id), ctx.origin));
};

const deleteBatch: Handler = async (ctx, deps, id) => {
  ctx.entry.batchId = id;
  await deps.batches.delete(id);
  sendJson(ctx.res, 200, { id, type: 'message_batch_deleted' });
};

/**
 * Streams the JSONL file from disk (never read into memory). A `Range: bytes=N-` (or `N-M`) request
 * gets 206 with that part (416 past the end), so a cut download can resume; a `cut` fault sends
 * part of the body and then destroys the connection.
 */
const batchResults: Handler = async (ctx, deps, id) => {
  ctx.entry.batchId = id;
  const { file, size } = await deps.batches.resultsFile(id);
  const range = parseRange(ctx.req.headers.range, size);
  if (range === 'unsatisfiable') {
    throw new ApiError(416, `Range not satisfiable: the results of ${id} are ${size} bytes`, { headers: { 'content-range': `bytes */${size}` } });
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1; // inclusive
  const length = Math.max(0, end - start + 1);
  const headers: Record<string, string | number> = { 'content-type': 'application/x-jsonl', 'content-length': length, 'accept-ranges': 'bytes' };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  const fault = deps.faults.http(ctx.req.method ?? 'GET', ctx.url.pathname, 'body');
  if (fault) ctx.entry.fault = fault.kind;
  ctx.res.writeHead(range ? 206 : 200, headers);
  if (length === 0) {
    ctx.res.end();
    return;
  }
  try {
    if (fault?.kind === 'cut') {
      const send = Math.min(length, fault.afterBytes ?? Math.floor(length / 2));
      if (send > 0) {
        for await (const chunk of createReadStream(file, { start, end: start + send - 1, highWaterMark: 1 << 20 })) {
          if (!ctx.res.write(chunk)) await once(ctx.res, 'drain');
        }
      }
      // Let the bytes leave, then drop the connection mid-body.
      await new Promise<void>((resolve) => ctx.res.write('', () => resolve()));
      ctx.req.socket.destroy();
      return;
    }
    await pipeline(createReadStream(file, { start, end, highWaterMark: 1 << 20 }), ctx.res);
  } catch {
    // the client went away mid-download
  }
};

/** A single `bytes=` range; null when absent or not one we serve (then the whole file is sent). */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    // a suffix: the last N bytes
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

async function messageParams(ctx: RouteContext, deps: RouteDeps, mode: 'sync' | 'count') {
  const body = parseJsonBody(await readBody(ctx.req, deps.limits.maxMessageBytes));
  const betas = parseBetas(ctx.req.headers['anthropic-beta']);
  return { body, ...validateParams(body, { mode, betas, models: deps.models }) };
}

const createMessage: Handler = async (ctx, deps) => {
  const { body, params, model } = await messageParams(ctx, deps, 'sync');
  const stream = isObject(body) && body.stream === true;
  const fault = stream ? deps.faults.http(ctx.req.method ?? 'POST', ctx.url.pathname, 'stream') : null;
  if (fault) ctx.entry.fault = fault.kind;
  const refusal = deps.faults.http(ctx.req.method ?? 'POST', ctx.url.pathname, 'answer');
  if (refusal) ctx.entry.fault = refusal.kind;
  const refuse = refusal ? (refusal.afterChars === undefined ? true : { afterChars: refusal.afterChars }) : false;
  let msg: ApiMessage;
  try {
    msg = await answer({ params, model, customId: null, mode: 'sync', responder: deps.responder, cache: deps.cache, now: Date.now(), refuse });
  } catch (error) {
    if (error instanceof ApiError) throw error; // a prompt over the model's window: 400, as the API answers
    throw new ApiError(500, `the emulator's responder failed: ${(error as Error).message}`);
  }
  await deps.cache.save();
  deps.counters.messages++;
  if (!fault) deps.onUsage(msg.usage);
  if (!stream) {
    sendJson(ctx.res, 200, msg);
    return;
  }
  await streamMessage(ctx.res, msg, {}, fault ? { errorAfterChars: fault.afterChars ?? 0 } : {});
};

const countTokens: Handler = async (ctx, deps) => {
  const { params } = await messageParams(ctx, deps, 'count');
  deps.counters.countTokens++;
  sendJson(ctx.res, 200, { input_tokens: inputTokens(params) });
};

export function notFoundRoute(method: string, pathname: string): ApiError {
  return new ApiError(404, `Not found: ${method} ${pathname}`);
}
