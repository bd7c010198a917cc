/**
 * codegen-harness as a library: the config helpers, the pipeline entry points and the emulator.
 * No side effects on import.
 */
export { defineConfig, configSchema, defaultConfig } from './config/schema.js';
export type { HarnessConfig, HarnessConfigInput, MirrorRule } from './config/schema.js';
export { loadConfig } from './config/load.js';
export { MODELS, OUTPUT_300K_BETA, resolveModel, planOutput } from './models/models.js';
export type { ModelInfo, Prices } from './models/models.js';
export { costUsd, naiveSyncCostUsd, cacheReadShare } from './cost/usage.js';
export type { Usage } from './cost/usage.js';
export { HarnessError } from './shared/errors.js';
export { openWorkspace } from './pipeline/workspace.js';
export type { Workspace, Reporter, BatchProgress } from './pipeline/workspace.js';
export { initRepo } from './pipeline/init.js';
export { runPasses } from './pipeline/run.js';
export { buildStatus } from './pipeline/status.js';
export { estimatePending } from './pipeline/estimate-pending.js';
export { main } from './cli/main.js';
