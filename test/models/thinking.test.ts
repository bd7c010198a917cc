/** Thinking config → the API's `thinking` param, per model; the budget comes out of max_tokens. */
import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../src/models/models.js';
import { planThinking } from '../../src/models/thinking.js';
import { HarnessError } from '../../src/shared/errors.js';

const sonnet = resolveModel('claude-sonnet-4-6'); // budget and adaptive
const opus47 = resolveModel('claude-opus-4-7'); // adaptive only
const haiku = resolveModel('claude-haiku-4-5'); // budget only
const opus48 = resolveModel('claude-opus-4-8'); // no source: unknown, sent as asked

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof HarnessError ? [e.code, e.exitCode, e.message] : ['other', 0, String(e)];
  }
  return null;
};

describe('planThinking', () => {
  it("'off' leaves the field out and reserves nothing", () => {
    expect(planThinking('off', sonnet, 300_000)).toEqual({ param: undefined, reservedTokens: 0 });
  });

  it('a budget is sent as budget_tokens and reserved out of max_tokens', () => {
    expect(planThinking({ budgetTokens: 16_000 }, sonnet, 300_000)).toEqual({
      param: { type: 'enabled', budget_tokens: 16_000 },
      reservedTokens: 16_000,
    });
    expect(planThinking({ budgetTokens: 2000 }, opus48, 8000).param).toEqual({ type: 'enabled', budget_tokens: 2000 });
  });

  it("'adaptive' is sent as such where the model has it (or no source says it lacks it)", () => {
    expect(planThinking('adaptive', opus47, 128_000)).toEqual({ param: { type: 'adaptive' }, reservedTokens: 0 });
    expect(planThinking('adaptive', opus48, 128_000).param).toEqual({ type: 'adaptive' });
  });

  it('what the API would refuse is exit 2 naming the config', () => {
    expect(code(() => planThinking({ budgetTokens: 8000 }, sonnet, 8000, 'harness.config.ts'))).toEqual([
      'BAD_CONFIG',
      2,
      'thinking.budgetTokens 8000 must be below maxTokens 8000: the budget comes out of max_tokens',
    ]);
    expect(code(() => planThinking({ budgetTokens: 1000 }, sonnet, 8000))?.[2]).toMatch(/at least 1024/);
    expect(code(() => planThinking('adaptive', haiku, 8000))?.[2]).toMatch(/'adaptive' is not supported by Claude Haiku 4\.5/);
    expect(code(() => planThinking({ budgetTokens: 2000 }, opus47, 8000))?.[2]).toMatch(/a budget is not supported by Claude Opus 4\.7/);
  });
});
