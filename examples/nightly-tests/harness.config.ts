// The nightly test-suite example: one vitest file per source file, regenerated each night.
import type { HarnessConfigInput } from 'codegen-harness';

export default {
  model: 'claude-sonnet-4-6',
  maxTokens: 32_000,
  planner: 'mirror',
  mirror: {
    rules: [
      {
        from: 'src/**/*.ts',
        to: 'test/{dir}/{name}.test.ts',
        description: 'vitest tests for `{path}`: every export, edge cases, no mocks',
        group: 'Tests',
      },
    ],
  },
  packing: { estimates: [{ match: 'test/**/*.test.ts', tokens: 3_000 }] },
  budget: { perRunUsd: 2, totalUsd: 60 },
  // The generated suite must pass: after every collect that wrote tests, `vitest run` runs in the
  // repo root; a test file it reports failing goes back to the model with its failure lines (one
  // repair batch, collected by the next night's run), up to 2 times (docs/verify.md). It runs the
  // generated tests on the CI machine: the job holds no secret but the API key, which the harness
  // keeps out of what it stores and sends. `vitest` is the repo's own (devDependencies): run the
  // harness through `npx harness` or an npm script, which put node_modules/.bin on PATH.
  verify: { command: 'vitest run', repairs: 2 },
} satisfies HarnessConfigInput;
