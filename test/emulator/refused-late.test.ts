/**
 * Through the real CLI: batch requests the emulator accepts at create and refuses only when it
 * processes them (an `errored` result, `invalid_request_error`), as the real API does: here its own
 * model facts say the model takes no 300K-output beta, which the harness's table gives it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, withEmulator } from '../helpers/emulator.js';
import { makeTarget, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('a batch request refused only at the end', () => {
  it('the batch is created, its requests come back errored, and run fails the tasks with the API message', async () => {
    // Opus 4.8 without the 300K beta in the emulator's facts (the Models API does not tell).
    h = await withEmulator({ models: { 'claude-opus-4-8': { batchBetaMaxTokens: null } } });
    const repo = await makeTarget();
    const r = await h.run(repo, 'run');
    expect(h.emulator.stats().batchesCreated).toBeGreaterThanOrEqual(1);
    expect(h.emulator.log().some((e) => e.method === 'POST' && e.path === '/v1/messages/batches' && e.status === 400)).toBe(false);
    expect(r.code).toBe(3); // some tasks failed
    expect(r.stderr + r.stdout).toMatch(/the output-300k-2026-03-24 beta is not supported for claude-opus-4-8/);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.counts.done).toBe(0);
    expect(s.counts.failed).toBe(6);
  });
});
