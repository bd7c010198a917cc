// The migration example's config (copy it into your repo as harness.config.ts).
import type { HarnessConfigInput } from 'codegen-harness';

export default {
  model: 'claude-opus-4-8',
  maxTokens: 64_000,
  // The task list exists: `harness init` takes it as it is.
  planner: 'list',
  // A rewrite is about as long as the file it replaces.
  packing: {
    estimates: [
      { match: '**/*.js', tokens: 2_000 },
      { match: '**/package.json', tokens: 300 },
    ],
  },
  budget: { perRunUsd: 5 },
} satisfies HarnessConfigInput;
