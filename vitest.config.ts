import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real models, real PyTorch and real chat clients share 2 cores: keep files from starving each other.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
