/** Fault injection: HTTP faults per request (seen by the SDK's retries), per-result faults, config loading. */
import Anthropic from '@anthropic-ai/sdk';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultsFromEnv, loadFaultsFile, parseFaults, startEmulator } from '../../src/emulator/index.js';
import { HarnessError } from '../../src/shared/errors.js';
import { clientFor, raw, request, results, start, tempDir, waitEnded } from './helpers.js';

const LIST = '^/v1/messages/batches$';

describe('emulator: HTTP faults', () => {
  it('429 with retry-after, then success: the SDK (maxRetries 2) retries once after the advertised delay', async () => {
    const { emulator } = await start({ faults: { http: [{ kind: 'status', status: 429, retryAfterS: 0.2, path: LIST }] } });
    const client = clientFor(emulator, { maxRetries: 2 });
    const t0 = Date.now();
    const page = await client.beta.messages.batches.list();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(page.data).toEqual([]);
    const log = emulator.log();
    expect(log.map((e) => [e.status, e.fault])).toEqual([
      [429, 'status'],
      [200, undefined],
    ]);
  });

  it('429 surfaces as RateLimitError with retry-after and a rate_limit_error body when retries are off', async () => {
    const { client } = await start({ faults: { http: [{ kind: 'status', status: 429, retryAfterS: 7 }] } });
    const err = (await client.beta.messages.batches.list().catch((e: unknown) => e)) as InstanceType<typeof Anthropic.RateLimitError>;
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.headers?.get('retry-after')).toBe('7');
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' }, request_id: expect.stringMatching(/^req_/) });
  });

  it.each([
    [500, 'api_error'],
    [529, 'overloaded_error'],
  ])('%i → InternalServerError with %s', async (status, type) => {
    const { client } = await start({ faults: { http: [{ kind: 'status', status }] } });
    const err = (await client.beta.messages.batches.list().catch((e: unknown) => e)) as InstanceType<typeof Anthropic.InternalServerError>;
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    expect(err.status).toBe(status);
    expect(err.error).toMatchObject({ error: { type } });
  });

  it('reset: the connection is destroyed without a response (APIConnectionError); a retry then succeeds', async () => {
    const { client, emulator } = await start({ faults: { http: [{ kind: 'reset', method: 'POST', path: LIST }] } });
    await expect(client.beta.messages.batches.create({ requests: [request('a')] })).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
    const ok = await client.beta.messages.batches.create({ requests: [request('a')] });
    expect(ok.processing_status).toBe('in_progress');
    expect(emulator.log().map((e) => e.status)).toEqual([0, 200]);
    expect(emulator.stats().batchesCreated).toBe(1);
  });

  it('afterProcessing: the batch is created but the response is lost (reset, or an error status instead)', async () => {
    const { client, emulator } = await start({
      processingMs: 0,
      faults: {
        http: [
          { kind: 'reset', method: 'POST', path: LIST, afterProcessing: true },
          { kind: 'status', status: 529, method: 'POST', path: LIST, afterProcessing: true },
        ],
      },
    });
    await expect(client.beta.messages.batches.create({ requests: [request('a')] })).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
    await expect(client.beta.messages.batches.create({ requests: [request('b')] })).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    const listed = (await client.beta.messages.batches.list()).data;
    expect(listed).toHaveLength(2);
    expect(
      emulator
        .log()
        .slice(0, 2)
        .map((e) => [e.status, e.fault]),
    ).toEqual([
      [0, 'reset:after-processing'],
      [529, 'status:after-processing'],
    ]);
    expect(emulator.log()[0]!.batchId).toBe(listed[1]!.id);
  });

  it('skip and times: let `skip` matching requests through, then apply `times`; 0 = forever; method and path filter', async () => {
    const { client, emulator } = await start({ faults: { http: [{ kind: 'status', status: 500, method: 'GET', path: LIST, skip: 1, times: 2 }] } });
    const outcome = () =>
      client.beta.messages.batches.list().then(
        () => 200,
        (e: { status: number }) => e.status,
      );
    expect([await outcome(), await outcome(), await outcome(), await outcome()]).toEqual([200, 500, 500, 200]);
    // POST does not match the rule
    await client.beta.messages.batches.create({ requests: [request('a')] });
    emulator.setFaults({ http: [{ kind: 'status', status: 529, times: 0 }] });
    expect([await outcome(), await outcome(), await outcome()]).toEqual([529, 529, 529]);
    emulator.setFaults({});
    expect(await outcome()).toBe(200);
  });

  it('rules count independently; the first applicable one wins: 429 ×2 then a 500 with skip 2 → 429, 429, 500, ok', async () => {
    const path = '^/v1/messages/batches$';
    const { client } = await start({
      faults: {
        http: [
          { kind: 'status', status: 429, retryAfterS: 0, path, times: 2 },
          { kind: 'status', status: 500, path, skip: 2 },
        ],
      },
    });
    const outcome = () =>
      client.beta.messages.batches.list().then(
        () => 200,
        (e: { status: number }) => e.status,
      );
    expect([await outcome(), await outcome(), await outcome(), await outcome()]).toEqual([429, 429, 500, 200]);
  });

  it('slow and latencyMs delay responses', async () => {
    const { client, emulator } = await start({ faults: { http: [{ kind: 'slow', delayMs: 200 }], latencyMs: 50 } });
    let t0 = Date.now();
    await client.beta.messages.batches.list();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    t0 = Date.now();
    await client.beta.messages.batches.list();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(emulator.log().map((e) => e.fault)).toEqual(['slow', undefined]);
  });
});

