/**
 * Prompt-cache accounting. A request is a sequence of blocks in the order tools → system →
 * messages; a block with `cache_control` (or the last block, with top-level `cache_control`) is a
 * breakpoint, and the exact prefix up to it (hashed with the model id) is a cache entry with the
 * breakpoint's TTL. A prefix shorter than the model's `minCacheTokens` is not cached. The longest
 * cached, unexpired prefix is read (and its TTL refreshed); the tokens from there to the last
 * breakpoint are written, each segment under the TTL of the breakpoint that ends it; the rest is
 * uncached input. Token counts come from the emulator's own counter (token-count.ts), not the harness's estimate.
 */
import { createHash, type Hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from './fsutil.js';
import type { EmulatedModel } from './model-facts.js';
import { countTokens } from './token-count.js';
import type { ResponderParams } from './types.js';

export type Ttl = '5m' | '1h';

export interface InputBlock {
  /** What the hash sees: role and content, never the cache_control marker. */
  bytes: string;
  tokens: number;
  breakpoint: Ttl | null;
}

export interface InputUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

const TTL_MS: Record<Ttl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

function withoutCacheControl(block: Record<string, unknown>): Record<string, unknown> {
  const { cache_control: _cc, ...rest } = block;
  return rest;
}

function ttlOf(cc: unknown): Ttl | null {
  if (cc === null || cc === undefined || typeof cc !== 'object') return null;
  return (cc as { ttl?: unknown }).ttl === '1h' ? '1h' : '5m';
}

function contentBlocks(role: string, content: unknown, out: InputBlock[]): void {
  if (typeof content === 'string') {
    out.push({ bytes: `${role}\u0000${content}`, tokens: countTokens(content), breakpoint: null });
    return;
  }
  if (!Array.isArray(content)) return;
  for (const raw of content as Record<string, unknown>[]) {
    const text = raw.type === 'text' && typeof raw.text === 'string' ? raw.text : JSON.stringify(withoutCacheControl(raw));
    out.push({
      bytes: `${role}\u0000${raw.type === 'text' ? '' : 'json\u0000'}${text}`,
      tokens: countTokens(text),
      breakpoint: ttlOf(raw.cache_control),
    });
  }
}

/** The request's input as blocks, in cache order (tools → system → messages). */
function inputBlocks(params: ResponderParams): InputBlock[] {
  const out: InputBlock[] = [];
  for (const tool of params.tools ?? []) {
    const text = JSON.stringify(withoutCacheControl(tool));
    out.push({ bytes: `tool\u0000${text}`, tokens: countTokens(text), breakpoint: ttlOf(tool.cache_control) });
  }
  if (params.system !== undefined) contentBlocks('system', params.system, out);
  for (const m of params.messages) contentBlocks(m.role, m.content, out);
  const top = ttlOf(params.cache_control);
  const last = out[out.length - 1];
  if (top && last && !last.breakpoint) last.breakpoint = top;
  return out;
}

/** Total input tokens (what count_tokens answers, and input + cache write + cache read of usage). */
export function inputTokens(params: ResponderParams): number {
  return inputBlocks(params).reduce((n, b) => n + b.tokens, 0);
}

interface Entry {
  ttl: Ttl;
  expiresAt: number;
  /** Readable from this time on (a write lands when its request is done). */
  readyAt?: number;
}

interface CacheFile {
  version: 1;
  entries: Record<string, Entry>;
}

/** The cache state of one emulator, shared by batches and /v1/messages; persisted in dataDir. */
export class PromptCache {
  private entries = new Map<string, Entry>();
  private dirty = false;

  constructor(private readonly file: string | null) {}

  async load(): Promise<void> {
    if (!this.file) return;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return;
    }
    try {
      const data = JSON.parse(text) as CacheFile;
      for (const [k, e] of Object.entries(data.entries ?? {})) this.entries.set(k, e);
    } catch {
      // A damaged cache file only costs cache misses.
    }
  }

  async save(now = Date.now()): Promise<void> {
    if (!this.file || !this.dirty) return;
    this.dirty = false;
    const entries: Record<string, Entry> = {};
    for (const [k, e] of this.entries) {
      if (e.expiresAt > now) entries[k] = e;
      else this.entries.delete(k);
    }
    await writeJsonAtomic(this.file, { version: 1, entries } satisfies CacheFile);
  }

  /**
   * Usage of the input side of one request processed at `now`, updating the cache; its writes
   * become readable at `readyAt` (later for a request that still runs beside others). `miss`: the
   * request reads nothing (a batch cache miss, cache-hit-rate.ts) and writes every breakpoint's prefix.
   */
  account(params: ResponderParams, model: Pick<EmulatedModel, 'id' | 'minCacheTokens'>, now: number, readyAt = now, miss = false): InputUsage {
    const blocks = inputBlocks(params);
    let total = 0;
    const hash: Hash = createHash('sha256').update(`${model.id}\u0000`);
    const points: { key: string; cum: number; ttl: Ttl }[] = [];
    for (const b of blocks) {
      total += b.tokens;
      hash.update(b.bytes).update('\u0001');
      if (b.breakpoint && total >= model.minCacheTokens) {
        points.push({ key: hash.copy().digest('base64url'), cum: total, ttl: b.breakpoint });
      }
    }
    let readIdx = -1;
    for (let i = miss ? -1 : points.length - 1; i >= 0; i--) {
      const e = this.entries.get(points[i]!.key);
      if (e && e.expiresAt > now && (e.readyAt ?? 0) <= now) {
        readIdx = i;
        e.expiresAt = Math.max(e.expiresAt, now + TTL_MS[e.ttl]);
        this.dirty = true;
        break;
      }
    }
    const read = readIdx >= 0 ? points[readIdx]!.cum : 0;
    let prev = read;
    const split = { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 };
    for (let i = readIdx + 1; i < points.length; i++) {
      const pt = points[i]!;
      const seg = pt.cum - prev;
      prev = pt.cum;
      if (pt.ttl === '1h') split.ephemeral_1h_input_tokens += seg;
      else split.ephemeral_5m_input_tokens += seg;
      const old = this.entries.get(pt.key);
      const expiresAt = now + TTL_MS[pt.ttl];
      const ready = old && old.expiresAt > now ? Math.min(old.readyAt ?? 0, readyAt) : readyAt;
      this.entries.set(pt.key, {
        ttl: old && TTL_MS[old.ttl] > TTL_MS[pt.ttl] ? old.ttl : pt.ttl,
        expiresAt: Math.max(expiresAt, old?.expiresAt ?? 0),
        readyAt: ready,
      });
      this.dirty = true;
    }
    const written = split.ephemeral_5m_input_tokens + split.ephemeral_1h_input_tokens;
    return {
      input_tokens: total - read - written,
      cache_creation_input_tokens: written,
      cache_read_input_tokens: read,
      cache_creation: split,
    };
  }
}
