/**
 * One answer of the offline model as an API Message: responder text, max_tokens, usage with caching.
 * The model's window holds input and output together: input alone over it is refused (400 `prompt is
 * too long`); input + `max_tokens` over it lets the reply run only to the window, and a reply cut
 * there stops with `model_context_window_exceeded`. With thinking on, a thinking block comes first.
 * A refusal (a result fault) answers a short text, no sections, with `stop_reason: "refusal"`.
 */
import { createHash } from 'node:crypto';
import { ApiError, newId } from './api-errors.js';
import { inputTokens, type PromptCache } from './cache.js';
import type { EmulatedModel } from './model-facts.js';
import { cutAtTokens } from './token-count.js';
import type { Responder, ResponderParams } from './types.js';

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  /** Present when the answer thought: how many of `output_tokens` were thinking. */
  output_tokens_details?: { thinking_tokens: number };
  service_tier: 'standard' | 'batch';
}

export type ThinkingContent = { type: 'thinking'; thinking: string; signature: string };
export type TextContent = { type: 'text'; text: string; citations: null };

export interface ApiMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: (ThinkingContent | TextContent)[];
  stop_reason: 'end_turn' | 'max_tokens' | 'model_context_window_exceeded' | 'refusal';
  stop_sequence: null;
  usage: Usage;
}

export interface AnswerInput {
  params: ResponderParams;
  model: EmulatedModel;
  customId: string | null;
  mode: 'batch' | 'sync';
  responder: Responder;
  cache: PromptCache;
  /** Time the request is processed at (cache TTLs). */
  now: number;
  /** When this request's cache writes become readable (default: `now`). */
  cacheReadyAt?: number;
  /** A truncate fault: cut here (default: half of the text's tokens) and report max_tokens. */
  truncateAt?: number | 'half';
  /** A batch cache miss: no cache read, the prefix is written again. */
  cacheMiss?: boolean;
  /**
   * A refusal fault: the model declines (`stop_reason: "refusal"`): a short text, or (`afterChars`)
   * the first characters of its answer.
   */
  refuse?: boolean | { afterChars: number };
}

/** What the offline model says when it declines. */
const REFUSAL_TEXT = "I'm sorry, but I can't help with this request.";

export async function answer(input: AnswerInput): Promise<ApiMessage> {
  const { params } = input;
  const prompt = inputTokens(params);
  const window = input.model.contextWindow;
  if (prompt > window) throw new ApiError(400, `prompt is too long: ${prompt} tokens > ${window} maximum`);
  const refused = input.refuse === true || typeof input.refuse === 'object';
  const full =
    input.refuse === true
      ? REFUSAL_TEXT
      : (await input.responder({ params, customId: input.customId, mode: input.mode })).slice(
          0,
          typeof input.refuse === 'object' ? input.refuse.afterChars : undefined,
        );
  if (typeof full !== 'string') throw new TypeError(`the responder returned ${typeof full}, not a string`);
  let limit = params.max_tokens;
  let forced = false;
  if (input.truncateAt !== undefined) {
    const all = cutAtTokens(full, Number.MAX_SAFE_INTEGER).tokens;
    const at = input.truncateAt === 'half' ? Math.floor(all / 2) : input.truncateAt;
    limit = Math.min(limit, at);
    forced = true;
  }
  // What is left of the window after the input: a reply that would run past it stops there.
  const room = window - prompt;
  const windowCut = room < limit;
  if (windowCut) limit = room;
  // With thinking on, a thinking block comes first; its tokens come out of max_tokens.
  const thought = refused ? null : thinkingBlock(params, limit);
  limit -= thought?.tokens ?? 0;
  const out = cutAtTokens(full, limit);
  const inputUsage = input.cache.account(params, input.model, input.now, input.cacheReadyAt ?? input.now, input.cacheMiss === true);
  const content: ApiMessage['content'] = thought ? [thought.block] : [];
  if (!(out.text === '' && out.truncated && limit === 0)) content.push({ type: 'text', text: out.text, citations: null });
  return {
    id: newId('msg_'),
    type: 'message',
    role: 'assistant',
    model: params.model,
    content,
    stop_reason: refused
      ? 'refusal'
      : out.truncated || forced
        ? windowCut && out.truncated
          ? 'model_context_window_exceeded'
          : 'max_tokens'
        : 'end_turn',
    stop_sequence: null,
    usage: {
      ...inputUsage,
      output_tokens: out.tokens + (thought?.tokens ?? 0),
      ...(thought ? { output_tokens_details: { thinking_tokens: thought.tokens } } : {}),
      service_tier: input.mode === 'batch' ? 'batch' : 'standard',
    },
  };
}

/**
 * The offline model's thinking, for a request with `thinking` enabled or adaptive: one short,
 * deterministic paragraph (within the budget and `max_tokens`) and a signature, as the API sends them.
 */
function thinkingBlock(params: ResponderParams, limit: number): { block: ThinkingContent; tokens: number } | null {
  const t = params.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
  if (!t || (t.type !== 'enabled' && t.type !== 'adaptive')) return null;
  const budget = t.type === 'enabled' && typeof t.budget_tokens === 'number' ? t.budget_tokens : limit;
  const last = params.messages[params.messages.length - 1];
  const asked = typeof last?.content === 'string' ? last.content.length : (last?.content ?? []).reduce((n, b) => n + (b.text?.length ?? 0), 0);
  const text = `The request is ${asked} characters long. I read the files it asks for, then write each one in the section format, complete, nothing else.`;
  const cut = cutAtTokens(text, Math.min(budget, limit));
  const signature = createHash('sha256').update(cut.text).digest('base64');
  return { block: { type: 'thinking', thinking: cut.text, signature }, tokens: cut.tokens };
}
