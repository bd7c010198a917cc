/** The Message Batches API through the official SDK: lifecycle, list pagination, cancel, delete, results, errors. */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { countTokens as estimateTokens } from '../../src/emulator/token-count.js';
import { MODEL, raw, request, results, sleep, start, waitEnded } from './helpers.js';

describe('emulator: batch lifecycle', () => {
  it('create → in_progress with every request processing → ended with results, timestamps as the API has them', async () => {
    const { client, emulator } = await start({ processingMs: 150 });
    const before = Date.now();
    const batch = await client.beta.messages.batches.create({ requests: [request('a'), request('b'), request('c')] });
    expect(batch).toEqual({
      id: expect.stringMatching(/^msgbatch_[0-9A-Za-z]{24}$/),
      type: 'message_batch',
      processing_status: 'in_progress',
      request_counts: { processing: 3, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      ended_at: null,
      created_at: expect.any(String),
      expires_at: expect.any(String),
      archived_at: null,
      cancel_initiated_at: null,
      results_url: null,
    });
    const created = Date.parse(batch.created_at);
    expect(created).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(batch.expires_at) - created).toBe(24 * 3600 * 1000);
    expect(batch.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const ended = await waitEnded(client, batch.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 3, errored: 0, canceled: 0, expired: 0 });
    expect(Date.parse(ended.ended_at!) - created).toBe(150);
    expect(ended.results_url).toBe(`${emulator.url}/v1/messages/batches/${batch.id}/results`);

    const lines = await results(client, batch.id);
    expect(lines.map((l) => l.custom_id).sort()).toEqual(['a', 'b', 'c']);
    const first = lines[0]!;
    expect(first.result.type).toBe('succeeded');
    if (first.result.type !== 'succeeded') return;
    const m = first.result.message;
    expect(m).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'end_turn', stop_sequence: null });
    expect(m.id).toMatch(/^msg_/);
    expect(m.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('placeholder') });
    expect(m.usage).toEqual({
      input_tokens: estimateTokens('Say hello.'),
      output_tokens: estimateTokens(m.content[0]!.type === 'text' ? m.content[0]!.text : ''),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      service_tier: 'batch',
    });
    expect(emulator.stats().batchesCreated).toBe(1);
    const log = emulator.log();
    expect(log[0]).toMatchObject({
      method: 'POST',
      path: '/v1/messages/batches',
      status: 200,
      batchId: batch.id,
      requests: 3,
      requestId: expect.stringMatching(/^req_/),
    });
  });

  it('results are served as JSONL from the absolute results_url, with a request-id header', async () => {
    const { client, emulator } = await start({ processingMs: 0 });
    const batch = await client.beta.messages.batches.create({ requests: [request('x')] });
    const ended = await waitEnded(client, batch.id);
    const res = await raw(emulator, new URL(ended.results_url!).pathname);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-jsonl');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const text = await res.text();
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text.trim())).toMatchObject({ custom_id: 'x', result: { type: 'succeeded' } });
  });

  it('results before the end: the SDK refuses (no results_url); the endpoint says 404', async () => {
    const { client, emulator } = await start({ processingMs: 5_000 });
    const batch = await client.beta.messages.batches.create({ requests: [request('x')] });
    await expect(client.beta.messages.batches.results(batch.id)).rejects.toThrow(/results_url/);
    const res = await raw(emulator, `/v1/messages/batches/${batch.id}/results`);
    expect(res.status).toBe(404);
  });

  it('accepts the 300K beta header and the beta=true query the beta namespace may send', async () => {
    const { client, emulator } = await start({ processingMs: 0 });
    const batch = await client.beta.messages.batches.create({
      requests: [{ custom_id: 'big', params: { model: 'claude-opus-4-6', max_tokens: 300_000, messages: [{ role: 'user', content: 'hi' }] } }],
      betas: ['output-300k-2026-03-24'],
    });
    expect(batch.processing_status).toBe('in_progress');
    const res = await raw(emulator, `/v1/messages/batches/${batch.id}?beta=true`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(batch.id);
  });
});

