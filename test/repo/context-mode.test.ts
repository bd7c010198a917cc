/** The context mode decision (repo/context.ts decideContextMode) and the window check counting max_tokens. */
import { describe, expect, it } from 'vitest';
import { assertContextFits, buildContext, decideContextMode } from '../../src/repo/context.js';
import type { ModelInfo } from '../../src/models/models.js';
import { HarnessError } from '../../src/shared/errors.js';

describe('decideContextMode', () => {
  it('auto: full when context + reserve + max_tokens fit the window, map otherwise; full and map as set', () => {
    expect(decideContextMode('auto', 600_000, 50_000, 300_000, 1_000_000)).toBe('full');
    expect(decideContextMode('auto', 650_001, 50_000, 300_000, 1_000_000)).toBe('map');
    // The case: a 900K codebase with max_tokens 128K on a 1M window does not fit: the output shares the window.
    expect(decideContextMode('auto', 900_000, 50_000, 128_000, 1_000_000)).toBe('map');
    expect(decideContextMode('full', 900_000, 50_000, 128_000, 1_000_000)).toBe('full');
    expect(decideContextMode('map', 10, 50_000, 128_000, 1_000_000)).toBe('map');
  });
});

describe('assertContextFits with max_tokens', () => {
  const files = [{ path: 'src/a.ts', size: 1000, content: 'export const a = 1;\n'.repeat(50) }];
  const ctx = buildContext(files);
  const model = (contextWindow: number): ModelInfo => ({
    id: 'm',
    label: 'M',
    contextWindow,
    maxOutput: 8000,
    extendedMaxOutput: null,
    prices: null,
    minCacheTokens: 1024,
    output300k: 'no',
    thinking: { budget: 'no', adaptive: 'no' },
  });

  it('counts max_tokens in, and says so in the message and the hint', () => {
    expect(() => assertContextFits(ctx, files, model(ctx.tokens + 1_500), 1_000, [], 500)).not.toThrow();
    let err: unknown;
    try {
      assertContextFits(ctx, files, model(ctx.tokens + 1_499), 1_000, [], 500);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).message).toContain('+ max_tokens 500 (the output shares the window)');
    expect((err as HarnessError).hint).toContain('context.mode');
  });
});
