/**
 * The project's own example config: every field is optional (these are the defaults, spelled out
 * where a team usually changes them). Copy it into a target repo as `harness.config.ts`.
 */
import { defineConfig } from './src/config/schema.js';

export default defineConfig({
  model: 'claude-opus-4-8',
  // Above the model's standard ceiling (128K for Opus 4.8) the output-300k beta is added to each batch.
  maxTokens: 300_000,
  include: ['**/*'],
  exclude: ['docs/**/*.pdf'],
  outputRoot: '.',
  attempts: 3,
  poll: { initialMs: 30_000, maxMs: 300_000, factor: 1.5 },
  budget: { perRunUsd: 50, totalUsd: 200 },
  planner: 'list',
  mirror: {
    rules: [{ from: 'src/**/*.ts', to: 'test/{dir}/{name}.test.ts', description: 'vitest tests for `{path}`' }],
  },
  packing: { safetyMargin: 0.25, defaultTaskTokens: 4_000, estimates: [{ match: '**/*.test.ts', tokens: 6_000 }] },
  secrets: { allow: [] },
  cache: { warmup: true, warmupMinRequests: 4 },
});
