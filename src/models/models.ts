/**
 * The one table of models: ids, windows, output ceilings, the 300K beta, thinking, prices.
 * Figures are data, not logic: config `models` can override any field or add a model, and live
 * model facts (live-facts.ts, the Models API) replace the window and the standard ceiling at run time.
 *
 * Sources, named on every figure: "official page" = Anthropic's model pages and pricing page
 * (stored copies, spring 2026); "issue 17" = the official pages as quoted in the project's issue 17
 * for models released after the stored copies; "articles" = two spring-2026 articles on the Batches
 * API and the 300K beta (the only sources that state which models take the beta); "comparison
 * article" = a third-party April 2026 lineup comparison (thinking types only). Where the official
 * pages and the articles disagree, the official pages win. What no source states is `unknown`,
 * never guessed: the harness says it does not know instead of acting on a belief.
 */
import { HarnessError } from '../shared/errors.js';

export const OUTPUT_300K_BETA = 'output-300k-2026-03-24';

/** USD per million tokens at standard (synchronous, uncached) rates. */
export interface Prices {
  input: number;
  output: number;
}

/** What a source states: supported, not supported, or not stated anywhere we could read. */
export type Support = 'yes' | 'no' | 'unknown';

export interface ModelInfo {
  id: string;
  label: string;
  /** Context window in tokens (input and output together). */
  contextWindow: number;
  /** Standard output ceiling (synchronous calls, and batches without the beta). */
  maxOutput: number;
  /** Output ceiling with the 300K beta on the Batches API; null when the beta is not known to apply. */
  extendedMaxOutput: number | null;
  /** Whether a source states the 300K beta applies: `unknown` models get the beta only when the config sets `extendedMaxOutput`. */
  output300k: Support;
  /** Thinking types the model accepts: `budget` (`{type: 'enabled', budget_tokens}`) and `adaptive`. */
  thinking: { budget: Support; adaptive: Support };
  /** Null when no source gives prices: the user must supply them in config. */
  prices: Prices | null;
  /** Below this many tokens a cache breakpoint is silently ignored. */
  minCacheTokens: number;
}

/** Multipliers on the base input price, and the batch discount on every token kind (official pricing page). */
export const PRICE_FACTORS = {
  cacheWrite5m: 1.25,
  cacheWrite1h: 2,
  cacheRead: 0.1,
  batch: 0.5,
} as const;

const M = 1_000_000;
const K = 1000;
const UNKNOWN_THINKING = { budget: 'unknown', adaptive: 'unknown' } as const;

export const MODELS: readonly ModelInfo[] = [
  {
    id: 'claude-opus-4-8',
    label: 'Claude Opus 4.8',
    contextWindow: M, // official page
    maxOutput: 128 * K, // official page
    extendedMaxOutput: 300 * K, // articles: Opus 4.8 takes the 300K beta
    output300k: 'yes',
    thinking: UNKNOWN_THINKING,
    prices: { input: 5, output: 25 }, // official page (article 1 agrees)
    minCacheTokens: 4096, // official prompt-caching page: Opus models
  },
  {
    id: 'claude-opus-4-7',
    label: 'Claude Opus 4.7',
    contextWindow: M, // official page
    maxOutput: 128 * K, // official page (article 2's 32K is wrong)
    extendedMaxOutput: 300 * K, // articles
    output300k: 'yes',
    thinking: { budget: 'no', adaptive: 'yes' }, // comparison article: adaptive only
    prices: { input: 5, output: 25 }, // cloud model cards and public price tables (article 1's $3 input is wrong)
    minCacheTokens: 4096,
  },
  {
    id: 'claude-opus-4-6',
    label: 'Claude Opus 4.6',
    contextWindow: M, // official page
    maxOutput: 128 * K, // official page (article 2's 32K is wrong)
    extendedMaxOutput: 300 * K, // articles
    output300k: 'yes',
    thinking: UNKNOWN_THINKING,
    prices: { input: 5, output: 25 }, // official page
    minCacheTokens: 4096,
  },
  {
    id: 'claude-sonnet-4-6',
    label: 'Claude Sonnet 4.6',
    contextWindow: M, // official page
    maxOutput: 128 * K, // official page (some third-party pages and both articles: 64K)
    extendedMaxOutput: 300 * K, // articles
    output300k: 'yes',
    thinking: { budget: 'yes', adaptive: 'yes' }, // comparison article
    prices: { input: 3, output: 15 }, // official page (an article's $1.50/$7.50 is the batch price)
    minCacheTokens: 2048, // official prompt-caching page: Sonnet models
  },
  {
    id: 'claude-haiku-4-5',
    label: 'Claude Haiku 4.5',
    contextWindow: 200 * K, // official page
    maxOutput: 64 * K, // official page (article 2's 8K is wrong)
    extendedMaxOutput: null, // articles: the beta does not apply
    output300k: 'no',
    thinking: { budget: 'yes', adaptive: 'no' }, // comparison article
    prices: { input: 1, output: 5 }, // official page (an article's $2.50 output is wrong)
    minCacheTokens: 4096, // official prompt-caching page: Haiku 4.5
  },
  {
    id: 'claude-fable-5',
    label: 'Claude Fable 5',
    contextWindow: M, // official page
    maxOutput: 128 * K, // official page
    extendedMaxOutput: null, // official page and articles: no 300K beta
    output300k: 'no',
    thinking: UNKNOWN_THINKING,
    prices: { input: 10, output: 50 }, // official page
    minCacheTokens: 4096, // not stated: the largest known minimum (estimates then assume less caching)
  },
  {
    id: 'claude-mythos-5',
    label: 'Claude Mythos 5',
    contextWindow: M, // official page
    maxOutput: 128 * K, // official page
    extendedMaxOutput: null, // official page and articles: no 300K beta
    output300k: 'no',
    thinking: UNKNOWN_THINKING,
    prices: { input: 10, output: 50 }, // official page
    minCacheTokens: 4096, // not stated: the largest known minimum
  },
  {
    id: 'claude-opus-5',
    label: 'Claude Opus 5',
    contextWindow: M, // issue 17 (official page)
    maxOutput: 128 * K, // issue 17 (official page)
    extendedMaxOutput: null, // no source states the beta for Opus 5
    output300k: 'unknown',
    thinking: UNKNOWN_THINKING,
    prices: { input: 5, output: 25 }, // issue 17 (official page)
    minCacheTokens: 4096, // not stated: the largest known minimum
  },
  {
    id: 'claude-sonnet-5',
    label: 'Claude Sonnet 5',
    contextWindow: M, // issue 17 (official page)
    maxOutput: 128 * K, // issue 17 (official page)
    extendedMaxOutput: null, // no source states the beta for Sonnet 5
    output300k: 'unknown',
    thinking: UNKNOWN_THINKING,
    prices: { input: 2, output: 10 }, // issue 17 (official page)
    minCacheTokens: 4096, // not stated: the largest known minimum
  },
];

