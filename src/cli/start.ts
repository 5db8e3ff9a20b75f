/** `tensorduel start` (`npm start`): every chat platform with credentials, or the terminal chat when none has. */

import { adminReport } from '../app/admin-report.ts';
import { loadConfig } from '../config.ts';
import { buildAdvisor } from '../infra/build-advisor.ts';
import { createProgress } from '../infra/progress.ts';
import { parseCommandArgs } from './args.ts';
import { cliLogger } from './runtime.ts';

/** `tensorduel start --help`. */
export const usage = `Usage: tensorduel start      (npm start)

  Serves Slack and Discord when their tokens are set (environment or .env), else opens the terminal chat.
  Settings come from the environment; see .env.example. SIGHUP reloads knowledge/ and intents/.
  -h, --help  this help`;

/** Runs the command until a signal (chat servers) or `/quit` (terminal chat). */
export async function run(args: string[]): Promise<number> {
  if (parseCommandArgs(args, {}).help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  // Imported while the encoder loads; Slack's and Discord's clients (seconds of this thread) only when configured.
  const platforms = import('../app/start-platforms.ts');
  platforms.catch(() => {}); // an import error surfaces at the await below
  const config = loadConfig();
  const logger = cliLogger(config, { terminal: 'auto' });
  // A bot replica: with TENSORDUEL_REDIS_URL its conversation memory and results are shared (docs/scaling.md).
  const handle = await buildAdvisor(config, logger, { progress: createProgress(), shared: true });
  const { startPlatforms } = await platforms;
  // The advisor's store: one instance writes each aggregate's file (conversations, feedback, the benchmark queue).
  const running = await startPlatforms(config, handle.advisor, logger, {
    store: handle.store,
    report: adminReport(handle),
    advisorRedis: handle.redis,
  });
  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    await running.stop();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // SIGHUP re-reads knowledge/ and intents/; only changed texts are re-embedded.
  process.on('SIGHUP', () => {
    handle.reload().then(
      () => logger.info('knowledge reloaded', { entries: handle.knowledge.length, cache: handle.cacheStats }),
      (err: unknown) => logger.error('reload failed; still serving the previous knowledge', { error: err }),
    );
  });
  await running.done;
  await running.stop();
  await handle.close();
  return 0;
}
