/**
 * The distinct cached prefixes of a set of requests, and what writing each once costs: in `full`
 * mode every request of a stage shares one prefix (codebase, earlier stages, plan); in `map` mode
 * each distinct group context ends a prefix of its own after the shared map and plan. A prefix
 * segment shared by several prefixes (the map) is written once. Segments shorter than the model's
 * minimum cacheable length are not cached and not counted. Writes are priced as 1-hour writes at
 * the batch rate.
 */
import { createHash } from 'node:crypto';
import { type ModelInfo, PRICE_FACTORS, pricesOf } from '../models/models.js';
import { estimateTokens } from '../shared/tokens.js';
import type { BatchRequest } from './build.js';

export interface CachedPrefixes {
  /** Distinct prefixes ending at a request's last breakpoint. */
  count: number;
  /** Tokens written to the cache to create every one of them once. */
  writeTokens: number;
  writeUsd: number;
}

export function cachedPrefixes(requests: readonly BatchRequest[], model: ModelInfo): CachedPrefixes {
  const ends = new Set<string>();
  const written = new Map<string, number>();
  for (const req of requests) {
    const hash = createHash('sha256').update(`${req.params.model}\u0000${req.params.system}`);
    let tokens = estimateTokens(req.params.system);
    let last = 0;
    let end: string | null = null;
    for (const m of req.params.messages) {
      if (typeof m.content === 'string') continue;
      for (const block of m.content) {
        const text = block.type === 'text' ? block.text : JSON.stringify(block);
        hash.update(`\u0001${text.length}:`).update(text);
        tokens += estimateTokens(text);
        if (!('cache_control' in block) || !block.cache_control || tokens < model.minCacheTokens) continue;
        const id = hash.copy().digest('base64url');
        if (!written.has(id)) written.set(id, tokens - last);
        last = tokens;
        end = id;
      }
    }
    if (end) ends.add(end);
  }
  const writeTokens = [...written.values()].reduce((n, t) => n + t, 0);
  const writeUsd = model.prices ? (writeTokens * pricesOf(model).input * PRICE_FACTORS.cacheWrite1h * PRICE_FACTORS.batch) / 1_000_000 : 0;
  return { count: ends.size, writeTokens, writeUsd };
}
