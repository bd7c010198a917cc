/**
 * Results downloaded to disk first: a stream cut half-way is resumed (HTTP Range) or restarted,
 * the file is checked whole before it is read, read line by line, and deleted once read; a
 * download that cannot get through is a plain exit-1 error naming the API's base URL.
 */
import Anthropic from '@anthropic-ai/sdk';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, sdkBatchApi, type BatchApi, type BatchResultLine } from '../../src/batch/api.js';
import { checkResultsFile, downloadResults, resultsFile } from '../../src/batch/download.js';
import { apiError } from '../../src/batch/retry.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { Workspace } from '../../src/pipeline/workspace.js';
import { printError } from '../../src/cli/render.js';
import { HarnessError } from '../../src/shared/errors.js';
import { makeTempDir } from '../helpers/tmp.js';

let emulator: Emulator | null = null;
afterEach(async () => {
  await emulator?.close();
  emulator = null;
});

const MODEL = 'claude-sonnet-4-6';

/** An ended batch of `n` tiny requests on a fresh emulator. */
async function endedBatch(n: number): Promise<{ id: string; env: NodeJS.ProcessEnv }> {
  emulator = await startEmulator({ processingMs: 0, responder: ({ customId }) => `ok ${customId}` });
  const env = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'sk-test-never-printed' };
  const client = new Anthropic({ baseURL: emulator.url, apiKey: 'x', maxRetries: 0 });
  const requests = Array.from({ length: n }, (_, i) => ({
    custom_id: `r${i}`,
    params: { model: MODEL, max_tokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] },
  }));
  const batch = await client.beta.messages.batches.create({ requests });
  for (;;) {
    const b = await client.beta.messages.batches.retrieve(batch.id);
    if (b.processing_status === 'ended') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { id: batch.id, env };
}

/** The slice of a Workspace the download uses. */
async function workspace(env: NodeJS.ProcessEnv, api?: BatchApi) {
  const repoDir = await makeTempDir('download-');
  const warnings: string[] = [];
  const real = api ?? sdkBatchApi(createClient({ env, maxRetries: 0 }));
  const ws = {
    repoDir,
    env,
    sleep: async () => {},
    reporter: { info() {}, warn: (m: string) => warnings.push(m), progress() {} },
    api: () => real,
  } as unknown as Workspace;
  return { ws, warnings, repoDir };
}

async function readAll(lines: AsyncIterable<BatchResultLine>): Promise<string[]> {
  const ids: string[] = [];
  for await (const line of lines) ids.push(line.custom_id);
  return ids;
}

const resultGets = () => emulator!.log().filter((e) => e.method === 'GET' && e.path.endsWith('/results'));

