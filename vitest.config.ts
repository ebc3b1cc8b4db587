import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The reliability suite runs on its own PostgreSQL server: `npm run test:chaos` (vitest.chaos.config.ts);
    // the million-row pipelines take minutes: `npm run test:scale` (vitest.scale.config.ts). CI runs both.
    exclude: ['test/chaos/**', 'test/scale/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    // Integration test files each start a Temporal dev server and a worker; one file at a time
    // keeps a 2-core machine from starving them.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
