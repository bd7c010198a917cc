/** `harness estimate` shows low / expected / high; the budget caps hold at the high figure. */
import { afterEach, describe, expect, it } from 'vitest';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git } from '../helpers/git.js';
import { cacheableCodebase as codebase, makeTarget } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const config = (body: string) => ({ 'harness.config.mjs': `export default ${body};\n` });

describe('estimate: three figures', () => {
  it('--json carries low ≤ expected ≤ high; high writes every prefix and all of max_tokens; the text names each assumption', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { ...codebase(), ...config('{ cache: { warmup: false } }') } });
    const r = await h.run(repo, 'estimate', '--json', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout).estimate;
    expect(e.cost_usd_low).toBeLessThan(e.cost_usd);
    expect(e.cost_usd).toBeLessThan(e.cost_usd_high);
    expect(e.expected_hit_rate).toBe(0.3);
    // Low: the first request writes the prefix, the five others read it.
    expect(e.usage_low.cache_read_input_tokens).toBeGreaterThan(5 * 4096);
    expect(e.usage_low.cache_read_input_tokens % 5).toBe(0);
    const prefix = e.usage_low.cache_read_input_tokens / 5;
    expect(e.usage_low.cache_creation_input_tokens).toBe(prefix);
    // Expected: 30 % of those reads; high: none, and 6 × 8000 output tokens.
    expect(e.usage.cache_read_input_tokens).toBe(5 * Math.round(prefix * 0.3));
    expect(e.usage_high.cache_read_input_tokens).toBe(0);
    expect(e.usage_high.cache_creation_input_tokens).toBe(6 * prefix);
    expect(e.usage_high.output_tokens).toBe(6 * 8000);
    expect(e.output_tokens_high).toBe(6 * 8000);
    expect(e.batches).toEqual([{ requests: 6, cost_usd: e.cost_usd, cost_usd_low: e.cost_usd_low, cost_usd_high: e.cost_usd_high, warmup: false }]);

    const text = await h.run(repo, 'estimate', '--max-tokens', '8000');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/low\s+\$[\d.]+\s+every request after the first write of each prefix reads the cache/);
    expect(text.stdout).toMatch(/expected\s+\$[\d.]+\s+30\.0% of those reads hit the cache \(cache\.expectedHitRate\)/);
    expect(text.stdout).toMatch(/high\s+\$[\d.]+\s+every request writes the cache and uses all of max_tokens/);
  });

  it('cache.expectedHitRate 1 makes the expected figure the low one; a warm-up is counted in every figure', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { ...codebase(), ...config('{ cache: { expectedHitRate: 1 } }') } });
    const e = JSON.parse((await h.run(repo, 'estimate', '--json', '--max-tokens', '8000')).stdout).estimate;
    expect(e.expected_hit_rate).toBe(1);
    expect(e.cost_usd).toBeCloseTo(e.cost_usd_low, 9);
    expect(e.warmup_cost_usd).toBeGreaterThan(0);
    expect(e.batches[0].warmup).toBe(true);
    // After a warm-up every request reads the whole prefix in the low case.
    expect(e.usage_low.cache_creation_input_tokens).toBe(0);
    expect(e.cost_usd_high).toBeGreaterThan(e.warmup_cost_usd);
  });

  it('a bad cache.expectedHitRate is a config error naming the key (exit 2)', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: config('{ cache: { expectedHitRate: 1.5 } }') });
    const r = await h.run(repo, 'estimate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expectedHitRate/);
    expect(h.emulator.log()).toEqual([]);
  });
});

describe('budget caps at the high figure', () => {
  it('a cap between the expected and the high figure stops the run before any batch, and says the high figure is the one checked', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { ...codebase(), ...config('{ cache: { warmup: false } }') } });
    const e = JSON.parse((await h.run(repo, 'estimate', '--json', '--max-tokens', '8000')).stdout).estimate;
    const cap = (e.cost_usd + e.cost_usd_high) / 2;
    const { writeFile } = await import('node:fs/promises');
    const path = await import('node:path');
    await writeFile(path.join(repo, 'harness.config.mjs'), `export default { cache: { warmup: false }, budget: { perRunUsd: ${cap} } };\n`);
    git(repo, 'commit', '-qam', 'cap the run');
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/would cross budget\.perRunUsd/);
    expect(r.stderr).toMatch(/high estimate \$[\d.]+ for 6 requests \(expected \$[\d.]+, low \$[\d.]+\); caps are checked against the high figure/);
    expect(h.emulator.stats().batchesCreated).toBe(0);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);

    const text = await h.run(repo, 'estimate', '--max-tokens', '8000');
    expect(text.stdout).toMatch(/budget: \$[\d.]+ per run; checked against the high figure before each batch/);
  });
});
