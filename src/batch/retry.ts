/**
 * The outer retry around the SDK's own retries: when the API stays down through the SDK's
 * attempts (429 bursts, 5xx, resets), wait longer and try again before giving up with exit 1.
 */
import Anthropic from '@anthropic-ai/sdk';
import { HarnessError } from '../shared/errors.js';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function isTransient(error: unknown): boolean {
  if (error instanceof Anthropic.APIConnectionError) return true; // includes timeouts
  if (error instanceof Anthropic.APIError) {
    const s = error.status;
    return s === undefined || s === 408 || s === 409 || s === 429 || s >= 500;
  }
  return false;
}

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  sleep?: Sleep;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export async function withRetry<T>(what: string, fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? realSleep;
  let delay = options.baseDelayMs ?? 2_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransient(error) || attempt >= attempts) throw apiError(what, error);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
      delay = Math.min(delay * 2, 60_000);
    }
  }
}

/** An SDK error as a HarnessError (exit 1), with the request id but never headers or keys. */
export function apiError(what: string, error: unknown): HarnessError {
  if (error instanceof HarnessError) return error;
  if (error instanceof Anthropic.APIError) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    const type = body?.error?.type ?? `HTTP ${error.status ?? '?'}`;
    const msg = body?.error?.message ?? error.message;
    const rid = error.requestID ? ` (request-id ${error.requestID})` : '';
    return new HarnessError('API', `${what} failed: ${type}: ${msg}${rid}`, { cause: error });
  }
  const msg = error instanceof Error ? error.message : String(error);
  return new HarnessError('API', `${what} failed: ${msg}`, { cause: error });
}
