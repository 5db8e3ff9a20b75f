/** The `tensorduel` command line: dispatches to one module per sub-command, loaded on demand. */
import { loadDotEnv } from './config.ts';

/** A sub-command: gets its arguments, returns the process exit code. */
export type CommandModule = { run(args: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  ask: {
    summary: 'ask "question" [--json] [--stdin]  answer one question (or one per stdin line)',
    load: () => import('./cli/ask.ts'),
  },
  chat: {
    summary: 'chat                               multi-turn terminal chat',
    load: () => import('./cli/chat.ts'),
  },
  start: {
    summary: 'start                              Slack/Discord when configured, else the terminal chat',
    load: () => import('./cli/start.ts'),
  },
  bench: {
    summary: 'bench [--workloads …] [--engines …] run TensorFlow vs PyTorch benchmarks',
    load: () => import('./cli/bench.ts'),
  },
  doctor: {
    summary: 'doctor                             engines, versions, devices and install hints',
    load: () => import('./cli/doctor.ts'),
  },
};

function usage(): string {
  return [
    'Usage: tensorduel <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  tensorduel ${c.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(
      `Unknown command "${name}". Valid commands: ${Object.keys(COMMANDS).join(', ')}.\n\n${usage()}`,
    );
    return 2;
  }
  loadDotEnv();
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Only a message fit to show: stack traces go to the log at debug level, never to the user.
    console.error(`tensorduel: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
