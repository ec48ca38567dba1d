import { defineConfig } from 'vitest/config';

/** Suites that run a whole network (nine components, the gateway, often nats-server and Chromium). */
const NETWORK_SUITES = ['test/network/**/*.test.ts', 'test/api/api.test.ts', 'test/browser/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Component suites each start a host with worker threads; two at a time suits 2 cores.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: NETWORK_SUITES } },
      // One whole network at a time: two side by side on 2 cores starve each other's ticks.
      { extends: true, test: { name: 'network', include: NETWORK_SUITES, fileParallelism: false } },
    ],
  },
});
