/** Starts every chat platform whose credentials are configured, or the terminal chat when none is. */

import { dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import { ConsoleAdapter } from '../adapters/console/ConsoleAdapter.ts';
import { DiscordAdapter } from '../adapters/discord/DiscordAdapter.ts';
import { FileThreads } from '../adapters/shared/AnsweredThreads.ts';
import type { ChatBench } from '../adapters/shared/bench.ts';
import type { RetryPolicy } from '../adapters/shared/retry.ts';
import { SlackAdapter } from '../adapters/slack/SlackAdapter.ts';
import type { Config } from '../config.ts';
import { ErrorCode, UserError } from '../core/errors.ts';
import type { BenchRun } from '../core/jobs/bench-run.ts';
import type { AppStore, Logger } from '../core/ports.ts';
import type { AdvisorApi } from '../core/types.ts';
import { BullBenchQueue } from '../infra/queue/BullBenchQueue.ts';
import { createChatBench } from './bench-queue.ts';
import { startBotOps } from './health.ts';
import { type ReplicaState, replicaState } from './replica-state.ts';

/** Settings of {@link startPlatforms} that are not configuration (stream injection, faster retries in tests). */
export interface StartPlatformsOptions {
  /** Terminal streams when no platform is configured; default process.stdin/stdout. */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Backoff for platform API calls; default 4 retries from 0.5 s. */
  retry?: RetryPolicy;
  /**
   * The app's store (the advisor's, so one instance writes each aggregate's file). With it, chat platforms run
   * benchmarks from chat through one persistent queue; without it, `bench` only explains what would run.
   */
  store?: Pick<AppStore, 'queue' | 'results'>;
  /** Benchmarks from chat (tests may pass their own queue); default: created from `store` and config. */
  bench?: ChatBench;
  /**
   * Least time between two progress edits of a running benchmark's status message, for the queue created here
   * (the embedded one; a distributed worker sets its own): default PROGRESS_INTERVAL_MS, 3 s (tests pass 0).
   */
  statusIntervalMs?: number;
  /** The admin report as chat Markdown (Discord `/report`, Slack `/tensorduel report`); without it they say it is not available. */
  report?: () => Promise<string>;
  /**
   * The advisor's Redis client (conversation memory, results, the admin report: AdvisorHandle.redis), so that
   * `/metrics` reports its state as `tensorduel_redis_up{client="advisor"}`.
   */
  advisorRedis?: Redis | undefined;
}

/** The running platforms. */
export interface RunningPlatforms {
  /** Which platforms are running: `slack`, `discord` or `console`. */
  names: string[];
  slack?: SlackAdapter;
  discord?: DiscordAdapter;
  console?: ConsoleAdapter;
  /** The benchmark queue, when chat benchmarks are on. */
  bench?: ChatBench;
  /** What this replica shares with the others (TENSORDUEL_REDIS_URL): event claims, button actions. */
  shared?: ReplicaState;
  /** The port of `/healthz` and `/metrics`, when TENSORDUEL_METRICS_PORT is set. */
  opsPort?: number;
  /** Resolves when the platforms end on their own (the terminal chat's `/quit`); chat servers never do. */
  done: Promise<void>;
  /** Stops everything and closes every socket; safe to call twice. */
  stop(): Promise<void>;
}

/** Where the queue keeps its runs: Redis for the distributed queue, else the app's store; none without either. */
function recentRuns(
  bench: ChatBench,
  store: Pick<AppStore, 'queue'> | undefined,
): (() => Promise<readonly BenchRun[]>) | undefined {
  const queue = bench.queue;
  if (queue instanceof BullBenchQueue) return () => queue.runs.recent();
  return store ? () => store.queue.list() : undefined;
}

/** Which platforms `config` enables; throws a UserError for a half-configured Slack. */
export function enabledPlatforms(config: Config): Array<'slack' | 'discord'> {
  const names: Array<'slack' | 'discord'> = [];
  if (config.SLACK_BOT_TOKEN) {
    if (!config.SLACK_APP_TOKEN && !config.SLACK_SIGNING_SECRET)
      throw new UserError(
        ErrorCode.InvalidInput,
        'SLACK_BOT_TOKEN is set, but Slack also needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP events).',
      );
    names.push('slack');
  } else if (config.SLACK_APP_TOKEN || config.SLACK_SIGNING_SECRET) {
    throw new UserError(ErrorCode.InvalidInput, 'Slack is partly configured: SLACK_BOT_TOKEN is missing.');
  }
  if (config.DISCORD_TOKEN) names.push('discord');
  return names;
}

/**
 * Starts Slack (Socket Mode when SLACK_APP_TOKEN is set, else HTTP on SLACK_HOST:SLACK_PORT) and Discord when
 * their tokens are set, else the terminal chat. If one platform fails to start, the others are stopped and the
 * error (a UserError fit to show) is thrown.
 * @example const running = await startPlatforms(config, advisor, logger);
 * process.once('SIGTERM', () => void running.stop());
 * await running.done;
 */
export async function startPlatforms(
  config: Config,
  advisor: AdvisorApi,
  logger: Logger,
  options: StartPlatformsOptions = {},
): Promise<RunningPlatforms> {
  const enabled = enabledPlatforms(config);
  const retry = options.retry ? { retry: options.retry } : {};
  const started: Array<{ stop(): Promise<void> }> = [];
  let stopping: Promise<void> | undefined;
  let stopFirst: (() => Promise<void>) | undefined;
  let shared: ReplicaState | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await stopFirst?.().catch((err: unknown) =>
        logger.error('benchmark queue stop failed', { error: err }),
      );
      await Promise.allSettled(started.map((p) => p.stop()));
      await shared?.close();
    })();
    return stopping;
  };

  if (enabled.length === 0) {
    const terminal = new ConsoleAdapter({
      advisor,
      logger,
      input: options.input ?? process.stdin,
      output: options.output ?? process.stdout,
    });
    started.push(terminal);
    logger.debug('no chat platform configured: starting the terminal chat');
    return { names: ['console'], console: terminal, done: terminal.start(), stop };
  }

  // Replicas share event claims and button actions in Redis when it is configured (docs/scaling.md).
  shared = replicaState(config, logger);
  const bench =
    options.bench ??
    (options.store
      ? createChatBench(config, options.store, logger, undefined, {
          progressIntervalMs: options.statusIntervalMs,
        })
      : undefined);
  // The queue stops first: it kills a running benchmark and reports it while the platforms can still post.
  if (bench) stopFirst = () => bench.queue.stop();
  // /healthz and /metrics when TENSORDUEL_METRICS_PORT is set (chat servers only, never the terminal chat).
  // Every Redis client of this replica in tensorduel_redis_up: the queue's own, and these.
  const clients = (): Array<[string, Redis]> => [
    ...(options.advisorRedis ? [['advisor', options.advisorRedis] as [string, Redis]] : []),
    ...(shared?.redis ? [['replica-state', shared.redis] as [string, Redis]] : []),
  ];
  const ops = await startBotOps(config, advisor, logger, bench?.queue, clients).catch(
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
  if (ops) started.push(ops);
  const served = ops?.advisor ?? advisor;
  const running: RunningPlatforms = {
    names: [],
    done: new Promise<void>(() => {}),
    stop,
    shared,
    ...(bench ? { bench } : {}),
    ...(ops ? { opsPort: ops.port } : {}),
  };
  const results = await Promise.allSettled(
    enabled.map(async (name) => {
      if (name === 'slack') {
        const slack = new SlackAdapter({
          advisor: served,
          logger,
          botToken: config.SLACK_BOT_TOKEN ?? '',
          appToken: config.SLACK_APP_TOKEN,
          signingSecret: config.SLACK_SIGNING_SECRET,
          apiUrl: config.SLACK_API_URL,
          port: config.SLACK_PORT,
          host: config.SLACK_HOST,
          bench,
          // Threads it answered in, so replies there without a mention are followed up, also after a restart.
          threads: shared.slackThreads(
            new FileThreads(join(dirname(config.TENSORDUEL_DB_FILE), 'slack-threads.json')),
          ),
          // What each button means, beside the database: buttons on earlier messages work after a restart.
          buttonsFile: join(dirname(config.TENSORDUEL_DB_FILE), 'slack-buttons.json'),
          // Where each result's chart was uploaded, for the Home tab's last results.
          chartsFile: join(dirname(config.TENSORDUEL_DB_FILE), 'slack-charts.json'),
          // The Home tab's queue and recent runs, from wherever the queue keeps them.
          runs: bench ? recentRuns(bench, options.store) : undefined,
          report: options.report,
          admins: config.TENSORDUEL_ADMINS,
          claims: shared.claims,
          sharedButtons: shared.slackButtons,
          ...retry,
        });
        await slack.start();
        started.push(slack);
        running.slack = slack;
      } else {
        const discord = new DiscordAdapter({
          advisor: served,
          logger,
          // What each button means, beside the database: buttons on earlier messages work after a restart.
          buttonsFile: join(dirname(config.TENSORDUEL_DB_FILE), 'discord-buttons.json'),
          token: config.DISCORD_TOKEN ?? '',
          apiUrl: config.DISCORD_API_URL,
          bench,
          // Run ids for autocomplete, newest runs from wherever the queue keeps them.
          runs: bench ? recentRuns(bench, options.store) : undefined,
          report: options.report,
          admins: config.TENSORDUEL_ADMINS,
          claims: shared.claims,
          sharedButtons: shared.buttons,
          ...retry,
        });
        await discord.start();
        started.push(discord);
        running.discord = discord;
      }
      running.names.push(name);
    }),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  // Recovery after the notifiers are attached: interrupted runs are reported, queued ones resume.
  if (bench) await bench.queue.start();
  logger.info('chat platforms started', { platforms: running.names, benchmarks: bench !== undefined });
  return running;
}
