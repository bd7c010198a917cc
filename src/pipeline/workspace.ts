/**
 * Everything a command works with, resolved once: repo, config, model, git, the API (lazily: status
 * never calls it), the reporter that draws events, and the clock. A stage declares the fields it
 * uses as a `Pick<Workspace, …>` (the run loop, submit, resolving an intent, waiting, warm-up,
 * recovery, dry run); a stage that still takes the whole workspace may use any of it.
 */
import path from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { createClient, sdkBatchApi, type BatchApi } from '../batch/api.js';
import { realSleep, type Sleep } from '../batch/retry.js';
import { withUnknownBatchHint } from '../batch/unknown-batch.js';
import type { HarnessConfig } from '../config/schema.js';
import { openRepo, type GitRepo } from '../git/repo.js';
import { planOutput, resolveModel, type ModelInfo } from '../models/models.js';
import { loadTemplates, type Templates } from '../requests/templates.js';
import { type ModelFactsSummary, modelChecker } from './model-check.js';
import { planThinking, type ThinkingPlan } from '../models/thinking.js';
import { HarnessError, isHarnessError } from '../shared/errors.js';
import { neverStop, sleepUnlessStopped, type StopSignal } from '../shared/signals.js';

export interface BatchProgress {
  batchId: string;
  status: string;
  succeeded: number;
  errored: number;
  processing: number;
  canceled: number;
  expired: number;
  elapsedMs: number;
  etaMs: number | null;
}

/** Core never prints: it reports through this, and the CLI renders it. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  progress(p: BatchProgress): void;
}

const silentReporter: Reporter = { info() {}, warn() {}, progress() {} };

export interface Workspace {
  repoDir: string;
  config: HarnessConfig;
  /** Where the config came from, for error messages ('defaults' when none). */
  configLabel: string;
  model: ModelInfo;
  /** Betas every batch of this config needs (the 300K beta above the standard ceiling). */
  betas: string[];
  /** `thinking` of batch requests and the output tokens it sets aside (models/thinking.ts). */
  thinking: ThinkingPlan;
  git: GitRepo;
  reporter: Reporter;
  sleep: Sleep;
  /** A sleep that a stop request cuts short: it then throws `StopRequested` (for waits at safe points). */
  wait: Sleep;
  now: () => number;
  env: NodeJS.ProcessEnv;
  /** Asked to stop (Ctrl-C, SIGTERM): long loops check it at their safe points. */
  stop: StopSignal;
  /**
   * Checks, before any side effect, that the API can be used: a key is set (else exit 2) and the
   * API answers a free call (else exit 1 naming the base URL). Runs once per workspace.
   */
  preflight(mode?: 'batch' | 'sync'): Promise<void>;
  /**
   * Live model facts (pipeline/model-check.ts), once per process: `model` and `betas` then hold the
   * API's window and ceiling; a retired model or one without batch support is exit 2. The preflight
   * runs it; `estimate` too. `modelFacts` is what was found (null before).
   */
  checkModel(mode?: 'batch' | 'sync'): Promise<void>;
  modelFacts(): ModelFactsSummary | null;
  client(): Anthropic;
  api(): BatchApi;
  templates(): Promise<Templates>;
  /** Repo-relative path of a task path (tasks are relative to the output root). */
  repoPath(taskPath: string): string;
}

export interface WorkspaceOptions {
  repoDir: string;
  config: HarnessConfig;
  configFile: string | null;
  reporter?: Reporter;
  sleep?: Sleep;
  now?: () => number;
  env?: NodeJS.ProcessEnv;
  initGit?: boolean;
  /** Replace the SDK-backed API (tests of pure orchestration only; the preflight then does nothing). */
  api?: BatchApi;
  stop?: StopSignal;
  /**
   * Where `model` and `maxTokens` came from when not the config file (`--model`, `--max-tokens`),
   * so an error about them names what the person typed.
   */
  sources?: { model?: string; maxTokens?: string };
}

