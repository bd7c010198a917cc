/**
 * One synchronous streaming Messages call (`refine`, the llm planner), retried when it fails
 * transiently: an `overloaded_error` or `api_error` event in the middle of the stream, or a 429 /
 * 5xx / connection failure that outlasted the SDK's own retries. Nothing the stream delivered is
 * used before it has ended (the caller only gets the final message), so a stream cut half-way is
 * simply made again from scratch. Waits 2 s, then 4 s between attempts.
 *
 * An attempt cut after the API had started its answer may be billed: its usage (what the stream
 * reported, with the output received so far) is handed to `onBilledFailure` so the caller counts it.
 */
import Anthropic from '@anthropic-ai/sdk';
import { usageFromApi, type Usage } from '../cost/usage.js';
import { estimateTokens } from '../shared/tokens.js';
import { apiError, isTransient, realSleep, type Sleep } from './retry.js';

export type StreamParams = Anthropic.Messages.MessageStreamParams;

/** What is used of an SDK message stream (`client.messages.stream(...)` returns one). */
export interface MessageStreamLike {
  finalMessage(): Promise<Anthropic.Messages.Message>;
  on?(event: 'text', listener: (delta: string) => void): unknown;
  readonly currentMessage?: Anthropic.Messages.Message | undefined;
}

/** What a streaming call needs of the SDK client (an `Anthropic` instance is one). */
export interface StreamClient {
  messages: { stream(params: StreamParams): MessageStreamLike };
}

export interface StreamCallOptions {
  /** What the call does, for error messages (`refining src/a.ts`). */
  what: string;
  /** Attempts in all (default 3). */
  attempts?: number;
  /** Wait before the first retry, doubled after each (default 2,000 ms). */
  baseDelayMs?: number;
  sleep?: Sleep;
  /** Text deltas as they arrive (display only: an attempt that fails later is thrown away). */
  onText?: (delta: string) => void;
  /** Before every attempt, the first included (a budget check). */
  beforeAttempt?: (attempt: number) => Promise<void>;
  /** An attempt that failed after the answer had begun, with what it may be billed for. */
  onBilledFailure?: (usage: Usage) => Promise<void> | void;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Error types the API sends that no retry can fix. */
const PERMANENT_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'billing_error',
]);

/** A failure worth another attempt: transient, and not an error the API says is permanent. */
function isRetryableStreamError(error: unknown): boolean {
  if (!isTransient(error)) return false;
  if (error instanceof Anthropic.APIError) {
    const type = (error.error as { error?: { type?: string } } | undefined)?.error?.type;
    if (type !== undefined && PERMANENT_TYPES.has(type)) return false;
  }
  return true;
}

export async function streamWithRetry(client: StreamClient, params: StreamParams, options: StreamCallOptions): Promise<Anthropic.Messages.Message> {
  const attempts = options.attempts ?? 3;
  const sleep = options.sleep ?? realSleep;
  let delay = options.baseDelayMs ?? 2_000;
  for (let attempt = 1; ; attempt++) {
    await options.beforeAttempt?.(attempt);
    let stream: MessageStreamLike | null = null;
    let received = '';
    try {
      stream = client.messages.stream(params);
      stream.on?.('text', (delta) => {
        received += delta;
        options.onText?.(delta);
      });
      return await stream.finalMessage();
    } catch (error) {
      const billed = billedUsage(stream, received);
      if (billed) await options.onBilledFailure?.(billed);
      if (!isRetryableStreamError(error) || attempt >= attempts) throw apiError(options.what, error);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
      delay *= 2;
    }
  }
}

/** The usage of an attempt the API had started to answer (message_start seen), else null. */
function billedUsage(stream: MessageStreamLike | null, received: string): Usage | null {
  let started: Anthropic.Messages.Message | undefined;
  try {
    started = stream?.currentMessage;
  } catch {
    started = undefined;
  }
  if (!started) return null;
  const usage = usageFromApi(started.usage);
  usage.output_tokens = Math.max(usage.output_tokens, estimateTokens(received));
  return usage;
}

/**
 * The text of a finished call's answer, or null when the model refused (`stop_reason: "refusal"`):
 * nothing that came before a refusal is used, a complete section included, as for a batch result.
 */
export function answerText(message: Pick<Anthropic.Messages.Message, 'stop_reason' | 'content'>): string | null {
  if (message.stop_reason === 'refusal') return null;
  return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}
