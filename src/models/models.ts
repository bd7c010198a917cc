/**
 * The one table of models: ids, windows, output ceilings, the 300K beta, prices.
 * Figures are data, not logic: config `models` can override any field or add a model.
 *
 * Sources: two spring-2026 Anthropic articles on the Batches API and the 300K beta. Where they
 * disagree we pick the figure that cannot surprise the user: the LOWER standard output
 * ceiling (so the beta header is added whenever one source says it is needed; the beta is
 * harmless below the ceiling) and the HIGHER price (so estimates and budget caps err on the
 * side of spending less than the user allowed).
 */
import { HarnessError } from '../shared/errors.js';

export const OUTPUT_300K_BETA = 'output-300k-2026-03-24';

/** USD per million tokens at standard (synchronous, uncached) rates. */
export interface Prices {
  input: number;
  output: number;
}

export interface ModelInfo {
  id: string;
  label: string;
  /** Input context window in tokens. */
  contextWindow: number;
  /** Standard output ceiling (synchronous calls, and batches without the beta). */
  maxOutput: number;
  /** Output ceiling with the 300K beta on the Batches API, or null when the beta does not apply. */
  extendedMaxOutput: number | null;
  /** Null when no source gives prices: the user must supply them in config. */
  prices: Prices | null;
  /** Below this many tokens a cache breakpoint is silently ignored. */
  minCacheTokens: number;
}

/** Multipliers on the base input price, and the batch discount on every token kind. */
export const PRICE_FACTORS = {
  cacheWrite5m: 1.25,
  cacheWrite1h: 2,
  cacheRead: 0.1,
  batch: 0.5,
} as const;

export const MODELS: readonly ModelInfo[] = [
  {
    id: 'claude-opus-4-8',
    label: 'Claude Opus 4.8',
    contextWindow: 1_000_000,
    maxOutput: 128_000, // article 1 (article 2 does not list 4.8)
    extendedMaxOutput: 300_000,
    prices: { input: 5, output: 25 }, // article 1
    minCacheTokens: 4096,
  },
  {
    id: 'claude-opus-4-7',
    label: 'Claude Opus 4.7',
    contextWindow: 1_000_000,
    maxOutput: 32_000, // article 2 (article 1: 128K): the lower one
    extendedMaxOutput: 300_000,
    prices: { input: 3, output: 25 }, // input: article 1 only; output: 15 vs 25, the higher one
    minCacheTokens: 4096,
  },
  {
    id: 'claude-opus-4-6',
    label: 'Claude Opus 4.6',
    contextWindow: 1_000_000,
    maxOutput: 32_000, // article 2 (article 1: 128K): the lower one
    extendedMaxOutput: 300_000,
    prices: { input: 5, output: 25 }, // output: article 2; input not given: Opus 4.8's figure
    minCacheTokens: 4096,
  },
  {
    id: 'claude-sonnet-4-6',
    label: 'Claude Sonnet 4.6',
    contextWindow: 1_000_000,
    maxOutput: 64_000, // both articles
    extendedMaxOutput: 300_000,
    prices: { input: 3, output: 15 }, // 1.50/7.50 vs 3.00/15.00: the higher pair
    minCacheTokens: 2048,
  },
  {
    id: 'claude-haiku-4-5',
    label: 'Claude Haiku 4.5',
    contextWindow: 200_000,
    maxOutput: 8_000, // article 2
    extendedMaxOutput: null, // the beta does not apply
    prices: { input: 0.5, output: 2.5 }, // output: article 2; input not given: output / 5
    minCacheTokens: 4096,
  },
  {
    id: 'claude-fable-5',
    label: 'Claude Fable 5',
    contextWindow: 200_000,
    maxOutput: 8_000,
    extendedMaxOutput: null, // named as unsupported by the articles
    prices: null, // no source gives prices: set `models` in config
    minCacheTokens: 4096,
  },
  {
    id: 'claude-mythos-5',
    label: 'Claude Mythos 5',
    contextWindow: 200_000,
    maxOutput: 8_000,
    extendedMaxOutput: null, // named as unsupported by the articles
    prices: null, // no source gives prices: set `models` in config
    minCacheTokens: 4096,
  },
];