/**
 * Ids the SDK (1.13) lists for which no source we have gives figures: they need a `models` entry
 * in the config (the error says so rather than guessing).
 */
const KNOWN_WITHOUT_FIGURES = new Set([
  'claude-opus-5-5',
  'claude-sonnet-5-5',
  'claude-haiku-5-5',
  'claude-fable-5-1',
  'claude-fable-5-2',
  'claude-mythos-5-1',
  'claude-mythos-5-2',
  'claude-mythos-preview',
]);

const ALIASES: Record<string, string> = {
  'claude-haiku-4-5-20251001': 'claude-haiku-4-5',
};

/** A config override: any field; `extendedMaxOutput` set (a number or null) also settles `output300k`. */
export type ModelOverrides = Record<string, Partial<Omit<ModelInfo, 'output300k' | 'thinking'>>>;

const settled = (over: Partial<ModelInfo> | undefined): Partial<ModelInfo> =>
  over?.extendedMaxOutput === undefined ? {} : { output300k: over.extendedMaxOutput === null ? 'no' : 'yes' };

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
        output300k: over.extendedMaxOutput ? 'yes' : over.extendedMaxOutput === null ? 'no' : 'unknown',
        thinking: UNKNOWN_THINKING,
        prices: over.prices ?? null,
        minCacheTokens: over.minCacheTokens ?? 4096,
      };
    }
    const why = KNOWN_WITHOUT_FIGURES.has(id) ? `no source we have gives the figures of "${id}"` : `unknown model "${id}"`;
    throw new HarnessError('BAD_MODEL', why, {
      file: source,
      hint: `use one of ${MODELS.map((m) => m.id).join(', ')}, or describe it under \`models["${id}"]\` in the config (contextWindow, maxOutput, extendedMaxOutput, prices)`,
    });
  }
  return { ...base, ...over, ...settled(over), id: base.id };
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
      : model.output300k === 'unknown'
        ? `no source states whether ${model.label} takes the ${OUTPUT_300K_BETA} beta, so the harness does not send it; its standard ceiling is ${model.maxOutput}`
        : `${model.label} does not support the ${OUTPUT_300K_BETA} beta; its ceiling is ${model.maxOutput}`;
  const unknownHint =
    mode === 'batch' && model.output300k === 'unknown'
      ? `, or, if your account accepts the beta for this model (\`harness doctor --probe-batch\` tries it), set \`models["${model.id}"].extendedMaxOutput: 300000\``
      : '';
  throw new HarnessError('BAD_MODEL', `maxTokens ${maxTokens} is too large for ${model.label}: ${why}`, {
    file: source,
    hint: `set maxTokens to at most ${model.maxOutput}${unknownHint}${mode === 'batch' && !unknownHint ? ', or pick a model that supports the beta (Opus 4.6+, Sonnet 4.6)' : ''}`,
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
