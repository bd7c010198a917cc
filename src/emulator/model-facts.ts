/**
 * The emulator's own facts about the models the API serves: written independently of the harness's
 * table (src/models/models.ts, which the emulator must never import), so the two can disagree and a
 * test can catch the harness's mistake. Figures are the official model pages' (as quoted in the
 * project's API notes) unless the comment says otherwise; what no source states is a choice of the
 * emulator, said so here and in README.md. Every field can be overridden per model, and a model
 * added, through the emulator's `models` option.
 */

export type Lifecycle = 'active' | 'deprecated' | 'retired';
export type ModelLine = 'opus' | 'sonnet' | 'haiku' | 'fable' | 'mythos';

export interface EmulatedModel {
  id: string;
  displayName: string;
  line: ModelLine | null;
  /** Release time (RFC 3339); the epoch when unknown, as the Models API does. */
  createdAt: string;
  /** Context window in tokens: input and output together (`max_input_tokens` of the Models API). */
  contextWindow: number;
  /** Largest `max_tokens` without betas (`max_tokens` of the Models API); synchronous calls never go above it. */
  maxTokens: number;
  /** `max_tokens` ceiling in a batch sent with the `output-300k-2026-03-24` beta; null: the beta is refused for this model. */
  batchBetaMaxTokens: number | null;
  /** Below this many tokens a cache breakpoint is ignored. */
  minCacheTokens: number;
  lifecycle: Lifecycle;
  deprecatedAt: string | null;
  retiresAt: string | null;
  /** Whether the Message Batches API accepts the model. */
  batch: boolean;
  /** Which `thinking.type` values the model accepts (`disabled` is always accepted). */
  thinking: { enabled: boolean; adaptive: boolean };
  /** Other ids that name this model (dated snapshots). */
  aliases: string[];
}

/** A model override: any field; a model the table lacks needs at least `contextWindow` and `maxTokens`. */
export type EmulatedModelOverride = Partial<Omit<EmulatedModel, 'id'>>;
export type EmulatedModels = Record<string, EmulatedModelOverride>;

export const OUTPUT_300K = 'output-300k-2026-03-24';

const EPOCH = '1970-01-01T00:00:00Z';
const M = 1_000_000;
const K = 1000;

const model = (
  id: string,
  displayName: string,
  line: ModelLine,
  f: Partial<EmulatedModel> & Pick<EmulatedModel, 'contextWindow' | 'maxTokens'>,
): EmulatedModel => ({
  id,
  displayName,
  line,
  createdAt: EPOCH,
  batchBetaMaxTokens: null,
  minCacheTokens: 4096,
  lifecycle: 'active',
  deprecatedAt: null,
  retiresAt: null,
  batch: true,
  thinking: { enabled: true, adaptive: true },
  aliases: [],
  ...f,
});

/**
 * The catalogue. 300K beta: only where the articles on the beta name the model (Opus 4.6/4.7/4.8,
 * Sonnet 4.6); for models no source names (Opus 5, Sonnet 5, …) the emulator refuses the beta,
 * a choice that makes the harness's "unknown" path visible in tests. Thinking types: Opus 4.7
 * adaptive only and Haiku 4.5 budgeted only (a spring-2026 comparison article); elsewhere both,
 * as no source says otherwise.
 */
export const EMULATED_MODELS: readonly EmulatedModel[] = [
  // Official page: 1M window, 128K output; 300K beta (both articles).
  model('claude-opus-4-8', 'Claude Opus 4.8', 'opus', { contextWindow: M, maxTokens: 128 * K, batchBetaMaxTokens: 300 * K }),
  // Official page: 1M, 128K (an article's 32K is wrong); 300K beta.
  model('claude-opus-4-7', 'Claude Opus 4.7', 'opus', {
    contextWindow: M,
    maxTokens: 128 * K,
    batchBetaMaxTokens: 300 * K,
    thinking: { enabled: false, adaptive: true },
  }),
  model('claude-opus-4-6', 'Claude Opus 4.6', 'opus', { contextWindow: M, maxTokens: 128 * K, batchBetaMaxTokens: 300 * K }),
  // Official page: 1M, 128K (some third-party pages: 64K); 300K beta.
  model('claude-sonnet-4-6', 'Claude Sonnet 4.6', 'sonnet', {
    contextWindow: M,
    maxTokens: 128 * K,
    batchBetaMaxTokens: 300 * K,
    minCacheTokens: 2048,
  }),
  // Official page: 200K window, 64K output; no 300K beta.
  model('claude-haiku-4-5', 'Claude Haiku 4.5', 'haiku', {
    contextWindow: 200 * K,
    maxTokens: 64 * K,
    createdAt: '2025-10-01T00:00:00Z',
    thinking: { enabled: true, adaptive: false },
    aliases: ['claude-haiku-4-5-20251001'],
  }),
  // Official pages: 1M window, 128K output, no 300K beta.
  model('claude-fable-5', 'Claude Fable 5', 'fable', { contextWindow: M, maxTokens: 128 * K }),
  model('claude-mythos-5', 'Claude Mythos 5', 'mythos', { contextWindow: M, maxTokens: 128 * K }),
  // Official pages (as quoted in issue 17): 1M window, 128K output; beta support not stated.
  model('claude-opus-5', 'Claude Opus 5', 'opus', { contextWindow: M, maxTokens: 128 * K }),
  model('claude-sonnet-5', 'Claude Sonnet 5', 'sonnet', { contextWindow: M, maxTokens: 128 * K, minCacheTokens: 2048 }),
  // Earlier generation (official page of its time): 200K window, 64K output.
  model('claude-opus-4-5', 'Claude Opus 4.5', 'opus', {
    contextWindow: 200 * K,
    maxTokens: 64 * K,
    createdAt: '2025-11-01T00:00:00Z',
    aliases: ['claude-opus-4-5-20251101'],
  }),
  model('claude-sonnet-4-5', 'Claude Sonnet 4.5', 'sonnet', {
    contextWindow: 200 * K,
    maxTokens: 64 * K,
    minCacheTokens: 1024,
    createdAt: '2025-09-29T00:00:00Z',
    aliases: ['claude-sonnet-4-5-20250929'],
  }),
];

/** The catalogue with the overrides applied (and overridden-in models added), newest first as the Models API lists them. */
export function catalogue(overrides: EmulatedModels = {}): EmulatedModel[] {
  const out = EMULATED_MODELS.map((m) => {
    const over = overrides[m.id] ?? m.aliases.map((a) => overrides[a]).find((o) => o !== undefined);
    return over ? { ...m, ...over, id: m.id } : m;
  });
  for (const [id, over] of Object.entries(overrides)) {
    if (out.some((m) => m.id === id || m.aliases.includes(id))) continue;
    if (over.contextWindow === undefined || over.maxTokens === undefined) continue;
    out.push({
      ...model(id, over.displayName ?? id, over.line ?? 'opus', { contextWindow: over.contextWindow, maxTokens: over.maxTokens }),
      line: null,
      ...over,
      id,
    });
  }
  return out;
}

/** The model an id names (its own id or an alias), with overrides; null when the API would not know it. */
export function findModel(id: string, overrides: EmulatedModels = {}): EmulatedModel | null {
  return catalogue(overrides).find((m) => m.id === id || m.aliases.includes(id)) ?? null;
}
