/**
 * The Anthropic API emulator: a faithful offline stand-in for the Messages and Message Batches
 * APIs on 127.0.0.1 (docs/emulator.md), for the demo, the tests and offline trials. Point the
 * official SDK at it with ANTHROPIC_BASE_URL.
 */
export { startEmulator } from './server.js';
export { serveEmulator, loadResponder, type ServeOptions } from './standalone.js';
export { defaultDefect, defectResponder, type DefectSpec, placeholderResponder, PLACEHOLDER_REPLY } from './responder.js';
export { EMULATED_MODELS, type EmulatedModel, type EmulatedModelOverride, type EmulatedModels, type Lifecycle } from './model-facts.js';
export { placeholderFile, type PlaceholderOptions } from './placeholder.js';
export { faultConfigSchema, faultsFromEnv, loadFaultsFile, parseFaults, type FaultConfig, type HttpFault, type ResultFault } from './faults.js';
export type {
  Emulator,
  EmulatorLimits,
  EmulatorOptions,
  EmulatorStats,
  LogEntry,
  MessageParamLike,
  Responder,
  ResponderParams,
  ResponderRequest,
  TextBlockLike,
  UsageTotals,
} from './types.js';
