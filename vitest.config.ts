import { defineConfig } from 'vitest/config';

// Suites start real brokers, servers and agent processes: keep parallelism to the 2 cores we have.
export default defineConfig({
  test: {
    include: [
      'protocol/src/**/*.test.ts',
      'server/src/**/*.test.ts',
      'edge-agent/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
