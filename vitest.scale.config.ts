import { defineConfig } from 'vitest/config';

// `npm run test:scale`: the 1,000,000-row pipelines end to end (test/scale), on the same real parts
// as `npm test` (its global setup: a database per run, the Temporal binary). Apart from `npm test`
// because they take minutes: CI runs them after it.
export default defineConfig({
  test: {
    include: ['test/scale/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 180_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/scale.json' },
  },
});
