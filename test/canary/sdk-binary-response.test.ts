/**
 * Canary: the SDK behaviour the results download relies on (src/batch/api.ts `resultsBytes`):
 * `client.get(results_url, { headers, __binaryResponse: true }).asResponse()`. `__binaryResponse`
 * is an internal request option (the one the SDK's own `batches.results()` passes), and the SDK
 * is pinned with `~` in package.json; these tests fail with a message saying what changed.
 */
import Anthropic from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const INSTALLED = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@anthropic-ai/sdk/package.json'), 'utf8')) as { version: string }).version;
const CHECKED = '1.13.0';
const changed = (what: string) =>
  `UPSTREAM CHANGE (@anthropic-ai/sdk ${INSTALLED}; the download was checked with ${CHECKED}): ${what}. ` +
  'Read resultsBytes in src/batch/api.ts, adapt it (or use what the SDK now offers), then update the versions in its comment and here.';

/** What the server saw of each request. */
const seen: { url: string; headers: IncomingMessage['headers'] }[] = [];
/** Lets the streaming test's server finish its body once the client has read the first chunk. */
let release: () => void = () => undefined;
let failNext = 0;

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/elsewhere/results.jsonl?token=abc': (_req, res) => {
    if (failNext > 0) {
      failNext--;
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after-ms': '1' });
      res.end('{"type":"error","error":{"type":"overloaded_error","message":"busy"}}');
      return;
    }
    // JSON on purpose: without __binaryResponse the SDK would parse it.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"first":1}\n');
    release = () => res.end('{"second":2}\n');
  },
  '/elsewhere/done.jsonl': (_req, res) => {
    res.writeHead(416, { 'content-type': 'application/json', 'content-range': 'bytes */1234' });
    res.end('{"type":"error","error":{"type":"invalid_request_error","message":"range"}}');
  },
};

let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const route = routes[req.url ?? ''];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  release();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A client whose base URL has a path: an absolute URL must not be rebuilt under it. */
const client = (maxRetries = 0) => new Anthropic({ apiKey: 'sk-canary', baseURL: `${origin}/api-base`, maxRetries });

const firstChunk = async (body: ReadableStream<Uint8Array> | null): Promise<string> => {
  const reader = body!.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  return new TextDecoder().decode(value);
};

describe('canary: client.get(absolute url, { __binaryResponse: true }) hands back the raw, streaming Response', () => {
  it("requests the absolute URL as given, with the headers passed and the client's key", async () => {
    seen.length = 0;
    const headers = { Accept: 'application/binary', 'anthropic-beta': 'canary-beta', Range: 'bytes=10-' };
    const response = await client().get(`${origin}/elsewhere/results.jsonl?token=abc`, { headers, __binaryResponse: true }).asResponse();
    release();
    await response.body?.cancel();
    expect(
      seen.map((s) => s.url),
      changed('an absolute URL is no longer requested as given (results_url would be rebuilt)'),
    ).toEqual(['/elsewhere/results.jsonl?token=abc']);
    expect(seen[0]!.headers, changed('the headers passed to client.get are not all sent')).toMatchObject({
      accept: 'application/binary',
      'anthropic-beta': 'canary-beta',
      range: 'bytes=10-',
    });
    const { authorization, 'x-api-key': apiKey } = seen[0]!.headers;
    expect(
      authorization === 'Bearer sk-canary' || apiKey === 'sk-canary',
      changed("the client's key is not sent with a request to an absolute URL"),
    ).toBe(true);
  });

  it('the Response comes back unread, and its body streams: the first line is readable before the server has sent the rest', async () => {
    // Without __binaryResponse the SDK would wait for the whole JSON body, which the server holds back.
    const awaited: unknown = await Promise.race([
      client().get(`${origin}/elsewhere/results.jsonl?token=abc`, { __binaryResponse: true }),
      setTimeout(5000, 'still waiting for the whole body after 5 s'),
    ]);
    expect(awaited instanceof Response, changed(`__binaryResponse no longer makes the SDK hand back the Response (got: ${String(awaited)})`)).toBe(
      true,
    );
    const response = awaited as Response;
    expect(response.bodyUsed, changed('the SDK read the body of a __binaryResponse request')).toBe(false);
    expect(await firstChunk(response.body), changed('the body does not stream (the first chunk did not arrive before the end)')).toBe(
      '{"first":1}\n',
    );
    release();
    await response.body?.cancel();

    const viaAsResponse = await client().get(`${origin}/elsewhere/results.jsonl?token=abc`, { __binaryResponse: true }).asResponse();
    expect(viaAsResponse.bodyUsed, changed('.asResponse() returned a Response whose body was read')).toBe(false);
    expect(await firstChunk(viaAsResponse.body), changed('.asResponse() body does not stream')).toBe('{"first":1}\n');
    release();
    await viaAsResponse.body?.cancel();
  });

  it("retries a 503 with the client's retries", async () => {
    seen.length = 0;
    failNext = 1;
    const response = await client(2).get(`${origin}/elsewhere/results.jsonl?token=abc`, { __binaryResponse: true }).asResponse();
    release();
    await response.body?.cancel();
    expect(response.status, changed('a 503 on the results URL is not retried by the client')).toBe(200);
    expect(seen.length).toBe(2);
  });

  it('a 416 (nothing past the range) is thrown as Anthropic.APIError with status 416 and the response headers', async () => {
    const error = await client()
      .get(`${origin}/elsewhere/done.jsonl`, { headers: { Range: 'bytes=1234-' }, __binaryResponse: true })
      .asResponse()
      .catch((e: unknown) => e);
    expect(error instanceof Anthropic.APIError, changed('a 416 is no longer thrown as Anthropic.APIError')).toBe(true);
    expect((error as InstanceType<typeof Anthropic.APIError>).status, changed('the APIError of a 416 has another status')).toBe(416);
    expect(
      (error as InstanceType<typeof Anthropic.APIError>).headers?.get('content-range'),
      changed("the APIError no longer carries the response's headers"),
    ).toBe('bytes */1234');
  });
});
