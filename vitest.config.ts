import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Component suites each start a host with worker threads; two at a time suits 2 cores.
    maxWorkers: 2,
  },
});
