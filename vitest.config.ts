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
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: NETWORK_SUITES, sequence: { groupOrder: 0 } } },
      // One whole network at a time, after the unit suites: on 2 cores, anything beside a network
      // (another network, the unit suites' child processes) starves its ticks past their timeouts.
      { extends: true, test: { name: 'network', include: NETWORK_SUITES, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
