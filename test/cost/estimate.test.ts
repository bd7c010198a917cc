/** The estimate counts the cache breakpoint by breakpoint, as the API (and the emulator) does. */
import { describe, expect, it } from 'vitest';
import { estimateRequests, requestTokens } from '../../src/cost/estimate.js';
import { resolveModel } from '../../src/models/models.js';
import { estimateTokens } from '../../src/shared/tokens.js';

const model = { ...resolveModel('claude-opus-4-8'), minCacheTokens: 100 };
const codebase = 'export const a = 1;\n'.repeat(200);
const stage = 'export const b = 2;\n'.repeat(50);
const plan = (n: number) => `# The plan\n\n- \`a.ts\` — the file ${n}\n`.repeat(10);
const cached = (text: string) => ({ type: 'text', text, cache_control: { type: 'ephemeral', ttl: '1h' } });
const req = (...blocks: unknown[]) => ({ params: { system: 'sys', messages: [{ content: [...blocks, { type: 'text', text: 'write a.ts' }] }] } });

const tokens = (...texts: string[]) => texts.reduce((n, t) => n + estimateTokens(t), 0);
const run = (requests: ReturnType<typeof req>[], warm?: boolean | number) =>
  estimateRequests({ requests, expectedOutput: requests.map(() => 10), maxTokens: 100, model, hitRate: 1, ...(warm !== undefined ? { warm } : {}) })
    .usage;

describe('estimateRequests with several breakpoints', () => {
  const a = req(cached(codebase), cached(stage), cached(plan(1)));
  const b = req(cached(codebase), cached(stage), cached(plan(2)));
  const c = req(cached(codebase), cached(plan(1)));

  it('the cacheable part runs to the last breakpoint', () => {
    expect(requestTokens(a)).toEqual({ cacheable: tokens('sys', codebase, stage, plan(1)), uncached: tokens('write a.ts') });
  });

  it('the first request writes every prefix; a request with the same prefix reads it all', () => {
    const u = run([a, a]);
    expect(u.cache_creation_input_tokens).toBe(tokens('sys', codebase, stage, plan(1)));
    expect(u.cache_creation_1h_input_tokens).toBe(u.cache_creation_input_tokens);
    expect(u.cache_read_input_tokens).toBe(tokens('sys', codebase, stage, plan(1)));
    expect(u.input_tokens).toBe(2 * tokens('write a.ts'));
  });

  it('a request whose plan differs reads the codebase and the stage block and writes its plan only', () => {
    const u = run([a, b]);
    expect(u.cache_read_input_tokens).toBe(tokens('sys', codebase, stage));
    expect(u.cache_creation_input_tokens).toBe(tokens('sys', codebase, stage, plan(1)) + tokens(plan(2)));
  });

  it('another stage block: the codebase is read, the rest written', () => {
    const u = run([a, c]);
    expect(u.cache_read_input_tokens).toBe(tokens('sys', codebase));
    expect(u.cache_creation_input_tokens).toBe(tokens('sys', codebase, stage, plan(1)) + tokens(plan(1)));
  });

  it('warm: true reads the whole prefix; warm: 1 the codebase only (the rest is written once)', () => {
    expect(run([a, a], true)).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 2 * tokens('sys', codebase, stage, plan(1)) });
    const one = run([a, a], 1);
    expect(one.cache_creation_input_tokens).toBe(tokens(stage, plan(1)));
    expect(one.cache_read_input_tokens).toBe(tokens('sys', codebase) + tokens('sys', codebase, stage, plan(1)));
  });

  it('a prefix below the minimum cacheable length is plain input', () => {
    const small = req(cached('tiny'), cached('plan'));
    expect(run([small, small])).toMatchObject({
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      input_tokens: 2 * tokens('sys', 'tiny', 'plan', 'write a.ts'),
    });
  });
});
