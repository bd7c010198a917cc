/** A batch cache hit rate below 100 %, through the SDK: a miss reads nothing and pays a cache write instead. */
import { describe, expect, it } from 'vitest';
import { cacheHits, HIT_RATE_ENV, hitRateFlag, resolveHitRate } from '../../src/emulator/cache-hit-rate.js';
import { startEmulator } from '../../src/emulator/index.js';
import { HarnessError } from '../../src/shared/errors.js';
import { runCli } from '../helpers/cli.js';
import { request, results, start, waitEnded } from './helpers.js';

const SYSTEM = 'You write TypeScript files for the project, complete and in the section format.\n'.repeat(200);
const ids = Array.from({ length: 40 }, (_, i) => `task-${i}`);
const cached = (id: string) => request(id, `Write file ${id}.`, { system: [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }] });

/** custom_id → [cache read, cache write] of one batch of the 40 requests. */
async function usageOf(batchCacheHitRate?: number): Promise<Map<string, [number, number]>> {
  const { client } = await start({ processingMs: 400, concurrency: 1, ...(batchCacheHitRate !== undefined ? { batchCacheHitRate } : {}) });
  const batch = await client.beta.messages.batches.create({ requests: ids.map(cached) });
  await waitEnded(client, batch.id);
  const out = new Map<string, [number, number]>();
  for (const line of await results(client, batch.id)) {
    if (line.result.type !== 'succeeded') throw new Error(`${line.custom_id}: ${line.result.type}`);
    const u = line.result.message.usage;
    out.set(line.custom_id, [u.cache_read_input_tokens ?? 0, u.cache_creation_input_tokens ?? 0]);
  }
  return out;
}

describe('emulator: batch cache hit rate', () => {
  it('default: after the first request every one reads the prefix', async () => {
    const usage = [...(await usageOf()).values()];
    const prefix = Math.max(...usage.map(([r, w]) => r + w));
    expect(prefix).toBeGreaterThan(1000);
    expect(usage.filter(([r]) => r === prefix)).toHaveLength(39);
    expect(usage.filter(([, w]) => w === prefix)).toHaveLength(1);
  });

  it('0.5: some requests miss and pay the write instead of the read, the same ones every time', async () => {
    const usage = await usageOf(0.5);
    const prefix = Math.max(...[...usage.values()].map(([r, w]) => r + w));
    const writes = ids.filter((id) => usage.get(id)![1] === prefix);
    const reads = ids.filter((id) => usage.get(id)![0] === prefix);
    expect(writes.length + reads.length).toBe(40);
    expect(writes.length).toBeGreaterThanOrEqual(10);
    expect(reads.length).toBeGreaterThanOrEqual(10);
    // every request the hash calls a miss paid the write
    for (const id of ids.filter((i) => !cacheHits(0.5, i))) expect(usage.get(id)![1]).toBe(prefix);
    expect(await usageOf(0.5)).toEqual(usage);
  });

  it('0: every batch request writes; synchronous calls still read', async () => {
    const usage = [...(await usageOf(0)).values()];
    expect(usage.every(([r, w]) => r === 0 && w > 1000)).toBe(true);
    const { client } = await start({ processingMs: 0, batchCacheHitRate: 0 });
    const p = cached('x').params;
    await client.messages.create(p);
    expect((await client.messages.create(p)).usage.cache_read_input_tokens).toBeGreaterThan(1000);
  });

  it('from the option or HARNESS_EMULATOR_BATCH_CACHE_HIT_RATE; outside 0..1 is a BAD_CONFIG error', async () => {
    expect(resolveHitRate(undefined, {})).toBe(1);
    expect(resolveHitRate(undefined, { [HIT_RATE_ENV]: '0.25' })).toBe(0.25);
    expect(resolveHitRate(0.5, { [HIT_RATE_ENV]: '0.25' })).toBe(0.5);
    for (const bad of ['1.5', '-0.1', 'half']) {
      expect(() => resolveHitRate(undefined, { [HIT_RATE_ENV]: bad })).toThrow(HarnessError);
      expect(() => resolveHitRate(undefined, { [HIT_RATE_ENV]: bad })).toThrow(new RegExp(HIT_RATE_ENV));
    }
    await expect(startEmulator({ batchCacheHitRate: 2 })).rejects.toThrow(/batchCacheHitRate option must be a number from 0 to 1/);
  });

  it('harness emulator --batch-cache-hit-rate: a value outside 0..1 is exit 2 naming the flag, before anything listens', async () => {
    expect(hitRateFlag('0.75')).toBe(0.75);
    expect(() => hitRateFlag('')).toThrow(/--batch-cache-hit-rate "" must be a number from 0 to 1/);
    const r = await runCli(['emulator', '--port', '0', '--batch-cache-hit-rate', '1.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch-cache-hit-rate "1\.5" must be a number from 0 to 1/);
    expect(r.stdout).not.toMatch(/listening/);
  });
});
