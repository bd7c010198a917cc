// The microservice example: the llm planner turns spec.md into task-list.md.
import type { HarnessConfigInput } from 'codegen-harness';

export default {
  model: 'claude-opus-4-8',
  maxTokens: 128_000,
  planner: 'llm',
  packing: {
    estimates: [
      { match: 'test/**', tokens: 3_000 },
      { match: 'src/**', tokens: 2_500 },
    ],
  },
  budget: { perRunUsd: 10 },
} satisfies HarnessConfigInput;