export async function openWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const { repoDir, config } = options;
  const configLabel = options.configFile ? path.relative(repoDir, options.configFile) || options.configFile : 'defaults';
  let model = resolveModel(config.model, config.models, options.sources?.model ?? configLabel);
  const planBatch = (m: ModelInfo) =>
    flagHint(() => planOutput(m, config.maxTokens, 'batch', options.sources?.maxTokens ?? configLabel), options.sources?.maxTokens).betas;
  let betas = planBatch(model);
  const thinkingOf = (m: ModelInfo) => planThinking(config.thinking, m, config.maxTokens, configLabel);
  let thinking = thinkingOf(model);
  const git = await openRepo(repoDir, { init: options.initGit ?? false, hooks: config.git.hooks });
  const env = options.env ?? process.env;
  const stop = options.stop ?? neverStop;
  let preflight: Promise<void> | null = options.api ? Promise.resolve() : null;
  let client: Anthropic | null = null;
  let api: BatchApi | null = options.api ?? null;
  let templates: Promise<Templates> | null = null;
  const root = config.outputRoot;
  const getClient = (): Anthropic => (client ??= createClient({ env }));
  const reporter = options.reporter ?? silentReporter;
  const checker = options.api
    ? null
    : modelChecker({
        table: model,
        client: getClient,
        repoDir,
        warn: (m) => reporter.warn(m),
        source: options.sources?.model ?? configLabel,
        configured: config.models[model.id],
      });
  const checkModel = async (mode: 'batch' | 'sync' = 'batch') => {
    if (!checker) return;
    const live = await checker.check(mode);
    betas = planBatch(live);
    thinking = thinkingOf(live);
    model = live;
  };
  return {
    repoDir,
    config,
    configLabel,
    get model() {
      return model;
    },
    get betas() {
      return betas;
    },
    get thinking() {
      return thinking;
    },
    git,
    reporter,
    sleep: options.sleep ?? realSleep,
    wait: options.sleep ?? ((ms) => sleepUnlessStopped(ms, stop)),
    now: options.now ?? Date.now,
    env,
    stop,
    preflight(mode: 'batch' | 'sync' = 'batch') {
      preflight ??= checkApi(env);
      // The model check runs once (checkModel caches the answer); a sync-only command does not need batch support.
      return preflight.then(() => checkModel(mode));
    },
    checkModel,
    modelFacts: () => checker?.summary() ?? null,
    client: getClient,
    api() {
      api ??= withUnknownBatchHint(sdkBatchApi(getClient(), betas));
      return api;
    },
    templates() {
      templates ??= loadTemplates(config.templatesDir ? path.resolve(repoDir, config.templatesDir) : undefined);
      return templates;
    },
    repoPath(taskPath) {
      return root === '.' || root === '' ? taskPath : path.posix.join(root.replace(/\\/g, '/'), taskPath);
    },
  };
}

/** A model/max-tokens error caused by a flag: the hint says the flag, not the config field. */
function flagHint<T>(fn: () => T, flag: string | undefined): T {
  try {
    return fn();
  } catch (error) {
    if (!flag || !isHarnessError(error) || !error.hint) throw error;
    throw new HarnessError(error.code, error.message, {
      ...(error.file === undefined ? {} : { file: error.file }),
      hint: error.hint.replace(/set maxTokens to/, `pass ${flag}`),
      cause: error,
    });
  }
}

/**
 * The preflight: a key, and one free call (list one batch). A missing key is exit 2 with the fix;
 * a refused key exit 2; an API that cannot be reached or answers with an error exit 1 naming the
 * base URL. Nothing has been changed when it fails: it runs before any side effect.
 */
async function checkApi(env: NodeJS.ProcessEnv): Promise<void> {
  let client: Anthropic;
  try {
    client = createClient({ env, maxRetries: 1 });
  } catch (error) {
    if (!isHarnessError(error)) throw error;
    throw new HarnessError(error.code, `${error.message}; nothing was changed`, { ...(error.hint ? { hint: error.hint } : {}), cause: error });
  }
  const base = client.baseURL;
  try {
    await client.beta.messages.batches.list({ limit: 1 }, { timeout: 30_000 });
  } catch (error) {
    const { default: SDK } = await import('@anthropic-ai/sdk');
    const nothing = 'nothing was changed';
    if (error instanceof SDK.APIConnectionError) {
      const why = error instanceof SDK.APIConnectionTimeoutError ? 'timed out' : connectionCause(error);
      throw new HarnessError('API', `cannot reach the API at ${base} (${why}); ${nothing}`, {
        cause: error,
        hint: env.ANTHROPIC_BASE_URL
          ? 'check ANTHROPIC_BASE_URL (unset it to use the real API) and that the server is running, then run the command again'
          : 'check the network connection (and any proxy), then run the command again',
      });
    }
    if (error instanceof SDK.AuthenticationError || error instanceof SDK.PermissionDeniedError) {
      throw new HarnessError('BAD_USAGE', `the API at ${base} refused ANTHROPIC_API_KEY (HTTP ${error.status}); ${nothing}`, {
        cause: error,
        hint: 'check the key (and that it belongs to the workspace you mean), then run the command again',
      });
    }
    if (error instanceof SDK.APIError) {
      const body = error.error as { error?: { type?: string; message?: string } } | undefined;
      const what = body?.error?.type ?? `HTTP ${error.status ?? '?'}`;
      throw new HarnessError('API', `the API at ${base} answered a test call (listing batches) with ${what}; ${nothing}`, {
        cause: error,
        hint: error.status === 404 ? 'check ANTHROPIC_BASE_URL: it should point at the API root' : 'try again in a few minutes',
      });
    }
    throw error;
  }
}

/** The most telling reason of a connection error: a system error code, else the innermost message. */
function connectionCause(error: Error): string {
  let innermost = error.message;
  for (let e: unknown = error.cause; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code === 'ECONNREFUSED' ? 'connection refused' : code;
    if (e instanceof Error && e.message) innermost = e.message;
  }
  return innermost.split('\n')[0] || 'connection error';
}
