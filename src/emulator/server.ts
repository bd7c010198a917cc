/** The HTTP server on 127.0.0.1: auth, faults, routing, the request log. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PromptCache } from './cache.js';
import { ApiError, newId } from './api-errors.js';
import { resolveHitRate } from './cache-hit-rate.js';
import { Faults, faultsFromEnv, type FaultConfig, type HttpFault } from './faults.js';
import { drain, sendError } from './http.js';
import { Batches } from './lifecycle.js';
import type { Usage } from './message.js';
import { placeholderResponder } from './responder.js';
import { notFoundRoute, route, type RouteContext, type RouteDeps } from './routes.js';
import { Store } from './store.js';
import type { Emulator, EmulatorOptions, EmulatorStats, LogEntry } from './types.js';

const MB = 1024 * 1024;

class LostResponse extends Error {}

function faultError(fault: HttpFault): ApiError {
  const status = fault.status ?? 500;
  const headers: Record<string, string> = {};
  if (fault.retryAfterS !== undefined) headers['retry-after'] = String(fault.retryAfterS);
  else if (status === 429) headers['retry-after'] = '1';
  return new ApiError(status, undefined, { headers });
}
const DAY = 24 * 60 * 60 * 1000;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const faults = new Faults(options.faults ?? faultsFromEnv() ?? {});
  const cacheHitRate = resolveHitRate(options.batchCacheHitRate);
  const processingMs = options.processingMs ?? 2000;
  const limits = options.limits ?? {};
  const temporary = options.dataDir === undefined;
  const root = temporary ? await mkdtemp(path.join(os.tmpdir(), 'harness-emulator-')) : path.resolve(options.dataDir!);
  await mkdir(root, { recursive: true });
  const store = new Store(root, temporary);
  await store.open();
  const cache = new PromptCache(store.cacheFile);
  await cache.load();

  const stats: EmulatorStats = {
    batchesCreated: 0,
    messages: 0,
    countTokens: 0,
    usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
  const onUsage = (u: Usage) => {
    stats.usage.input_tokens += u.input_tokens;
    stats.usage.output_tokens += u.output_tokens;
    stats.usage.cache_creation_input_tokens += u.cache_creation_input_tokens;
    stats.usage.cache_read_input_tokens += u.cache_read_input_tokens;
  };
  const responder = options.responder ?? placeholderResponder();
  const models = options.models ?? {};
  const batches = new Batches(store, cache, faults, {
    processingMs,
    concurrency: options.concurrency ?? 8,
    cacheHitRate,
    expireAfterMs: options.expireAfterMs ?? DAY,
    cancelMs: limits.cancelMs ?? Math.min(250, Math.max(10, processingMs / 10)),
    retentionMs: limits.resultsRetentionMs ?? 29 * DAY,
    models,
    responder,
    onUsage,
  });
  await batches.load();

  const deps: RouteDeps = {
    batches,
    cache,
    faults,
    responder,
    models,
    limits: {
      maxRequests: limits.maxRequests ?? 100_000,
      maxBatchBytes: limits.maxBatchBytes ?? 256 * MB,
      maxMessageBytes: limits.maxMessageBytes ?? 32 * MB,
    },
    counters: stats,
    onUsage,
  };
  const log: LogEntry[] = [];
  const apiKey = options.apiKey;

  let port = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = newId('req_');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const entry: LogEntry = { at: new Date().toISOString(), method, path: url.pathname, status: 0, requestId };
    const host = req.headers.host;
    const origin = host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `http://${host}` : `http://127.0.0.1:${port}`;
    res.setHeader('request-id', requestId);
    let reset = false;
    try {
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (apiKey !== null) {
        const auth = req.headers.authorization;
        const key = (req.headers['x-api-key'] as string | undefined) ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined);
        if (!key) throw new ApiError(401, 'x-api-key header is required');
        if (apiKey !== undefined && key !== apiKey) throw new ApiError(401, 'invalid x-api-key');
      }
      if (!req.headers['anthropic-version']) throw new ApiError(400, 'anthropic-version: header is required');
      const fault = faults.http(method, url.pathname, 'arrival');
      if (fault) entry.fault = fault.afterProcessing ? `${fault.kind}:after-processing` : fault.kind;
      if (fault?.kind === 'slow') await sleep(fault.delayMs ?? 1000);
      if (fault && !fault.afterProcessing && fault.kind === 'reset') {
        reset = true;
        req.socket.destroy();
        return;
      }
      if (fault && !fault.afterProcessing && fault.kind === 'status') {
        await drain(req);
        throw faultError(fault);
      }
      const found = route(method, url.pathname);
      if (!found) throw notFoundRoute(method, url.pathname);
      const ctx: RouteContext = { req, res, url, requestId, origin, entry };
      if (fault?.afterProcessing && (fault.kind === 'reset' || fault.kind === 'status')) {
        // The handler runs to completion (its side effects happen); its response is what gets lost.
        const writeHead = res.writeHead;
        res.writeHead = (() => {
          throw new LostResponse();
        }) as typeof res.writeHead;
        try {
          await found.handler(ctx, deps, found.id);
        } catch (error) {
          if (!(error instanceof LostResponse)) throw error;
        } finally {
          res.writeHead = writeHead;
        }
        if (fault.kind === 'reset') {
          reset = true;
          req.socket.destroy();
          return;
        }
        throw faultError(fault);
      }
      await found.handler(ctx, deps, found.id);
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError(500, `emulator error: ${(error as Error).message}`);
      await drain(req).catch(() => {});
      sendError(res, e, requestId);
    } finally {
      entry.status = reset ? 0 : res.statusCode;
      log.push(entry);
      store.appendLog(entry);
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await batches.close();
    await store.close();
    throw error;
  }
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await batches.close();
        await cache.save();
        await store.close();
      })();
      return closing;
    },
    log: () => log.map((e) => ({ ...e })),
    stats: () => ({ ...stats, usage: { ...stats.usage } }),
    setFaults: (f: FaultConfig) => faults.set(f),
  };
}
