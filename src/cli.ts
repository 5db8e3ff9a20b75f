/** The `tensorduel` command line: dispatches to one module per sub-command, loaded on demand. */
import { readFileSync } from 'node:fs';
import { parseCommandArgs, UsageError } from './cli/args.ts';
import { loadDotEnv } from './config.ts';
import { ErrorCode } from './core/errors.ts';

/** A sub-command: its `--help` text, and a runner that gets its arguments and returns the exit code. */
export type CommandModule = { usage: string; run(args: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  ask: {
    summary: 'ask "question" [--json] [--explain] [--stdin]  answer one question (or one per stdin line)',
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
    summary: 'doctor [--json]                    engines, versions, devices and install hints',
    load: () => import('./cli/doctor.ts'),
  },
  report: {
    summary:
      'report [--json] [--top N]          unanswered and 👎 questions, answer rates, topics asked most',
    load: () => import('./cli/report.ts'),
  },
  worker: {
    summary: 'worker [--queue NAME] [--device cuda:0]  run chat benchmarks from the Redis queue on this host',
    load: () => import('./cli/worker.ts'),
  },
};

function usage(): string {
  return [
    'Usage: tensorduel <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  tensorduel ${c.summary}`),
    '',
    '  tensorduel <command> --help      options of one command',
    '  tensorduel --version             the version',
  ].join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(`${usage()}\n`);
    return 2;
  }
  if (name.startsWith('-')) {
    const { values } = parseCommandArgs(argv, { version: { type: 'boolean', short: 'v' } });
    process.stdout.write(`${values.version ? version() : usage()}\n`);
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      process.stdout.write(`${usage()}\n`);
      return 0;
    }
    const command = COMMANDS[topic];
    if (!command) throw unknownCommand(topic);
    process.stdout.write(`${(await command.load()).usage}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw unknownCommand(name);
  loadDotEnv();
  try {
    return await (await command.load()).run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      err.command = name;
      err.message = `${err.message} See "tensorduel ${name} --help".`;
    }
    throw err;
  }
}

function unknownCommand(name: string): UsageError {
  return new UsageError(
    `Unknown command "${name}". Valid commands: ${Object.keys(COMMANDS).join(', ')}. See "tensorduel --help".`,
    ErrorCode.UnknownCommand,
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // One line fit to show: stack traces go to the log at debug level, never to the user.
    const message = err instanceof Error ? err.message : String(err);
    const who = err instanceof UsageError && err.command ? `tensorduel ${err.command}` : 'tensorduel';
    process.stderr.write(`${who}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
