/** `tensorduel chat`: the multi-turn terminal chat. */
import { ConsoleAdapter } from '../adapters/console/ConsoleAdapter.ts';
import { startAdvisor } from './runtime.ts';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    console.error(`tensorduel chat takes no arguments (got "${args.join(' ')}").`);
    return 2;
  }
  const { handle, logger } = await startAdvisor({ quiet: true });
  const adapter = new ConsoleAdapter({
    advisor: handle.advisor,
    input: process.stdin,
    output: process.stdout,
    logger,
  });
  try {
    await adapter.start();
  } finally {
    await handle.close();
  }
  return 0;
}
