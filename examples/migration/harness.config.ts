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
  // The rewrite must type-check (tsconfig.json: checkJs over src/). After every collect that wrote
  // files, `tsc --noEmit` runs in the repo root; a file it names goes back to the model with its
  // errors, up to 2 times, and the run ends 0 only when it passes (docs/verify.md). `tsc` is the
  // repo's own (typescript in devDependencies): run the harness through `npx harness` or an npm
  // script, which put node_modules/.bin on PATH. It executes nothing: a compiler only reads code.
  verify: { command: 'tsc --noEmit', repairs: 2 },
} satisfies HarnessConfigInput;
