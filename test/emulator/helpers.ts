/** Shared set-up of the emulator tests: an emulator per test (port 0) and a real SDK client on it. */
import Anthropic from '@anthropic-ai/sdk';
import { afterEach } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { makeTempDir } from '../helpers/tmp.js';

const open: Emulator[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

export async function start(options: EmulatorOptions = {}): Promise<{ emulator: Emulator; client: Anthropic }> {
  const emulator = await startEmulator({ processingMs: 100, ...options });
  open.push(emulator);
  return { emulator, client: clientFor(emulator) };
}

export function clientFor(emulator: Emulator, options: { maxRetries?: number; apiKey?: string } = {}): Anthropic {
  return new Anthropic({ baseURL: emulator.url, apiKey: options.apiKey ?? 'test', maxRetries: options.maxRetries ?? 0 });
}

export const tempDir = () => makeTempDir('emu-test-');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const MODEL = 'claude-sonnet-4-6';

export function request(customId: string, text = 'Say hello.', more: Record<string, unknown> = {}) {
  return {
    custom_id: customId,
    params: { model: MODEL, max_tokens: 1000, messages: [{ role: 'user' as const, content: text }], ...more },
  };
}

/** Polls until the batch has ended. */
export async function waitEnded(client: Anthropic, id: string, timeoutMs = 10_000) {
  const t0 = Date.now();
  for (;;) {
    const b = await client.beta.messages.batches.retrieve(id);
    if (b.processing_status === 'ended') return b;
    if (Date.now() - t0 > timeoutMs) throw new Error(`batch ${id} did not end`);
    await sleep(20);
  }
}

export async function results(client: Anthropic, id: string) {
  const out = [];
  for await (const line of await client.beta.messages.batches.results(id)) out.push(line);
  return out;
}

/** Raw HTTP to the emulator with the SDK's required headers (for shapes the SDK hides). */
export function raw(emulator: Emulator, pathname: string, init: RequestInit & { key?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set('x-api-key', init.key ?? 'test');
  if (!headers.has('anthropic-version')) headers.set('anthropic-version', '2023-06-01');
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return fetch(`${emulator.url}${pathname}`, { ...init, headers });
}
