/** The emulator's prompt cache with several breakpoints: each breakpoint's prefix is an entry; the longest cached one is read. */
import { describe, expect, it } from 'vitest';
import { PromptCache } from '../../src/emulator/cache.js';
import type { ResponderParams } from '../../src/emulator/types.js';
import { findModel } from '../../src/emulator/model-facts.js';
import { countTokens as estimateTokens } from '../../src/emulator/token-count.js';

const model = { ...findModel('claude-opus-4-8')!, minCacheTokens: 100 };
const codebase = 'export const a = 1;\n'.repeat(200);
const stage = 'export const b = 2;\n'.repeat(50);
const plan = (n: number) => `- \`a.ts\` — the file ${n}\n`.repeat(10);
const cc = { type: 'ephemeral', ttl: '1h' };
const params = (...cached: string[]): ResponderParams =>
  ({
    model: model.id,
    max_tokens: 10,
    system: 'sys',
    messages: [
      { role: 'user', content: [...cached.map((text) => ({ type: 'text', text, cache_control: cc })), { type: 'text', text: 'write a.ts' }] },
    ],
  }) as unknown as ResponderParams;
const t = (...texts: string[]) => texts.reduce((n, x) => n + estimateTokens(x), 0);

describe('PromptCache with the codebase, the earlier stages and the plan as three breakpoints', () => {
  it('writes each segment under its breakpoint; an edited plan reads codebase + stage and writes the plan only', () => {
    const cache = new PromptCache(null);
    const now = Date.parse('2026-01-01T00:00:00Z');
    const first = cache.account(params(codebase, stage, plan(1)), model, now);
    expect(first.cache_read_input_tokens).toBe(0);
    expect(first.cache_creation.ephemeral_1h_input_tokens).toBe(t('sys', codebase, stage, plan(1)));

    const edited = cache.account(params(codebase, stage, plan(2)), model, now + 1000);
    expect(edited.cache_read_input_tokens).toBe(t('sys', codebase, stage));
    expect(edited.cache_creation_input_tokens).toBe(t(plan(2)));

    const nextStage = cache.account(params(codebase, `${stage}// more\n`, plan(2)), model, now + 2000);
    expect(nextStage.cache_read_input_tokens).toBe(t('sys', codebase));
    expect(nextStage.cache_creation_input_tokens).toBe(t(`${stage}// more\n`, plan(2)));

    const same = cache.account(params(codebase, stage, plan(1)), model, now + 3000);
    expect(same.cache_read_input_tokens).toBe(t('sys', codebase, stage, plan(1)));
    expect(same.cache_creation_input_tokens).toBe(0);
    expect(same.input_tokens).toBe(t('write a.ts'));
  });
});
