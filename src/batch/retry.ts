/**
 * The outer retry around the SDK's own retries: when the API stays down through the SDK's
 * attempts (429 bursts, 5xx, resets), wait longer and try again before giving up with exit 1.
 */
import Anthropic from '@anthropic-ai/sdk';
import { HarnessError } from '../shared/errors.js';
import { isNetworkError, NETWORK_HINT, networkMessage } from './network.js';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function isTransient(error: unknown): boolean {
  if (error instanceof Anthropic.APIConnectionError) return true; // includes timeouts
  if (error instanceof HarnessError) return false;
  if (error instanceof Anthropic.APIError) {
    const s = error.status;
    return s === undefined || s === 408 || s === 409 || s === 429 || s >= 500;
  }
  // A response body cut mid-way, a reset socket: the SDK does not wrap these.
  return isNetworkError(error);
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

/**
 * An SDK (or network) error as a HarnessError (exit 1), with the request id but never headers or
 * keys. A connection failure names the API base URL tried; `hint` says what is left running and
 * what to run (a general one otherwise).
 */
export function apiError(what: string, error: unknown, options: { hint?: string } = {}): HarnessError {
  if (error instanceof HarnessError) return error;
  if (isNetworkError(error)) {
    return new HarnessError('API', `${what} failed: ${networkMessage(error)}`, { cause: error, hint: options.hint ?? NETWORK_HINT });
  }
  const hint = options.hint ? { hint: options.hint } : {};
  if (error instanceof Anthropic.APIError) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    const type = body?.error?.type ?? `HTTP ${error.status ?? '?'}`;
    const msg = body?.error?.message ?? error.message;
    const rid = error.requestID ? ` (request-id ${error.requestID})` : '';
    return new HarnessError('API', `${what} failed: ${type}: ${msg}${rid}`, { cause: error, ...hint });
  }
  const msg = error instanceof Error ? error.message : String(error);
  return new HarnessError('API', `${what} failed: ${msg}`, { cause: error, ...hint });
}
