import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderConfigReference, withReference } from '../../src/config/reference.js';

describe('configuration reference', () => {
  it('docs/configuration.md holds exactly the reference generated from the schema (run `npm run docs` when this fails)', async () => {
    const readme = await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(withReference(readme)).toBe(readme);
  });

  it('lists every field, nested ones dotted, with defaults and descriptions', () => {
    const ref = renderConfigReference();
    for (const key of [
      'model',
      'maxTokens',
      'poll.initialMs',
      'budget.perRunUsd',
      'mirror.rules',
      'mirror.rules[].from',
      'packing.estimates[].match',
      'models.<id>.prices',
      'cache.warmupMinRequests',
    ]) {
      expect(ref).toContain(`| \`${key}\` |`);
    }
    // No fixed default: the model's ceiling (the reference says so).
    expect(ref).toMatch(/\| `maxTokens` \| integer \| {2}\| .*Default: the model's ceiling/);
    expect(ref).toMatch(/\| `syncMaxTokens` \| integer \| {2}\| .*Default: that ceiling/);
    expect(ref).toMatch(/\| `planner` \| "list" \\\| "mirror" \\\| "llm" \| `"list"` \|/);
  });
});
