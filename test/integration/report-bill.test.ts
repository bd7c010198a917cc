/** The cost report: each batch's estimate against its bill, the account's hit rate, the warm-up's effect. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { cacheableCodebase as codebase, makeTarget, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('report: estimate vs bill', () => {
  it('status --json: each batch keeps its three figures; the bill, the hit rate and the warm-up effect are measured from usage', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: codebase() });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    const [warmup, tasks] = s.batches;
    expect([warmup.purpose, tasks.purpose]).toEqual(['warmup', 'tasks']);
    for (const b of s.batches) {
      expect(b.estimate_usd_low).toBeLessThanOrEqual(b.estimate_usd);
      expect(b.estimate_usd).toBeLessThanOrEqual(b.estimate_usd_high);
      expect(b.estimate_hit_rate).toBe(b.purpose === 'warmup' ? 0 : 0.3); // a warm-up writes by design
    }
    // The emulator's cache: after the warm-up every request of the batch reads the whole prefix.
    expect(tasks.cache_read_share).toBe(1);
    expect(tasks.hit_rate).toBeCloseTo(1, 2);
    expect(s.cache_hit_rate).toBeCloseTo(1, 2);
    // The low figure takes the output from the per-task estimates: the emulator's files are far
    // shorter, so its bill falls below the range (the output columns say why).
    expect(tasks.bill_in_range).toBe(
      tasks.cost_usd < tasks.estimate_usd_low ? 'below' : tasks.cost_usd > tasks.estimate_usd_high ? 'above' : 'within',
    );
    expect(tasks.cost_usd).toBeLessThan(tasks.estimate_usd_high);
    expect(warmup.cache_read_share).toBe(0);
    expect(warmup.hit_rate).toBeNull(); // a warm-up could read nothing
    expect(s.warmups).toHaveLength(1);
    const w = s.warmups[0];
    expect(w).toMatchObject({ warmup: warmup.id, batch: tasks.id, cost_usd: warmup.cost_usd, batch_written_tokens: 0 });
    expect(w.written_tokens).toBeGreaterThan(4096);
    expect(w.batch_read_tokens).toBe(tasks.usage.cache_read_input_tokens);
    expect(w.as_writes_usd).toBeCloseTo(w.reads_usd * 20, 9); // a 1h write is 2×, a read 0.1× the input price
    expect(w.saved_usd_low).toBeLessThan(0.0001);
    expect(w.saved_usd_high).toBeGreaterThan(0);

    const text = await h.run(repo, 'status');
    expect(text.stdout).toMatch(/cost low–high/);
    expect(text.stdout).toMatch(/hit rate billed/);
    expect(text.stdout).toMatch(/cache hit rate of this account: (99|100)\.\d% of the cache reads the batches could make \(estimates assumed 30\.0%/);
    expect(text.stdout).toMatch(
      new RegExp(
        `warm-up ${warmup.id}: \\$[\\d.]+, wrote \\d+ tokens; ${tasks.id} then read \\d+ tokens from the cache .*saved between \\$-?[\\d.]+ and \\$[\\d.]+`,
      ),
    );
  });

  it('a journal written before the ranges existed still reads: the new fields are null', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { ...codebase(4), 'harness.config.mjs': 'export default { cache: { warmup: false } };\n' } });
    expect((await h.run(repo, 'run')).code).toBe(0);
    const file = path.join(repo, '.harness/journal.jsonl');
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    await writeFile(file, lines.map(({ range: _range, ...e }) => JSON.stringify(e)).join('\n') + '\n');
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.batches[0]).toMatchObject({
      estimate_usd_low: null,
      estimate_usd_high: null,
      estimate_hit_rate: null,
      bill_in_range: null,
      hit_rate: null,
    });
    expect(s.batches[0].cache_read_share).not.toBeNull();
    expect(s.cache_hit_rate).toBeNull();
    const text = await h.run(repo, 'status');
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(/cache hit rate of this account/);
  });
});
