import { defineConfig } from 'vitest/config';

// Integration and e2e tests spawn real processes and train real (tiny) models on the
// pure-JS backend, so they get generous timeouts and run one file at a time per core.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/backends/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
  },
});
