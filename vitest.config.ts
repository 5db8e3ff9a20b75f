import { defineConfig } from 'vitest/config';

/**
 * Three tiers, told apart by the file name (tests mirror src/ paths, so folders cannot say it):
 * - unit: `*.test.ts`, fast, no real model, no Python, no child processes (`npm run test:unit`);
 * - integration: `*.int.test.ts`, real models, real PyTorch / TF.js runners, the CLI as a child process;
 * - e2e: `test/e2e/*.e2e.test.ts`, the real app against fake Slack and Discord servers.
 * `npm test` runs all three (CI runs it).
 */
const INTEGRATION = 'test/**/*.int.test.ts';
const E2E = 'test/**/*.e2e.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real models, real PyTorch and real chat clients share 2 cores: keep files from starving each other.
    maxWorkers: 2,
    fileParallelism: true,
    projects: [
      {
        extends: true,
        // Unit files share their worker's module cache (no re-import per file: ~24 s -> ~12 s on 2 cores); they hold
        // no module-level state between files (checked with shuffled file orders).
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [INTEGRATION, E2E], isolate: false },
      },
      { extends: true, test: { name: 'integration', include: [INTEGRATION] } },
      { extends: true, test: { name: 'e2e', include: [E2E] } },
    ],
  },
});
