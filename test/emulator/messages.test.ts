/** POST /v1/messages (plain and SSE), count_tokens, and prompt-cache accounting, through the SDK. */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { countTokens as estimateTokens } from '../../src/emulator/token-count.js';
import { MODEL, results, start, waitEnded } from './helpers.js';

const BIG = Array.from({ length: 1500 }, (_, i) => `line ${i}: const value = compute(input);`).join('\n');
const BIG_TOKENS = estimateTokens(BIG);

function cached(text: string, ttl?: '5m' | '1h') {
  return { type: 'text' as const, text, cache_control: ttl ? { type: 'ephemeral' as const, ttl } : { type: 'ephemeral' as const } };
}

function params(
  blocks: Anthropic.TextBlockParam[],
  more: Partial<Anthropic.MessageCreateParamsNonStreaming> = {},
): Anthropic.MessageCreateParamsNonStreaming {
  return { model: MODEL, max_tokens: 500, messages: [{ role: 'user', content: blocks }], ...more };
}

describe('emulator: messages', () => {
  it('non-streaming: a full Message with usage (service_tier standard)', async () => {
    const { client, emulator } = await start();
    const msg = await client.messages.create(params([{ type: 'text', text: 'Hello there' }]));
    expect(msg).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'end_turn', stop_sequence: null });
    expect(msg.id).toMatch(/^msg_/);
    const text = msg.content[0]!.type === 'text' ? msg.content[0]!.text : '';
    expect(text).toContain('placeholder');
    expect(msg.usage).toMatchObject({ input_tokens: estimateTokens('Hello there'), output_tokens: estimateTokens(text), service_tier: 'standard' });
    expect(emulator.stats().messages).toBe(1);
    expect(emulator.stats().usage.output_tokens).toBe(msg.usage.output_tokens);
  });

  it('streaming: the SDK stream gives text events and a finalMessage equal to the non-streamed answer', async () => {
    const text = 'x'.repeat(300) + ' — and some unicode: 😀 日本語 ' + 'y'.repeat(100);
    const { client } = await start({ responder: () => text });
    const stream = client.messages.stream(params([{ type: 'text', text: 'Hi' }]));
    const events: string[] = [];
    let streamed = '';
    stream.on('text', (delta) => (streamed += delta));
    stream.on('streamEvent', (e) => events.push(e.type));
    const final = await stream.finalMessage();
    expect(streamed).toBe(text);
    expect(final.content).toEqual([{ type: 'text', text, citations: null }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(estimateTokens(text));
    expect(final.usage.input_tokens).toBe(estimateTokens('Hi'));
    expect(events[0]).toBe('message_start');
    expect(events[1]).toBe('content_block_start');
    expect(events.filter((e) => e === 'content_block_delta').length).toBeGreaterThan(3);
    expect(events.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('the raw SSE stream has the event sequence of the API, with a ping', async () => {
    const { emulator } = await start({ responder: () => 'abc' });
    const res = await fetch(`${emulator.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...params([{ type: 'text', text: 'Hi' }]), stream: true }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await res.text();
    const names = [...body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(body).toContain('"stop_reason":"end_turn"');
  });

  it('max_tokens truncates (stop_reason max_tokens, output_tokens = max_tokens); above the model ceiling is a 400, unknown model a 404', async () => {
    const { client } = await start({ responder: () => 'word '.repeat(100), models: { 'claude-haiku-4-5': { maxTokens: 8000 } } });
    const msg = await client.messages.create(params([{ type: 'text', text: 'Hi' }], { max_tokens: 11 }));
    expect(msg.stop_reason).toBe('max_tokens');
    expect(msg.usage.output_tokens).toBe(11);
    expect(msg.content[0]).toMatchObject({ text: 'word '.repeat(11).trimEnd() });
    await expect(
      client.messages.create(params([{ type: 'text', text: 'Hi' }], { model: 'claude-haiku-4-5', max_tokens: 8_001 })),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(client.messages.create(params([{ type: 'text', text: 'Hi' }], { model: 'claude-unknown-9' }))).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
  });

  it('the 300K beta does not raise the ceiling of synchronous calls', async () => {
    const { client } = await start();
    const err = await client.beta.messages
      .create({ ...params([{ type: 'text', text: 'Hi' }], { max_tokens: 200_000 }), stream: true, betas: ['output-300k-2026-03-24'] } as never)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
  });

  it('stream-error fault: an error event mid-stream makes the SDK stream reject with overloaded_error', async () => {
    const { client, emulator } = await start({
      responder: () => 'z'.repeat(500),
      faults: { http: [{ kind: 'stream-error', path: '^/v1/messages$', afterChars: 100 }] },
    });
    const stream = client.messages.stream(params([{ type: 'text', text: 'Hi' }]));
    let got = '';
    stream.on('text', (d) => (got += d));
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(got).toBe('z'.repeat(100));
    expect(emulator.log().at(-1)).toMatchObject({ path: '/v1/messages', status: 200, fault: 'stream-error' });
    // consumed: the next stream completes
    const ok = await client.messages.stream(params([{ type: 'text', text: 'Hi' }])).finalMessage();
    expect(ok.content[0]).toMatchObject({ text: 'z'.repeat(500) });
  });
});

describe('emulator: count_tokens and cache accounting', () => {
  it('count_tokens equals input + cache write + cache read of the usage of the same request', async () => {
    const { client, emulator } = await start();
    const p = params([cached(BIG, '1h'), { type: 'text', text: 'Now write the file.' }], {
      system: [{ type: 'text', text: 'You write code.' }],
    });
    const { max_tokens: _m, ...countParams } = p;
    const counted = await client.messages.countTokens(countParams);
    expect(counted).toEqual({ input_tokens: BIG_TOKENS + estimateTokens('Now write the file.') + estimateTokens('You write code.') });
    for (let i = 0; i < 2; i++) {
      const u = (await client.messages.create(p)).usage;
      expect(u.input_tokens + u.cache_creation_input_tokens! + u.cache_read_input_tokens!).toBe(counted.input_tokens);
    }
    expect(emulator.stats().countTokens).toBe(1);
  });

  it('count_tokens refuses the generation fields (max_tokens, stream, temperature) as the API does: 400 naming the field', async () => {
    const { client } = await start();
    const p = params([{ type: 'text', text: 'Count me.' }]);
    for (const extra of [{}, { stream: false }, { temperature: 0.5 }]) {
      const sent = { ...p, ...extra } as unknown as Parameters<typeof client.messages.countTokens>[0];
      await expect(client.messages.countTokens(sent)).rejects.toMatchObject({ status: 400, message: /max_tokens: Extra inputs are not permitted/ });
    }
    const { max_tokens: _m, ...countParams } = p;
    await expect(client.messages.countTokens({ ...countParams, temperature: 0.5 } as unknown as typeof countParams)).rejects.toMatchObject({
      status: 400,
      message: /temperature: Extra inputs are not permitted/,
    });
  });

  it('first request writes (1h split), the second reads; one byte changed misses; below minCacheTokens nothing is cached', async () => {
    const { client } = await start();
    const tail = { type: 'text' as const, text: 'Write src/a.ts' };
    const u1 = (await client.messages.create(params([cached(BIG, '1h'), tail]))).usage;
    expect(u1).toMatchObject({
      input_tokens: estimateTokens(tail.text),
      cache_creation_input_tokens: BIG_TOKENS,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: BIG_TOKENS },
    });
    const u2 = (await client.messages.create(params([cached(BIG, '1h'), { type: 'text', text: 'Write src/b.ts' }]))).usage;
    expect(u2).toMatchObject({
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: BIG_TOKENS,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    });

    const changed = BIG.replace('line 700:', 'line 700;');
    const u3 = (await client.messages.create(params([cached(changed, '1h'), tail]))).usage;
    expect(u3).toMatchObject({ cache_creation_input_tokens: estimateTokens(changed), cache_read_input_tokens: 0 });

    const other = (await client.messages.create(params([cached(BIG, '1h'), tail], { model: 'claude-opus-4-6' }))).usage;
    expect(other.cache_read_input_tokens).toBe(0); // the cache is per model

    const small = 'a short prefix';
    const u4 = (await client.messages.create(params([cached(small), tail]))).usage;
    expect(u4).toMatchObject({
      input_tokens: estimateTokens(small) + estimateTokens(tail.text),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });

  it('two breakpoints: a cached system prompt read, the longer prefix written under its own TTL (5m by default)', async () => {
    const { client } = await start();
    const system = [cached(BIG, '1h')];
    const u1 = (await client.messages.create(params([{ type: 'text', text: 'q1' }], { system }))).usage;
    expect(u1.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: BIG_TOKENS });
    const doc = 'document body '.repeat(50);
    const u2 = (await client.messages.create(params([cached(doc), { type: 'text', text: 'q2' }], { system }))).usage;
    expect(u2).toMatchObject({
      cache_read_input_tokens: BIG_TOKENS,
      cache_creation_input_tokens: estimateTokens(doc),
      cache_creation: { ephemeral_5m_input_tokens: estimateTokens(doc), ephemeral_1h_input_tokens: 0 },
      input_tokens: estimateTokens('q2'),
    });
  });

  it('within a batch, requests are processed in order: the first writes, the later ones read; shared with /v1/messages', async () => {
    const { client, emulator } = await start({ processingMs: 50, concurrency: 1 });
    const req = (id: string) => ({ custom_id: id, params: params([cached(BIG, '1h'), { type: 'text', text: `task ${id}` }]) });
    const batch = await client.beta.messages.batches.create({ requests: [req('r1'), req('r2'), req('r3')] });
    await waitEnded(client, batch.id);
    const lines = await results(client, batch.id);
    const usage = (id: string) => {
      const r = lines.find((l) => l.custom_id === id)!.result;
      if (r.type !== 'succeeded') throw new Error(r.type);
      return r.message.usage;
    };
    expect(usage('r1')).toMatchObject({ cache_creation_input_tokens: BIG_TOKENS, cache_read_input_tokens: 0, service_tier: 'batch' });
    expect(usage('r2')).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: BIG_TOKENS });
    expect(usage('r3')).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: BIG_TOKENS });
    const sync = (await client.messages.create(req('s').params)).usage;
    expect(sync.cache_read_input_tokens).toBe(BIG_TOKENS);
    expect(emulator.stats().usage.cache_read_input_tokens).toBe(3 * BIG_TOKENS);
    expect(emulator.stats().usage.cache_creation_input_tokens).toBe(BIG_TOKENS);
  });

  it('requests running at once all pay the write; a warm-up call before the batch lets every one read', async () => {
    const { client } = await start({ processingMs: 60, concurrency: 2 });
    const req = (id: string) => ({ custom_id: id, params: params([cached(BIG, '1h'), { type: 'text', text: `task ${id}` }]) });
    const usages = async (ids: string[]) => {
      const batch = await client.beta.messages.batches.create({ requests: ids.map(req) });
      await waitEnded(client, batch.id);
      return (await results(client, batch.id)).map((l) => (l.result.type === 'succeeded' ? l.result.message.usage : null));
    };
    // Cold: the first wave of two both write; the next wave reads.
    const cold = await usages(['a1', 'a2', 'a3', 'a4']);
    expect(cold.map((u) => u?.cache_creation_input_tokens)).toEqual([BIG_TOKENS, BIG_TOKENS, 0, 0]);
    expect(cold.map((u) => u?.cache_read_input_tokens)).toEqual([0, 0, BIG_TOKENS, BIG_TOKENS]);
    // A different prefix, warmed by one synchronous call first: every batch request reads.
    const warmReq = (id: string) => ({ custom_id: id, params: params([cached(`${BIG} warm`, '1h'), { type: 'text', text: `task ${id}` }]) });
    const warm = await client.messages.create({ ...warmReq('w').params, max_tokens: 1 });
    expect(warm.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    const batch = await client.beta.messages.batches.create({ requests: ['b1', 'b2', 'b3'].map(warmReq) });
    await waitEnded(client, batch.id);
    const lines = await results(client, batch.id);
    for (const l of lines) {
      if (l.result.type !== 'succeeded') throw new Error(l.result.type);
      expect(l.result.message.usage.cache_creation_input_tokens).toBe(0);
      expect(l.result.message.usage.cache_read_input_tokens).toBeGreaterThan(0);
    }
  });

  it('top-level cache_control marks the last block', async () => {
    const { client } = await start();
    const p = { ...params([{ type: 'text', text: BIG }]), cache_control: { type: 'ephemeral' as const } };
    const u1 = (await client.messages.create(p)).usage;
    expect(u1.cache_creation?.ephemeral_5m_input_tokens).toBe(BIG_TOKENS);
    const u2 = (await client.messages.create(p)).usage;
    expect(u2.cache_read_input_tokens).toBe(BIG_TOKENS);
  });
});
