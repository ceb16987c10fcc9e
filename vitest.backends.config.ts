import { defineConfig } from 'vitest/config';

// `npm run e2e:backend`: a training run through the queue on the backend AELAB_BACKEND
// names (webgpu, tensorflow). Not part of `npm test`, whose runs use the default backends.
export default defineConfig({
  test: {
    include: ['test/backends/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
