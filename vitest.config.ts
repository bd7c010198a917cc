import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/build.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test files wait (on the emulator's simulated batches, on subprocesses), not compute:
    // four at a time on two cores finish the suite in well under half the time of one per core.
    maxWorkers: 4,
  },
});
