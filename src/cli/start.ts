/** `tensorduel start` (`npm start`): every chat platform with credentials, or the terminal chat when none has. */
import { startPlatforms } from '../app/start-platforms.ts';
import { startAdvisor } from './runtime.ts';

/** Runs the command until a signal (chat servers) or `/quit` (terminal chat). */
export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    console.error(
      `tensorduel start takes no arguments (got "${args.join(' ')}"); it reads its settings from .env.`,
    );
    return 2;
  }
  const { config, logger, handle } = await startAdvisor();
  // The advisor's store: one lowdb instance owns the file (conversations, feedback and the benchmark queue).
  const running = await startPlatforms(config, handle.advisor, logger, { store: handle.store });
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
