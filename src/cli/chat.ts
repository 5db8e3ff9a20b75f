/** `tensorduel chat`: the multi-turn terminal chat. */
import { ConsoleAdapter } from '../adapters/console/ConsoleAdapter.ts';
import { parseCommandArgs } from './args.ts';
import { startAdvisor } from './runtime.ts';

/** `tensorduel chat --help`. */
export const usage = `Usage: tensorduel chat

  The multi-turn terminal chat: type a question, a number to pick a suggestion, /quit to leave.
  -h, --help  this help`;

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  if (parseCommandArgs(args, {}).help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const { handle, logger } = await startAdvisor({ terminal: true, progress: true });
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
