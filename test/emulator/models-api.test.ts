/** The emulator's Models API and its own model facts: the SDK's ModelInfo shape, lifecycle, overrides, retired models refused. */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { request, start, waitEnded, results } from './helpers.js';

const ask = { model: 'claude-opus-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('emulator: GET /v1/models/{id}', () => {
  it('answers in the SDK shape: window, ceiling, lifecycle, batch and thinking capabilities', async () => {
    const { client } = await start();
    const m = await client.models.retrieve('claude-haiku-4-5');
    expect(m).toMatchObject({
      type: 'model',
      id: 'claude-haiku-4-5',
      display_name: 'Claude Haiku 4.5',
      line: 'haiku',
      lifecycle: 'active',
      deprecated_at: null,
      retires_at: null,
      max_input_tokens: 200_000,
      max_tokens: 64_000,
      capabilities: { batch: { supported: true }, thinking: { types: { enabled: { supported: true }, adaptive: { supported: false } } } },
    });
    expect(Date.parse(m.created_at)).not.toBeNaN();
    // an alias resolves to the model
    expect((await client.models.retrieve('claude-haiku-4-5-20251001')).id).toBe('claude-haiku-4-5');
    expect(await client.models.retrieve('claude-opus-4-7')).toMatchObject({ max_input_tokens: 1_000_000, max_tokens: 128_000 });
  });

  it('an unknown model is a 404 not_found_error', async () => {
    const { client } = await start();
    const err = await client.models.retrieve('claude-nope-9').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      error: { type: 'not_found_error', message: 'model: claude-nope-9' },
    });
  });

  it('overrides change any fact, and add a model', async () => {
    const retiresAt = '2027-01-05T00:00:00Z';
    const { client } = await start({
      models: {
        'claude-opus-4-6': { lifecycle: 'deprecated', deprecatedAt: '2026-10-01T00:00:00Z', retiresAt, contextWindow: 500_000 },
        'claude-sonnet-4-6': { batch: false },
        'tiny-model': { contextWindow: 40_000, maxTokens: 4000 },
      },
    });
    expect(await client.models.retrieve('claude-opus-4-6')).toMatchObject({
      lifecycle: 'deprecated',
      deprecated_at: '2026-10-01T00:00:00Z',
      retires_at: retiresAt,
      max_input_tokens: 500_000,
    });
    expect((await client.models.retrieve('claude-sonnet-4-6')).capabilities?.batch.supported).toBe(false);
    expect(await client.models.retrieve('tiny-model')).toMatchObject({ id: 'tiny-model', max_input_tokens: 40_000, max_tokens: 4000, line: null });
  });
});

describe('emulator: GET /v1/models', () => {
  it('lists active and deprecated models by default, retired ones only when asked; pages with limit/after_id', async () => {
    const { client } = await start({ models: { 'claude-opus-4-6': { lifecycle: 'retired', retiresAt: '2026-11-01T00:00:00Z' } } });
    const all: string[] = [];
    for await (const m of client.models.list({ limit: 3 })) all.push(m.id);
    expect(all).toContain('claude-opus-4-8');
    expect(all).not.toContain('claude-opus-4-6');
    expect(new Set(all).size).toBe(all.length);
    const first = await client.models.list({ limit: 3 });
    expect(first.data).toHaveLength(3);
    expect(first.has_more).toBe(true);
    const retired = await client.models.list({ lifecycle: ['retired'] });
    expect(retired.data.map((m) => m.id)).toEqual(['claude-opus-4-6']);
    expect(retired.data[0]).toMatchObject({ lifecycle: 'retired', retires_at: '2026-11-01T00:00:00Z' });
  });
});

describe('emulator: lifecycle in messages and batches', () => {
  it('a retired model is refused: 404 not_found_error on /v1/messages, an errored not_found_error result in a batch', async () => {
    const { client } = await start({ models: { 'claude-opus-4-6': { lifecycle: 'retired' } } });
    await expect(client.messages.create(ask)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const batch = await client.beta.messages.batches.create({ requests: [request('a', 'hi', { model: 'claude-opus-4-6' })] });
    await waitEnded(client, batch.id);
    expect((await results(client, batch.id))[0]?.result).toEqual({
      type: 'errored',
      error: { type: 'error', error: { type: 'not_found_error', message: 'model: claude-opus-4-6' }, request_id: null },
    });
  });

  it('a deprecated model still answers; a model without batch support is refused in batches only', async () => {
    const { client } = await start({ models: { 'claude-opus-4-6': { lifecycle: 'deprecated' }, 'claude-sonnet-4-6': { batch: false } } });
    expect((await client.messages.create(ask)).type).toBe('message');
    expect((await client.messages.create({ ...ask, model: 'claude-sonnet-4-6' })).type).toBe('message');
    const refused = await client.beta.messages.batches.create({ requests: [request('a')] });
    await waitEnded(client, refused.id);
    expect((await results(client, refused.id))[0]?.result).toMatchObject({
      type: 'errored',
      error: { error: { type: 'invalid_request_error', message: expect.stringMatching(/not available in the Message Batches API/) } },
    });
    const ok = await client.beta.messages.batches.create({ requests: [request('a', 'hi', { model: 'claude-opus-4-6' })] });
    await waitEnded(client, ok.id);
    expect((await results(client, ok.id))[0]?.result.type).toBe('succeeded');
  });
});