describe('downloadResults', () => {
  it('a results stream cut half-way is resumed where it stopped (Range), read whole from disk, and the file goes once read', async () => {
    const { id, env } = await endedBatch(3000);
    // The order of the results file (the API's own, not the requests'), from a download without a fault.
    const client = new Anthropic({ baseURL: emulator!.url, apiKey: 'x', maxRetries: 0 });
    const order: string[] = [];
    for await (const line of await client.beta.messages.batches.results(id)) order.push(line.custom_id);
    expect([...order].sort()).toEqual(Array.from({ length: 3000 }, (_, i) => `r${i}`).sort());
    emulator!.setFaults({ http: [{ kind: 'cut', path: '/results$' }] });
    const { ws, warnings, repoDir } = await workspace(env);
    const lines = await downloadResults(ws, id);
    expect(existsSync(resultsFile(repoDir, id))).toBe(true);
    const ids = await readAll(lines);
    expect(ids).toEqual(order);
    expect(existsSync(resultsFile(repoDir, id))).toBe(false);
    expect(resultGets().map((e) => [e.status, e.fault])).toEqual([
      [200, undefined], // the reference download above
      [200, 'cut'],
      [206, undefined],
    ]);
    expect(warnings.join('\n')).toMatch(/cut at \d+ of \d+ bytes.*resuming/);
    // The local results directory is ignored by git.
    expect(await readFile(path.join(repoDir, '.harness/.gitignore'), 'utf8')).toMatch(/^results\/$/m);
  });

  it('cut again and again: every try resumes from the last byte on disk until the file is whole', async () => {
    const { id, env } = await endedBatch(500);
    emulator!.setFaults({ http: [{ kind: 'cut', path: '/results$', afterBytes: 9_000, times: 0 }] });
    const { ws } = await workspace(env);
    expect(await readAll(await downloadResults(ws, id))).toHaveLength(500);
    const gets = resultGets();
    expect(gets.length).toBeGreaterThan(3);
    expect(gets.slice(1).every((e) => e.status === 206)).toBe(true);
  });

  it('a server that ignores Range sends it all again: the file starts over and still comes out whole', async () => {
    const { id, env } = await endedBatch(200);
    const real = sdkBatchApi(createClient({ env, maxRetries: 0 }));
    let calls = 0;
    const api: BatchApi = {
      ...real,
      async resultsBytes(batchId) {
        calls++;
        const whole = await real.resultsBytes!(batchId, 0);
        if (calls > 1) return whole; // the range is ignored: 200 from byte 0
        return {
          ...whole,
          body: (async function* () {
            for await (const chunk of whole.body) {
              yield chunk.subarray(0, Math.floor(chunk.length / 2));
              throw new TypeError('terminated');
            }
          })(),
        };
      },
    };
    const { ws } = await workspace(env, api);
    expect(await readAll(await downloadResults(ws, id))).toHaveLength(200);
    expect(calls).toBe(2);
  });

  it('a download that cannot get through: exit 1 naming the base URL and what is kept; the next try resumes and completes', async () => {
    const { id, env } = await endedBatch(300);
    emulator!.setFaults({ http: [{ kind: 'cut', path: '/results$', afterBytes: 0, times: 0 }] });
    const { ws, repoDir } = await workspace(env);
    const err = await downloadResults(ws, id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    const e = err as HarnessError;
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain(emulator!.url);
    expect(e.message).not.toMatch(/internal error|HTTP \?/);
    expect(e.hint).toMatch(/has ended on the server.*harness run/);
    expect(`${e.message} ${e.hint}`).not.toContain('sk-test-never-printed');
    emulator!.setFaults({ http: [{ kind: 'cut', path: '/results$', afterBytes: 5_000 }] });
    await downloadResults(ws, id).catch(() => undefined); // cut after 5,000 bytes, then resumed whole
    emulator!.setFaults({ http: [{ kind: 'cut', path: '/results$', afterBytes: 0, times: 0 }] });
    // Whole on disk already: read without another byte from the server.
    const before = resultGets().length;
    const file = resultsFile(repoDir, id);
    expect(existsSync(file)).toBe(true);
    expect(await readAll(await downloadResults(ws, id))).toHaveLength(300);
    expect(resultGets().length).toBe(before);
  });

  it('a file whole by its size but short of lines, or with a line that is not a JSON object, is fetched again from scratch', async () => {
    const { id, env } = await endedBatch(50);
    const { ws, repoDir } = await workspace(env);
    const file = resultsFile(repoDir, id);
    await readAll(await downloadResults(ws, id)); // makes the directory
    const whole = await (
      await fetch(`${emulator!.url}/v1/messages/batches/${id}/results`, { headers: { 'x-api-key': 'x', 'anthropic-version': '2023-06-01' } })
    ).text();
    // A corrupt copy of the same size: a resume asks past its end (416) and then finds it bad.
    await writeFile(file, whole.replace('"custom_id"', '#custom_id"').replace(/^\{/, 'X'));
    expect(await readAll(await downloadResults(ws, id))).toHaveLength(50);
  });
});

describe('checkResultsFile', () => {
  it('wants one JSON object per line and the number of requests; a last line without its newline only when the count proves it whole', async () => {
    const dir = await makeTempDir('check-');
    const f = path.join(dir, 'r.jsonl');
    const check = async (text: string, n: number) => {
      await writeFile(f, text);
      return checkResultsFile(f, n);
    };
    expect(await check('{"a":1}\n{"b":2}\n', 2)).toEqual({ ok: true, lines: 2 });
    expect(await check('{"a":1}\r\n\n{"b":2}\r\n', 2)).toEqual({ ok: true, lines: 2 });
    expect(await check('{"a":1}\n{"b":2}', 2)).toEqual({ ok: true, lines: 2 });
    expect(await check('{"a":1}\n{"b":', 2)).toMatchObject({ ok: false, reason: 'line 2 is not a whole JSON object' });
    expect(await check('{"a":1}\n', 2)).toMatchObject({ ok: false, reason: '1 result lines for 2 requests' });
    expect(await check('{"a":1}\n{"b":2}\n{"c":3}\n', 2)).toMatchObject({ ok: false });
    expect(await check('', 1)).toMatchObject({ ok: false });
    const big = `{"x":"${'y'.repeat(3 << 20)}"}\n`;
    expect(await check(big + big, 2)).toEqual({ ok: true, lines: 2 });
  });
});

describe('network errors', () => {
  it('name the base URL tried and what failed, never `HTTP ?` or the key', async () => {
    const port = await closedPort();
    const env = { ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`, ANTHROPIC_API_KEY: 'sk-ant-secret-value' };
    const api = sdkBatchApi(createClient({ env, maxRetries: 0 }));
    const error = await api.retrieve('msgbatch_x').catch((e: unknown) => e);
    const e = apiError('retrieving msgbatch_x', error);
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe(`retrieving msgbatch_x failed: could not reach the API at http://127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
    expect(e.hint).toMatch(/keep running on the server/);
    expect(`${e.message}${e.hint}`).not.toContain('sk-ant-secret-value');
  });

  it('an unwrapped network failure that reaches the CLI is printed as one (exit 1), not as an internal error to report', () => {
    const cause = Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
    let printed = '';
    const write = (s: string) => {
      printed += s;
      return true;
    };
    const io = { out: process.stdout, err: { write }, env: {} } as unknown as Parameters<typeof printError>[0];
    expect(printError(io, new TypeError('terminated', { cause }))).toBe(1);
    expect(printed).toMatch(/could not reach the API at http\S+: the connection was cut before the response was complete/);
    expect(printed).not.toMatch(/internal error|please report/);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
