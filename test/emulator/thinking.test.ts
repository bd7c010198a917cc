/** The emulator checks `thinking` like the API (types per model, budget ≥ 1024 and < max_tokens) and answers with a thinking block first. */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { countTokens } from '../../src/emulator/token-count.js';
import { request, results, start, waitEnded } from './helpers.js';

const ask = (model: string, max_tokens: number, thinking: unknown) =>
  ({ model, max_tokens, messages: [{ role: 'user' as const, content: 'Hi' }], thinking }) as Anthropic.MessageCreateParamsNonStreaming;

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as InstanceType<typeof Anthropic.APIError>,
  );

describe('emulator: thinking', () => {
  it('refuses what the API refuses, with its messages', async () => {
    const { client } = await start();
    const cases: [Anthropic.MessageCreateParamsNonStreaming, RegExp][] = [
      [
        ask('claude-sonnet-4-6', 4000, { type: 'enabled', budget_tokens: 1000 }),
        /thinking\.enabled\.budget_tokens: Input should be greater than or equal to 1024/,
      ],
      [ask('claude-sonnet-4-6', 4000, { type: 'enabled', budget_tokens: 4000 }), /max_tokens: must be greater than thinking\.budget_tokens/],
      [ask('claude-haiku-4-5', 4000, { type: 'adaptive' }), /'adaptive' is not supported for claude-haiku-4-5/],
      [ask('claude-opus-4-7', 4000, { type: 'enabled', budget_tokens: 2000 }), /'enabled' is not supported for claude-opus-4-7/],
      [ask('claude-sonnet-4-6', 4000, { type: 'sometimes' }), /thinking\.type/],
    ];
    for (const [params, message] of cases) {
      const err = await refusal(client.messages.create(params));
      expect(err, JSON.stringify(params.thinking)).toBeInstanceOf(Anthropic.BadRequestError);
      expect(err?.message).toMatch(message);
    }
  });

  it('answers with a thinking block first; its tokens are output, out of max_tokens, and reported apart', async () => {
    const { client } = await start({ responder: () => 'word '.repeat(50).trimEnd() });
    const msg = await client.messages.create(ask('claude-sonnet-4-6', 4000, { type: 'enabled', budget_tokens: 1024 }));
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    const thinking = msg.content[0] as Anthropic.ThinkingBlock;
    expect(thinking.signature).not.toBe('');
    const thought = countTokens(thinking.thinking);
    expect(thought).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBe(thought + 50);
    expect(msg.usage.output_tokens_details).toEqual({ thinking_tokens: thought });
    // streamed: the same blocks through the SDK's accumulator
    const final = await client.messages.stream(ask('claude-opus-4-7', 4000, { type: 'adaptive' })).finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect((final.content[0] as Anthropic.ThinkingBlock).thinking).toBe(thinking.thinking);
  });

  it('in a batch too; a bad thinking param comes back as an errored result', async () => {
    const { client } = await start();
    const batch = await client.beta.messages.batches.create({
      requests: [request('a', 'hi', { max_tokens: 3000, thinking: { type: 'enabled', budget_tokens: 2000 } })],
    });
    await waitEnded(client, batch.id);
    const [line] = await results(client, batch.id);
    expect(line?.result.type).toBe('succeeded');
    const message = (line!.result as { message: Anthropic.Message }).message;
    expect(message.content[0]?.type).toBe('thinking');
    const bad = await client.beta.messages.batches.create({
      requests: [request('a', 'hi', { max_tokens: 3000, thinking: { type: 'enabled', budget_tokens: 3000 } })],
    });
    await waitEnded(client, bad.id);
    const [refused] = await results(client, bad.id);
    expect(refused?.result).toMatchObject({
      type: 'errored',
      error: { error: { type: 'invalid_request_error', message: 'max_tokens: must be greater than thinking.budget_tokens' } },
    });
  });
});