describe('emulator: list', () => {
  it('lists newest first and pages with after_id across pages (for await)', async () => {
    const { client } = await start({ processingMs: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await client.beta.messages.batches.create({ requests: [request(`r${i}`)] })).id);
    const newestFirst = [...ids].reverse();

    const page = await client.beta.messages.batches.list({ limit: 3 });
    expect(page.data.map((b) => b.id)).toEqual(newestFirst.slice(0, 3));
    expect(page.has_more).toBe(true);
    expect(page.first_id).toBe(newestFirst[0]);
    expect(page.last_id).toBe(newestFirst[2]);

    const all: string[] = [];
    for await (const b of client.beta.messages.batches.list({ limit: 3 })) all.push(b.id);
    expect(all).toEqual(newestFirst);

    const last = await client.beta.messages.batches.list({ limit: 3, after_id: newestFirst[5]! });
    expect(last.data.map((b) => b.id)).toEqual([newestFirst[6]]);
    expect(last.has_more).toBe(false);
  });

  it('pages backwards with before_id (the SDK follows first_id)', async () => {
    const { client } = await start({ processingMs: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.beta.messages.batches.create({ requests: [request(`r${i}`)] })).id);
    const newestFirst = [...ids].reverse();
    const page = await client.beta.messages.batches.list({ limit: 2, before_id: newestFirst[4]! });
    expect(page.data.map((b) => b.id)).toEqual([newestFirst[2], newestFirst[3]]);
    expect(page.has_more).toBe(true);
    const seen: string[] = [];
    for await (const b of client.beta.messages.batches.list({ limit: 2, before_id: newestFirst[4]! })) seen.push(b.id);
    expect(seen.sort()).toEqual(newestFirst.slice(0, 4).sort());
  });

  it('an empty list, limit bounds', async () => {
    const { client } = await start();
    const page = await client.beta.messages.batches.list();
    expect(page.data).toEqual([]);
    expect(page.has_more).toBe(false);
    expect(page.first_id).toBeNull();
    await expect(client.beta.messages.batches.list({ limit: 1001 })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(client.beta.messages.batches.list({ limit: 0 })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });
});

describe('emulator: cancel and delete', () => {
  it('cancel mid-way: canceling, then ended with the processed requests succeeded and the rest canceled', async () => {
    const { client } = await start({ processingMs: 1000, limits: { cancelMs: 50 } });
    const requests = Array.from({ length: 10 }, (_, i) => request(`r${i}`));
    const batch = await client.beta.messages.batches.create({ requests });
    await sleep(450);
    const canceling = await client.beta.messages.batches.cancel(batch.id);
    expect(canceling.processing_status).toBe('canceling');
    expect(canceling.cancel_initiated_at).not.toBeNull();
    expect(canceling.request_counts.processing).toBe(10);
    const ended = await waitEnded(client, batch.id);
    const c = ended.request_counts;
    expect(c.succeeded).toBeGreaterThanOrEqual(4);
    expect(c.succeeded).toBeLessThanOrEqual(9);
    expect(c.canceled).toBeGreaterThanOrEqual(1);
    expect(c.succeeded + c.canceled).toBe(10);
    expect(Date.parse(ended.ended_at!) - Date.parse(ended.cancel_initiated_at!)).toBe(50);
    const lines = await results(client, batch.id);
    expect(lines.filter((l) => l.result.type === 'canceled')).toHaveLength(c.canceled);
    // the results file is in processing order: every succeeded request comes before every canceled one
    expect(lines.map((l) => l.custom_id).sort()).toEqual(requests.map((r) => r.custom_id).sort());
    const order = lines.map((l) => l.result.type);
    expect(order.join(',')).toMatch(/^(succeeded,)*(canceled,)*canceled$|^(succeeded,)*succeeded$/);
  });

  it('cancel right away cancels everything; a second cancel returns the canceling batch; an ended batch cannot be canceled', async () => {
    const { client } = await start({ processingMs: 1000, limits: { cancelMs: 300 } });
    const batch = await client.beta.messages.batches.create({ requests: [request('a'), request('b')] });
    await client.beta.messages.batches.cancel(batch.id);
    expect((await client.beta.messages.batches.cancel(batch.id)).processing_status).toBe('canceling');
    const ended = await waitEnded(client, batch.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 0, errored: 0, canceled: 2, expired: 0 });
    await expect(client.beta.messages.batches.cancel(batch.id)).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it('delete: 400 while in progress, then deleted once ended (retrieve is 404 after)', async () => {
    // 1.5 s in progress: on a loaded machine 100 ms could pass before the delete call.
    const { client } = await start({ processingMs: 1_500 });
    const batch = await client.beta.messages.batches.create({ requests: [request('a')] });
    const err = await client.beta.messages.batches.delete(batch.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('in_progress') },
    });
    await waitEnded(client, batch.id);
    expect(await client.beta.messages.batches.delete(batch.id)).toEqual({ id: batch.id, type: 'message_batch_deleted' });
    await expect(client.beta.messages.batches.retrieve(batch.id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    expect((await client.beta.messages.batches.list()).data).toEqual([]);
  });
});

describe('emulator: expiry', () => {
  it('a batch still in progress after expireAfterMs ends with the unprocessed requests expired', async () => {
    const { client } = await start({ processingMs: 1000, expireAfterMs: 300 });
    const batch = await client.beta.messages.batches.create({ requests: Array.from({ length: 10 }, (_, i) => request(`r${i}`)) });
    expect(Date.parse(batch.expires_at) - Date.parse(batch.created_at)).toBe(300);
    const ended = await waitEnded(client, batch.id);
    expect(Date.parse(ended.ended_at!)).toBe(Date.parse(batch.expires_at));
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 3, errored: 0, canceled: 0, expired: 7 });
    const lines = await results(client, batch.id);
    // processed (out of the batch's order) first, then the expired rest
    expect(lines.map((l) => l.result.type)).toEqual([...Array(3).fill('succeeded'), ...Array(7).fill('expired')]);
    expect(lines.map((l) => l.custom_id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
  });

  it('the results file lists requests out of the batch order, the same order every time', async () => {
    const { client } = await start({ processingMs: 0 });
    const requests = Array.from({ length: 12 }, (_, i) => request(`task-${i}`));
    const order = async () => {
      const batch = await client.beta.messages.batches.create({ requests });
      await waitEnded(client, batch.id);
      return (await results(client, batch.id)).map((l) => l.custom_id);
    };
    const first = await order();
    expect([...first].sort()).toEqual(requests.map((r) => r.custom_id).sort());
    expect(first).not.toEqual(requests.map((r) => r.custom_id));
    expect(await order()).toEqual(first);
  });

  it('results are archived after the retention time: archived_at set, results_url null', async () => {
    // 1.5 s: long enough that a loaded machine still polls the ended batch before it is archived.
    const { client, emulator } = await start({ processingMs: 0, limits: { resultsRetentionMs: 1_500 } });
    const batch = await client.beta.messages.batches.create({ requests: [request('a')] });
    expect((await waitEnded(client, batch.id)).results_url).not.toBeNull();
    await sleep(1_600);
    const b = await client.beta.messages.batches.retrieve(batch.id);
    expect(b.archived_at).not.toBeNull();
    expect(b.results_url).toBeNull();
    expect((await raw(emulator, `/v1/messages/batches/${batch.id}/results`)).status).toBe(404);
  });
});

describe('emulator: errors', () => {
  const create = async (client: Anthropic, body: unknown, betas?: string[]) =>
    client.beta.messages.batches
      .create({ requests: body as Anthropic.Beta.Messages.BatchCreateParams['requests'], ...(betas ? { betas } : {}) })
      .then(
        () => null,
        (e: unknown) => e as InstanceType<typeof Anthropic.APIError>,
      );

  it.each([
    ['bad custom_id', [request('has space')], undefined, /custom_id: String should match pattern/],
    ['too long custom_id', [request('x'.repeat(65))], undefined, /custom_id/],
    ['duplicate custom_id', [request('a'), request('a')], undefined, /requests\.1\.custom_id: duplicate/],
    ['no requests', [], undefined, /at least 1 item/],
    ['params not an object', [{ custom_id: 'a', params: 'hi' }], undefined, /requests\.0\.params: Input should be a valid dictionary/],
    ['params missing', [{ custom_id: 'a' }], undefined, /requests\.0\.params: Field required/],
  ])('400 invalid_request_error at create for the batch shape: %s', async (_name, requests, betas, message) => {
    const { client } = await start();
    const err = await create(client, requests, betas);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err!.status).toBe(400);
    expect(err!.error).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringMatching(message) },
      request_id: expect.stringMatching(/^req_/),
    });
    expect(err!.requestID).toBe((err!.error as { request_id: string }).request_id);
  });

  it.each([
    ['unknown model', request('bad', 'hi', { model: 'claude-nope-1' }), undefined, /^model: unknown model/],
    [
      'max_tokens above the standard ceiling without the beta',
      request('bad', 'hi', { max_tokens: 128_001 }),
      undefined,
      /max_tokens: 128001 > 128000/,
    ],
    ['max_tokens above the beta ceiling', request('bad', 'hi', { max_tokens: 300_001 }), ['output-300k-2026-03-24'], /300000/],
    [
      'the beta on a model without it',
      request('bad', 'hi', { model: 'claude-haiku-4-5', max_tokens: 1000 }),
      ['output-300k-2026-03-24'],
      /not supported for claude-haiku-4-5/,
    ],
    ['max_tokens 0', request('bad', 'hi', { max_tokens: 0 }), undefined, /^max_tokens: Input should be greater than or equal to 1/],
    [
      'max_tokens missing',
      { custom_id: 'bad', params: { model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'x' }] } },
      undefined,
      /^max_tokens: Field required/,
    ],
    ['an unknown field', request('bad', 'hi', { temprature: 0.5 }), undefined, /^temprature: Extra inputs are not permitted/],
    ['empty messages', request('bad', 'hi', { messages: [] }), undefined, /messages: at least one message/],
    ['a bad role', request('bad', 'hi', { messages: [{ role: 'robot', content: 'x' }] }), undefined, /messages\.0\.role/],
    ['an empty text block', request('bad', 'hi', { messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }), undefined, /non-empty/],
    ['a block without type', request('bad', 'hi', { messages: [{ role: 'user', content: [{ text: 'x' }] }] }), undefined, /content\.0\.type/],
    ['stream in batch params', request('bad', 'hi', { stream: true }), undefined, /stream/],
    [
      'five cache breakpoints',
      request('bad', 'hi', {
        messages: [{ role: 'user', content: Array.from({ length: 5 }, () => ({ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } })) }],
      }),
      undefined,
      /maximum of 4 blocks/,
    ],
  ])('bad params are accepted at create and come back as an errored result at the end: %s', async (_name, bad, betas, message) => {
    const { client } = await start();
    const batch = await client.beta.messages.batches.create({
      requests: [request('ok-1'), bad, request('ok-2')] as Anthropic.Beta.Messages.BatchCreateParams['requests'],
      ...(betas ? { betas } : {}),
    });
    expect(batch.processing_status).toBe('in_progress');
    expect(batch.request_counts.processing).toBe(3);
    const ended = await waitEnded(client, batch.id);
    expect(ended.request_counts).toMatchObject({ succeeded: 2, errored: 1 });
    const lines = await results(client, batch.id);
    const byId = new Map(lines.map((l) => [l.custom_id, l.result]));
    expect(byId.get('ok-1')?.type).toBe('succeeded');
    expect(byId.get('ok-2')?.type).toBe('succeeded');
    expect(byId.get('bad')).toEqual({
      type: 'errored',
      error: { type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(message) }, request_id: null },
    });
  });

  it('more requests than the limit is a 400; a body above the byte limit is 413 request_too_large', async () => {
    const { client } = await start({ limits: { maxRequests: 3, maxBatchBytes: 2000 } });
    const e1 = await create(client, [request('a'), request('b'), request('c'), request('d')]);
    expect(e1?.status).toBe(400);
    expect((e1!.error as { error: { message: string } }).error.message).toMatch(/at most 3 requests/);
    const e2 = await create(client, [request('a', 'x'.repeat(3000))]);
    expect(e2?.status).toBe(413);
    expect(e2!.error).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });

  it('401 authentication_error without a key (or with the wrong one when apiKey is set); null accepts any', async () => {
    const { emulator } = await start();
    const res = await raw(emulator, '/v1/messages/batches', { key: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: expect.any(String) },
      request_id: res.headers.get('request-id'),
    });

    const { client: wrong } = await start({ apiKey: 'right-key' });
    await expect(wrong.beta.messages.batches.list()).rejects.toBeInstanceOf(Anthropic.AuthenticationError);

    const { emulator: open } = await start({ apiKey: null });
    expect((await raw(open, '/v1/messages/batches', { key: null })).status).toBe(200);
  });

  it('404 not_found_error for an unknown batch and an unknown route; the API key is never logged', async () => {
    const { client, emulator } = await start();
    const err = await client.beta.messages.batches.retrieve('msgbatch_nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ error: { type: 'not_found_error' } });
    const res = await raw(emulator, '/v1/nothing');
    expect(res.status).toBe(404);
    expect(JSON.stringify(emulator.log())).not.toContain('test');
  });
});