const ALIASES: Record<string, string> = {
  'claude-haiku-4-5-20251001': 'claude-haiku-4-5',
};

export type ModelOverrides = Record<string, Partial<ModelInfo>>;

/** The row for `id`, with config overrides applied; an unknown id needs a complete override. */
export function resolveModel(id: string, overrides: ModelOverrides = {}, source = 'config'): ModelInfo {
  const canonical = ALIASES[id] ?? id;
  const base = MODELS.find((m) => m.id === canonical);
  const over = overrides[id] ?? overrides[canonical];
  if (!base) {
    if (over?.contextWindow && over.maxOutput) {
      return {
        id,
        label: over.label ?? id,
        contextWindow: over.contextWindow,
        maxOutput: over.maxOutput,
        extendedMaxOutput: over.extendedMaxOutput ?? null,
        prices: over.prices ?? null,
        minCacheTokens: over.minCacheTokens ?? 4096,
      };
    }
    throw new HarnessError('BAD_MODEL', `unknown model "${id}"`, {
      file: source,
      hint: `use one of ${MODELS.map((m) => m.id).join(', ')}, or describe it under \`models["${id}"]\` in the config (contextWindow, maxOutput, extendedMaxOutput, prices)`,
    });
  }
  return { ...base, ...over, id: base.id };
}

/** Batch `max_tokens` when the config sets none: the ceiling with the 300K beta when the model has it, else the standard one. */
export const defaultBatchMaxTokens = (model: ModelInfo): number => model.extendedMaxOutput ?? model.maxOutput;

/** `max_tokens` of synchronous calls when the config sets none: the model's standard ceiling. */
export const defaultSyncMaxTokens = (model: ModelInfo): number => model.maxOutput;

export interface OutputPlan {
  /** Betas to send with the batch (`betas` in the SDK). */
  betas: string[];
}

/**
 * Validates model × max_tokens for a mode and says which betas the request needs.
 * Batches may use the 300K beta; synchronous calls stay at the standard ceiling.
 */
export function planOutput(model: ModelInfo, maxTokens: number, mode: 'batch' | 'sync', source = 'config'): OutputPlan {
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new HarnessError('BAD_MODEL', `maxTokens must be a positive integer, got ${maxTokens}`, { file: source });
  }
  if (maxTokens <= model.maxOutput) return { betas: [] };
  if (mode === 'batch' && model.extendedMaxOutput !== null) {
    if (maxTokens <= model.extendedMaxOutput) return { betas: [OUTPUT_300K_BETA] };
    throw new HarnessError(
      'BAD_MODEL',
      `maxTokens ${maxTokens} is above ${model.label}'s ceiling of ${model.extendedMaxOutput} even with the ${OUTPUT_300K_BETA} beta`,
      { file: source, hint: `set maxTokens to at most ${model.extendedMaxOutput}` },
    );
  }
  const why =
    mode === 'sync'
      ? `synchronous calls stay at the standard ceiling of ${model.maxOutput}`
      : `${model.label} does not support the ${OUTPUT_300K_BETA} beta; its ceiling is ${model.maxOutput}`;
  throw new HarnessError('BAD_MODEL', `maxTokens ${maxTokens} is too large for ${model.label}: ${why}`, {
    file: source,
    hint: `set maxTokens to at most ${model.maxOutput}${mode === 'batch' ? ', or pick a model that supports the beta (Opus 4.6+, Sonnet 4.6)' : ''}`,
  });
}

/** Prices or a clear error: a model without prices cannot be estimated or budgeted. */
export function pricesOf(model: ModelInfo, source = 'config'): Prices {
  if (model.prices) return model.prices;
  throw new HarnessError('BAD_MODEL', `no prices are known for ${model.label}`, {
    file: source,
    hint: `set \`models["${model.id}"].prices\` ({ input, output } in USD per million tokens) in the config`,
  });
}
