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
} satisfies HarnessConfigInput;
