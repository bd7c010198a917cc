/**
 * A batch's prompt-cache hit rate below 100 %: on the real API a batch request that could read a
 * cached prefix sometimes does not (it ran on another machine, or before the write landed) and pays
 * a cache write instead. `batchCacheHitRate` (0..1, default 1: every possible read is a read) picks
 * the misses deterministically per request, by a hash of its custom_id.
 */
import { createHash } from 'node:crypto';
import { HarnessError } from '../shared/errors.js';

export const HIT_RATE_ENV = 'HARNESS_EMULATOR_BATCH_CACHE_HIT_RATE';

/** The rate from the option, else from the env; a value outside 0..1 is a BAD_CONFIG error naming its source. */
export function resolveHitRate(option: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (option !== undefined) return checkRate(option, 'the batchCacheHitRate option');
  const raw = env[HIT_RATE_ENV]?.trim();
  if (!raw) return 1;
  return checkRate(Number(raw), `${HIT_RATE_ENV} (${JSON.stringify(raw)})`);
}

/** `--batch-cache-hit-rate R` of `harness emulator`. */
export function hitRateFlag(raw: string): number {
  return checkRate(raw.trim() === '' ? Number.NaN : Number(raw), `--batch-cache-hit-rate ${JSON.stringify(raw)}`);
}

function checkRate(rate: number, source: string): number {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new HarnessError('BAD_CONFIG', `${source} must be a number from 0 to 1 (the share of batch requests whose cache read hits)`, {
      hint: 'e.g. 0.8: one batch request in five pays a cache write instead of a read',
    });
  }
  return rate;
}

/** Whether this batch request may read the cache: its custom_id's hash, as a fraction of 1, below the rate. */
export function cacheHits(rate: number, customId: string): boolean {
  if (rate >= 1) return true;
  const fraction = createHash('sha256').update(`cache-hit\u0000${customId}`).digest().readUInt32BE(0) / 2 ** 32;
  return fraction < rate;
}