describe('emulator: result faults', () => {
  it('errored (each type), expired, canceled and truncate results, by custom_id regex', async () => {
    const { client, emulator } = await start({
      processingMs: 50,
      responder: () => 'word '.repeat(600).trimEnd(), // one token each (the emulator's counter): 600
      faults: {
        results: [
          { customId: '^over$', kind: 'errored' },
          { customId: '^api$', kind: 'errored', errorType: 'api_error' },
          { customId: '^bad$', kind: 'errored', errorType: 'invalid_request_error' },
          { customId: '^exp$', kind: 'expired' },
          { customId: '^can$', kind: 'canceled' },
          { customId: '^cut$', kind: 'truncate', maxTokens: 15 },
          { customId: '^half$', kind: 'truncate' },
        ],
      },
    });
    const ids = ['over', 'api', 'bad', 'exp', 'can', 'cut', 'half', 'fine'];
    const batch = await client.beta.messages.batches.create({ requests: ids.map((id) => request(id)) });
    const ended = await waitEnded(client, batch.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 3, errored: 3, canceled: 1, expired: 1 });
    const lines = await results(client, batch.id);
    const by = Object.fromEntries(lines.map((l) => [l.custom_id, l.result]));
    expect(by.over).toEqual({
      type: 'errored',
      error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: null },
    });
    expect(by.api).toMatchObject({ type: 'errored', error: { error: { type: 'api_error' } } });
    expect(by.bad).toMatchObject({ type: 'errored', error: { error: { type: 'invalid_request_error' } } });
    expect(by.exp).toEqual({ type: 'expired' });
    expect(by.can).toEqual({ type: 'canceled' });
    expect(by.cut).toMatchObject({ type: 'succeeded', message: { stop_reason: 'max_tokens', usage: { output_tokens: 15 } } });
    expect(by.half).toMatchObject({ type: 'succeeded', message: { stop_reason: 'max_tokens', usage: { output_tokens: 300 } } });
    expect(by.fine).toMatchObject({ type: 'succeeded', message: { stop_reason: 'end_turn', usage: { output_tokens: 600 } } });
    // only succeeded requests are billed
    expect(emulator.stats().usage.output_tokens).toBe(15 + 300 + 600);
  });

  it('refusal: a short text with stop_reason "refusal", no sections, by pathContains or custom_id; once by default', async () => {
    const { client, emulator } = await start({
      processingMs: 50,
      faults: {
        results: [
          { kind: 'refusal', pathContains: 'secret' },
          { customId: '^no$', kind: 'refusal' },
        ],
      },
    });
    const ask = (path: string) => `Write the file.\n\n## Files to write\n\n- \`${path}\` — a module\n`;
    const batch = await client.beta.messages.batches.create({
      requests: [request('a', ask('src/secret-store.ts')), request('b', ask('src/app.ts')), request('no'), request('c', ask('src/secret-two.ts'))],
    });
    const ended = await waitEnded(client, batch.id);
    expect(ended.request_counts).toMatchObject({ succeeded: 4, errored: 0 });
    const by = Object.fromEntries((await results(client, batch.id)).map((l) => [l.custom_id, l.result]));
    for (const id of ['a', 'no']) {
      const r = by[id] as { type: string; message: Anthropic.Message };
      expect(r.type).toBe('succeeded');
      expect(r.message.stop_reason).toBe('refusal');
      expect(r.message.content).toEqual([{ type: 'text', text: expect.stringMatching(/can't help/), citations: null }]);
      expect((r.message.content[0] as Anthropic.TextBlock).text).not.toMatch(/```|^#{1,6} /m);
      expect(r.message.usage.output_tokens).toBeGreaterThan(0);
    }
    // the pathContains rule applied once (times defaults to 1): the second secret file is answered
    expect(by.b).toMatchObject({ type: 'succeeded', message: { stop_reason: 'end_turn' } });
    expect(by.c).toMatchObject({ type: 'succeeded', message: { stop_reason: 'end_turn' } });
    expect(emulator.stats().usage.output_tokens).toBeGreaterThan(0);
  });

  it('times defaults to 1 (a resubmitted request succeeds); `batch` picks the batch by creation ordinal; latency delays the end', async () => {
    const { client } = await start({
      processingMs: 50,
      faults: {
        results: [
          { customId: '^a$', kind: 'errored' },
          { batch: 2, kind: 'expired', times: 0 },
          { batch: 3, customId: '^slow$', kind: 'latency', ms: 400 },
        ],
      },
    });
    const run = async (ids: string[]) => {
      const b = await client.beta.messages.batches.create({ requests: ids.map((id) => request(id)) });
      const ended = await waitEnded(client, b.id);
      const lines = await results(client, b.id);
      return { ended, types: Object.fromEntries(lines.map((l) => [l.custom_id, l.result.type])) };
    };
    expect((await run(['a', 'b'])).types).toEqual({ a: 'errored', b: 'succeeded' });
    expect((await run(['a', 'b'])).types).toEqual({ a: 'expired', b: 'expired' });
    const third = await run(['slow', 'a']);
    expect(third.types).toEqual({ slow: 'succeeded', a: 'succeeded' });
    expect(Date.parse(third.ended.ended_at!) - Date.parse(third.ended.created_at)).toBeGreaterThanOrEqual(400);
  });
});

describe('emulator: fault config loading', () => {
  it('HARNESS_EMULATOR_FAULTS as JSON text or as a path to a JSON file; --faults FILE', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'faults.json');
    await writeFile(file, JSON.stringify({ http: [{ kind: 'status', status: 529 }] }));
    expect(faultsFromEnv({ HARNESS_EMULATOR_FAULTS: '{"latencyMs": 5}' })).toEqual({ latencyMs: 5 });
    expect(faultsFromEnv({ HARNESS_EMULATOR_FAULTS: file })).toEqual({ http: [{ kind: 'status', status: 529 }] });
    expect(faultsFromEnv({})).toBeUndefined();
    expect(loadFaultsFile(file).http?.[0]?.status).toBe(529);
  });

  it('startEmulator reads the env when no faults are given', async () => {
    const saved = process.env.HARNESS_EMULATOR_FAULTS;
    process.env.HARNESS_EMULATOR_FAULTS = '{"http":[{"kind":"status","status":500}]}';
    try {
      const emulator = await startEmulator({ processingMs: 10 });
      try {
        await expect(clientFor(emulator).beta.messages.batches.list()).rejects.toBeInstanceOf(Anthropic.InternalServerError);
      } finally {
        await emulator.close();
      }
    } finally {
      if (saved === undefined) delete process.env.HARNESS_EMULATOR_FAULTS;
      else process.env.HARNESS_EMULATOR_FAULTS = saved;
    }
  });

  it('a bad config is a clear error naming the source and the field', async () => {
    const dir = await tempDir();
    expect(() => parseFaults({ http: [{ kind: 'explode' }] }, 'faults.json')).toThrow(/faults\.json: http\.0\.kind/);
    expect(() => parseFaults({ results: [{ kind: 'errored', customId: '(' }] }, 'x')).toThrow(/results\.0\.customId: not a valid regular expression/);
    expect(() => parseFaults({ htp: [] }, 'x')).toThrow(HarnessError);
    expect(() => faultsFromEnv({ HARNESS_EMULATOR_FAULTS: '{nope' })).toThrow(/not valid JSON/);
    expect(() => loadFaultsFile(path.join(dir, 'missing.json'))).toThrow(/cannot read/);
    await expect(startEmulator({ faults: { latencyMs: -1 } })).rejects.toThrow(/latencyMs/);
  });
});

describe('emulator: a results download cut half-way, and ranges', () => {
  async function endedBatch(n: number) {
    const started = await start({ processingMs: 0 });
    const batch = await started.client.beta.messages.batches.create({ requests: Array.from({ length: n }, (_, i) => request(`r${i}`)) });
    await waitEnded(started.client, batch.id);
    const whole = await (await raw(started.emulator, `/v1/messages/batches/${batch.id}/results`)).text();
    return { ...started, id: batch.id, whole, path: `/v1/messages/batches/${batch.id}/results` };
  }

  it('cut: the body stops after afterBytes and the connection drops (the client sees a cut stream, not an end)', async () => {
    const { emulator, id, whole, path: p } = await endedBatch(20);
    emulator.setFaults({ http: [{ kind: 'cut', path: '/results$', afterBytes: 100 }] });
    const res = await raw(emulator, p);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(whole));
    let got = 0;
    const err = await (async () => {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) got += chunk.length;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(got).toBe(100);
    expect(emulator.log().at(-1)).toMatchObject({ batchId: id, fault: 'cut' });
    // Used up (times defaults to 1): the next download is whole.
    expect(await (await raw(emulator, p)).text()).toBe(whole);
  });

  it('cut without afterBytes sends half; cut rules never apply to other routes', async () => {
    const { emulator, whole, path: p } = await endedBatch(10);
    emulator.setFaults({ http: [{ kind: 'cut', times: 0 }] });
    expect((await raw(emulator, '/v1/messages/batches')).status).toBe(200);
    const res = await raw(emulator, p);
    let got = 0;
    await (async () => {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) got += chunk.length;
    })().catch(() => undefined);
    expect(got).toBe(Math.floor(Buffer.byteLength(whole) / 2));
  });

  it('Range: bytes=N- resumes (206 with content-range), N-M is a slice, past the end is 416 with the size', async () => {
    const { emulator, whole, path: p } = await endedBatch(5);
    const size = Buffer.byteLength(whole);
    const full = await raw(emulator, p);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    const tail = await raw(emulator, p, { headers: { Range: 'bytes=37-' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes 37-${size - 1}/${size}`);
    expect(await tail.text()).toBe(Buffer.from(whole).subarray(37).toString());
    const slice = await raw(emulator, p, { headers: { Range: 'bytes=10-19' } });
    expect(await slice.text()).toBe(Buffer.from(whole).subarray(10, 20).toString());
    const past = await raw(emulator, p, { headers: { Range: `bytes=${size}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    // A cut on a ranged download counts its bytes from the range's start.
    emulator.setFaults({ http: [{ kind: 'cut', afterBytes: 5 }] });
    const cut = await raw(emulator, p, { headers: { Range: 'bytes=40-' } });
    let got = '';
    await (async () => {
      for await (const chunk of cut.body as unknown as AsyncIterable<Uint8Array>) got += Buffer.from(chunk).toString();
    })().catch(() => undefined);
    expect(got).toBe(Buffer.from(whole).subarray(40, 45).toString());
  });
});
