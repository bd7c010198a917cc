/**
 * The workspace's use of live model facts (models/live-facts.ts): asked once per process, before
 * the first submit of a run (the preflight) and in `estimate`; a retired model or one without batch
 * support stops the command with exit 2 before anything is sent; a deprecated one, and figures
 * where the table and the API disagree, are warnings; offline or on an error it says once that the
 * table's figures are used.
 */
import path from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { type FetchedModelFacts, fetchModelFacts, type JudgeOptions, judgeModelFacts } from '../models/live-facts.js';
import type { ModelInfo } from '../models/models.js';
import { HarnessError } from '../shared/errors.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';

export interface ModelCheckDeps {
  table: ModelInfo;
  /** The SDK client (same base URL and key as every call); may throw when no key is set. */
  client: () => Anthropic;
  repoDir: string;
  warn: (message: string) => void;
  /** Where the model came from (config file, `--model`), for the error. */
  source: string;
  /** The config's own figures for the model (`models[id]`), kept when tighter than the API's. */
  configured?: JudgeOptions['configured'];
}

/** What the check found, for `estimate --json` / `status --json`. */
export interface ModelFactsSummary {
  source: FetchedModelFacts['source'];
  fetchedAt: string | null;
  lifecycle: 'active' | 'deprecated' | 'retired' | null;
  retiresAt: string | null;
  contextWindow: number;
  maxOutput: number;
  error: string | null;
}

/** A checker: `check(mode)` answers the model to use (the table's row with live figures over it), or throws exit 2. */
export function modelChecker(deps: ModelCheckDeps): { check(mode?: 'batch' | 'sync'): Promise<ModelInfo>; summary(): ModelFactsSummary | null } {
  let fetched: Promise<FetchedModelFacts> | null = null;
  let summary: ModelFactsSummary | null = null;
  const said = new Set<string>();
  const warnOnce = (m: string) => {
    if (said.has(m)) return;
    said.add(m);
    deps.warn(m);
  };
  const fetchOnce = async (): Promise<FetchedModelFacts> => {
    let client: Anthropic;
    try {
      client = deps.client();
    } catch (error) {
      return { source: 'table', facts: null, fetchedAt: null, error: error instanceof Error ? error.message : String(error), notFound: false };
    }
    return fetchModelFacts(client, deps.table.id, { stateDir: path.join(deps.repoDir, HARNESS_STATE_DIR) });
  };
  return {
    async check(mode = 'batch') {
      fetched ??= fetchOnce();
      const f = await fetched;
      const judged = judgeModelFacts(deps.table, f.facts, { mode, notFound: f.notFound, configured: deps.configured });
      if (judged.problems.length > 0) {
        throw new HarnessError('BAD_MODEL', `${judged.problems.join('; ')}; nothing was sent`, {
          file: deps.source,
          hint: 'pick a current model (`harness doctor` and the Models API list them), with --model or `model` in the config',
        });
      }
      if (f.source === 'table' && f.error !== null && !f.notFound) {
        warnOnce(`could not ask the Models API about ${deps.table.id} (${f.error}): using the models table's figures`);
      } else if (f.source === 'cache' && f.error !== null) {
        warnOnce(`could not ask the Models API about ${deps.table.id} (${f.error}): using its answer of ${f.fetchedAt}`);
      }
      for (const w of judged.warnings) warnOnce(w);
      summary = {
        source: f.source,
        fetchedAt: f.fetchedAt,
        lifecycle: f.facts?.lifecycle ?? null,
        retiresAt: f.facts?.retiresAt ?? null,
        contextWindow: judged.use.contextWindow,
        maxOutput: judged.use.maxOutput,
        error: f.error,
      };
      return judged.use;
    },
    summary: () => summary,
  };
}
