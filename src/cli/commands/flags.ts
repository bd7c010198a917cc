/** Flags several commands share, and the config overrides they make. */
import type { HarnessConfigInput } from '../../config/schema.js';
import { HarnessError } from '../../shared/errors.js';

/** Parses a whole-number flag value of at least `min`, naming the flag when it is not one. */
export const intArg =
  (flag: string, min = 0) =>
  (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      throw new HarnessError('BAD_USAGE', `${flag} needs a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${v}"`);
    }
    return n;
  };

export const modelOptions = [
  { flags: '--model <id>', description: 'model id (overrides the config)' },
  { flags: '--max-tokens <n>', description: 'max_tokens per batch request (overrides the config)', parse: intArg('--max-tokens', 1) },
];

/** The flag each config override comes from, so an error names what the person typed. */
export const FLAGS = { model: '--model', maxTokens: '--max-tokens', planner: '--planner' } as const;

/** The config fields the command line overrides. */
export function overrides(opts: Record<string, unknown>): HarnessConfigInput {
  const o: HarnessConfigInput = {};
  if (typeof opts.model === 'string') o.model = opts.model;
  if (typeof opts.maxTokens === 'number') o.maxTokens = opts.maxTokens;
  if (typeof opts.planner === 'string') o.planner = opts.planner as 'list' | 'mirror' | 'llm';
  return o;
}
