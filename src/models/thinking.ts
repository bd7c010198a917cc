/**
 * Extended thinking as the config asks it (`thinking`: `off`, `adaptive`, or `{ budgetTokens }`)
 * and as the API takes it (SDK `ThinkingConfigParam`): `{type: 'enabled', budget_tokens}` (at least
 * 1024 and below `max_tokens`: the budget comes out of it), `{type: 'adaptive'}` (the model decides
 * how much to think; billed as output), nothing for `off`. Pure: the workspace checks it once.
 */
import { HarnessError } from '../shared/errors.js';
import type { ModelInfo } from './models.js';

export type ThinkingSetting = 'off' | 'adaptive' | { budgetTokens: number };

export type ThinkingParam = { type: 'enabled'; budget_tokens: number } | { type: 'adaptive' };

export interface ThinkingPlan {
  /** What requests carry as `thinking`; undefined: the field is left out. */
  param: ThinkingParam | undefined;
  /** Output tokens set aside for thinking in every request: the packer and the estimates count them. */
  reservedTokens: number;
}

const MIN_BUDGET = 1024;

/** The thinking param for `model` with `maxTokens`, or exit 2 naming the config when the API would refuse it. */
export function planThinking(setting: ThinkingSetting, model: ModelInfo, maxTokens: number, source = 'config'): ThinkingPlan {
  if (setting === 'off') return { param: undefined, reservedTokens: 0 };
  if (setting === 'adaptive') {
    if (model.thinking.adaptive === 'no') {
      throw new HarnessError('BAD_CONFIG', `thinking: 'adaptive' is not supported by ${model.label}`, {
        file: source,
        hint: `use thinking: { budgetTokens: N } (${MIN_BUDGET} ≤ N < maxTokens), or 'off'`,
      });
    }
    return { param: { type: 'adaptive' }, reservedTokens: 0 };
  }
  const budget = setting.budgetTokens;
  if (model.thinking.budget === 'no') {
    throw new HarnessError('BAD_CONFIG', `thinking: a budget is not supported by ${model.label} (it thinks adaptively)`, {
      file: source,
      hint: "use thinking: 'adaptive', or 'off'",
    });
  }
  if (!Number.isInteger(budget) || budget < MIN_BUDGET) {
    throw new HarnessError('BAD_CONFIG', `thinking.budgetTokens must be an integer of at least ${MIN_BUDGET}, got ${budget}`, { file: source });
  }
  if (budget >= maxTokens) {
    throw new HarnessError('BAD_CONFIG', `thinking.budgetTokens ${budget} must be below maxTokens ${maxTokens}: the budget comes out of max_tokens`, {
      file: source,
      hint: `lower thinking.budgetTokens (the rest of max_tokens is left for the files), or raise maxTokens`,
    });
  }
  return { param: { type: 'enabled', budget_tokens: budget }, reservedTokens: budget };
}
