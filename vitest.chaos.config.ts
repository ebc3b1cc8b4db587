import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: the reliability suite (test/chaos), against its own PostgreSQL server, which
// its tests stop and restart, and a Temporal dev server per file. Apart from `npm test` because it
// takes the server down under whoever else would use it.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    globalSetup: ['test/chaos/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    // One file at a time: each starts Temporal and workers, and some take the shared PostgreSQL down.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 180_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/chaos.json' },
  },
});
