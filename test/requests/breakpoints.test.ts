/** Breakpoint placement (requests/breakpoints.ts): at most four, the last kept, the least useful dropped first. */
import { describe, expect, it } from 'vitest';
import { placeBreakpoints } from '../../src/requests/breakpoints.js';

describe('placeBreakpoints', () => {
  it('four cached blocks or fewer: every one keeps its breakpoint', () => {
    expect(placeBreakpoints([{ shared: 10, tokens: 5000 }])).toEqual([true]);
    expect(
      placeBreakpoints([
        { shared: 10, tokens: 5000 },
        { shared: 10, tokens: 300 },
        { shared: 10, tokens: 200 },
        { shared: 3, tokens: 4000 },
      ]),
    ).toEqual([true, true, true, true]);
  });

  it('five: drops one whose next breakpoint caches the same requests, the smallest such segment first', () => {
    const on = placeBreakpoints([
      { shared: 12, tokens: 6000 }, // map
      { shared: 12, tokens: 900 }, // earlier stages
      { shared: 12, tokens: 150 }, // plan
      { shared: 4, tokens: 2000 }, // group
      { shared: 1, tokens: 700 }, // per-request block
    ]);
    expect(on).toEqual([true, false, true, true, true]);
  });

  it('no redundant one: drops the breakpoint ending the smallest segment; the last always stays', () => {
    const on = placeBreakpoints([
      { shared: 50, tokens: 6000 },
      { shared: 20, tokens: 100 },
      { shared: 10, tokens: 3000 },
      { shared: 5, tokens: 2000 },
      { shared: 1, tokens: 50 },
    ]);
    expect(on).toEqual([true, false, true, true, true]);
    expect(
      placeBreakpoints(
        [
          { shared: 3, tokens: 1 },
          { shared: 2, tokens: 1 },
          { shared: 1, tokens: 1 },
        ],
        1,
      ),
    ).toEqual([false, false, true]);
  });

  it('never more than the limit, whatever the blocks', () => {
    for (let n = 1; n <= 9; n++) {
      const blocks = Array.from({ length: n }, (_, i) => ({ shared: n - i, tokens: (i * 37) % 11 }));
      const on = placeBreakpoints(blocks);
      expect(on.filter(Boolean).length).toBe(Math.min(4, n));
      expect(on[n - 1]).toBe(true);
    }
  });
});
