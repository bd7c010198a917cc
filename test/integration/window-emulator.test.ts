/**
 * The emulator's window, as the API's: input and output share the model's context window. Input
 * alone over it is refused (400 `prompt is too long` on /v1/messages, an errored
 * invalid_request_error result in a batch); input + `max_tokens` over it lets the reply run only to
 * the window and stop with `model_context_window_exceeded`. Tokens as the emulator counts them
 * (its own counter, not the harness's estimate).
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { countTokens as estimateTokens } from '../../src/emulator/token-count.js';
import { MODEL, results, start, waitEnded } from '../emulator/helpers.js';

const WINDOW = 3_000;
const models = { [MODEL]: { contextWindow: WINDOW } };
const PROMPT = Array.from({ length: 200 }, (_, i) => `line ${i} of the prompt`).join('\n');
const PROMPT_TOKENS = estimateTokens(PROMPT);
const REPLY = Array.from({ length: 400 }, (_, i) => `reply line ${i}`).join('\n');

function params(text: string, maxTokens: number): Anthropic.MessageCreateParamsNonStreaming {
  return { model: MODEL, max_tokens: maxTokens, messages: [{ role: 'user', content: [{ type: 'text', text }] }] };
}

describe('emulator: the context window', () => {
  it('input + max_tokens over the window: the reply stops at the window with model_context_window_exceeded', async () => {
    expect(PROMPT_TOKENS).toBeLessThan(WINDOW);
    expect(estimateTokens(REPLY)).toBeGreaterThan(WINDOW - PROMPT_TOKENS);
    const { client } = await start({ models, responder: () => REPLY });
    const msg = await client.messages.create(params(PROMPT, 2_000));
    expect(msg.stop_reason).toBe('model_context_window_exceeded');
    expect(msg.usage.input_tokens).toBe(PROMPT_TOKENS);
    expect(msg.usage.output_tokens).toBe(WINDOW - PROMPT_TOKENS);
    const text = msg.content[0]?.type === 'text' ? msg.content[0].text : '';
    expect(REPLY.startsWith(text)).toBe(true);
  });

  it('a reply that ends before the window ends normally; one cut by max_tokens inside the window says max_tokens', async () => {
    const { client } = await start({ models, responder: () => 'short reply' });
    expect((await client.messages.create(params(PROMPT, 2_000))).stop_reason).toBe('end_turn');
    const { client: other } = await start({ models, responder: () => REPLY });
    expect((await other.messages.create(params(PROMPT, 100))).stop_reason).toBe('max_tokens');
  });

  it('input alone over the window: 400 prompt is too long (sync), errored invalid_request_error (batch)', async () => {
    const big = `${PROMPT}\n${PROMPT}\n${PROMPT}\n${PROMPT}`;
    const { client, emulator } = await start({ models });
    const err = await client.messages.create(params(big, 10)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toMatch(new RegExp(`prompt is too long: ${estimateTokens(big)} tokens > ${WINDOW} maximum`));
    const batch = await client.beta.messages.batches.create({
      requests: [
        { custom_id: 'big', params: params(big, 10) },
        { custom_id: 'ok', params: params('hello', 10) },
      ],
    });
    await waitEnded(client, batch.id);
    const byId = new Map((await results(client, batch.id)).map((r) => [r.custom_id, r.result]));
    expect(byId.get('big')).toMatchObject({
      type: 'errored',
      error: { error: { type: 'invalid_request_error', message: expect.stringMatching(/prompt is too long/) } },
    });
    expect(byId.get('ok')?.type).toBe('succeeded');
    expect(emulator.stats().usage.input_tokens).toBe(estimateTokens('hello'));
  });
});
