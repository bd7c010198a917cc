/** Public types of the emulator (re-exported by index.ts). */
import type { EmulatedModels } from './model-facts.js';
import type { FaultConfig } from './faults.js';

export type { FaultConfig } from './faults.js';

/** A text block as requests carry it (other block types pass through untouched). */
export interface TextBlockLike {
  type: string;
  text?: string;
  cache_control?: { type: 'ephemeral'; ttl?: '5m' | '1h' } | null;
  [key: string]: unknown;
}

export interface MessageParamLike {
  role: 'user' | 'assistant' | 'system';
  content: string | TextBlockLike[];
}

/** The validated Messages request params (the fields the emulator reads; others are kept as sent). */
export interface ResponderParams {
  model: string;
  max_tokens: number;
  system?: string | TextBlockLike[];
  messages: MessageParamLike[];
  tools?: Record<string, unknown>[];
  [key: string]: unknown;
}

export interface ResponderRequest {
  params: ResponderParams;
  /** The batch request's custom_id; null for `POST /v1/messages`. */
  customId: string | null;
  mode: 'batch' | 'sync';
}

/** The offline model: the full text it would write; the emulator truncates it to max_tokens and computes usage. */
export type Responder = (req: ResponderRequest) => string | Promise<string>;

/** Limits of the real API, overridable so tests can exercise splitting and archiving cheaply. */
export interface EmulatorLimits {
  /** Requests per batch (default 100,000). */
  maxRequests?: number;
  /** Bytes of a batch create body (default 256 MB); above it: 413 request_too_large. */
  maxBatchBytes?: number;
  /** Bytes of a /v1/messages or count_tokens body (default 32 MB). */
  maxMessageBytes?: number;
  /** Results stay downloadable this long after creation (default 29 days); then `archived_at` is set. */
  resultsRetentionMs?: number;
  /** Time between a cancel and the end of the batch (default min(250, max(10, processingMs / 10)) ms). */
  cancelMs?: number;
}

export interface EmulatorOptions {
  /** 0 or omitted: any free port. */
  port?: number;
  /** Batches, results, cache state and log.jsonl live here and survive a restart; omitted: a temp dir removed on close. */
  dataDir?: string;
  /** Simulated processing time of a batch, from create to ended (default 2000). */
  processingMs?: number;
  /**
   * Requests of one batch run this many at a time (default 8): a request's cache write is visible
   * only to requests of later waves, so the first wave of a cold batch all pay the write, as on the
   * real API where concurrent requests start before the first write lands.
   */
  concurrency?: number;
  /**
   * Share (0..1) of batch requests whose cache read hits; a miss reads nothing and pays a cache
   * write instead, chosen per request by a hash of its custom_id. Omitted: env
   * HARNESS_EMULATOR_BATCH_CACHE_HIT_RATE, else 1 (every possible read hits). Sync calls always read.
   */
  batchCacheHitRate?: number;
  responder?: Responder;
  /** Omitted: from env HARNESS_EMULATOR_FAULTS (JSON text or a path to a JSON file), else none. */
  faults?: FaultConfig;
  /** A batch still in progress this long after creation ends with its unprocessed requests `expired` (default 24 h). */
  expireAfterMs?: number;
  /** null: accept any key (or none); string: exactly this key; omitted: any non-empty key (401 without). */
  apiKey?: string | null;
  /** Extra or overridden models of the emulator's own catalogue (model-facts.ts): window, ceilings, beta support, lifecycle, batch, thinking. */
  models?: EmulatedModels;
  limits?: EmulatorLimits;
}

export interface LogEntry {
  at: string;
  method: string;
  path: string;
  /** 0 when the connection was reset by a fault (no response). */
  status: number;
  requestId: string;
  batchId?: string;
  requests?: number;
  fault?: string;
}

export interface UsageTotals {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface EmulatorStats {
  batchesCreated: number;
  /** Synchronous `POST /v1/messages` calls answered (streaming or not). */
  messages: number;
  countTokens: number;
  /** Billed usage: succeeded batch results plus completed synchronous messages. */
  usage: UsageTotals;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`, what ANTHROPIC_BASE_URL should be. */
  url: string;
  port: number;
  close(): Promise<void>;
  log(): LogEntry[];
  stats(): EmulatorStats;
  /** Replaces the fault config; counters (skip/times) start again. */
  setFaults(f: FaultConfig): void;
}
