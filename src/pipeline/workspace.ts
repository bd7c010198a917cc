/**
 * Everything a command works with, resolved once: repo, config, model, git, the API (lazily: status
 * never calls it), the reporter that draws events, and the clock. Stages take the slice they need.
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

export const silentReporter: Reporter = { info() {}, warn() {}, progress() {} };

export interface Workspace {
  repoDir: string;
  config: HarnessConfig;
  /** Where the config came from, for error messages ('defaults' when none). */
  configLabel: string;
  model: ModelInfo;
  /** Betas every batch of this config needs (the 300K beta above the standard ceiling). */
  betas: string[];
  git: GitRepo;
  reporter: Reporter;
  sleep: Sleep;
  now: () => number;
  env: NodeJS.ProcessEnv;
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
  /** Replace the SDK-backed API (tests of pure orchestration only). */
  api?: BatchApi;
}

export async function openWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const { repoDir, config } = options;
  const configLabel = options.configFile ? path.relative(repoDir, options.configFile) || options.configFile : 'defaults';
  const model = resolveModel(config.model, config.models, configLabel);
  const { betas } = planOutput(model, config.maxTokens, 'batch', configLabel);
  const git = await openRepo(repoDir, { init: options.initGit ?? false });
  const env = options.env ?? process.env;
  let client: Anthropic | null = null;
  let api: BatchApi | null = options.api ?? null;
  let templates: Promise<Templates> | null = null;
  const root = config.outputRoot;
  const getClient = (): Anthropic => (client ??= createClient({ env }));
  return {
    repoDir,
    config,
    configLabel,
    model,
    betas,
    git,
    reporter: options.reporter ?? silentReporter,
    sleep: options.sleep ?? realSleep,
    now: options.now ?? Date.now,
    env,
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
