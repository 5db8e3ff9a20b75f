/**
 * `npx tsx scripts/warm-cache.ts` (setup.sh runs it): builds the advisor once, as `npm start` would, so the
 * embedding cache (keyed by model id and text hash) and everything else cached at start are on disk and the
 * first `npm start` answers within seconds. Run again after editing knowledge/ or intents/: only changed texts
 * are embedded.
 */
import { availableParallelism } from 'node:os';
import { loadConfig, loadDotEnv } from '../src/config.ts';
import { buildAdvisor } from '../src/infra/build-advisor.ts';
import { createLogger } from '../src/infra/logger.ts';
import { createProgress } from '../src/infra/progress.ts';

loadDotEnv();
// Nothing else runs while the cache is built: the encoder may take every core (a chat bot leaves one free).
const config = loadConfig({ TENSORDUEL_ENCODER_THREADS: String(availableParallelism()), ...process.env });
const t0 = performance.now();
const handle = await buildAdvisor(config, createLogger({ level: 'warn', format: 'text' }), {
  progress: createProgress({ afterMs: 0 }),
});
const { hits, misses } = handle.cacheStats;
await handle.close();
console.log(
  `warm-cache: ${handle.embedder.modelId}: ${misses} texts embedded, ${hits} already cached (${((performance.now() - t0) / 1000).toFixed(1)} s) → ${config.TENSORDUEL_CACHE_DIR}`,
);
