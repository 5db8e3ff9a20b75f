/**
 * The chat servers of a bot replica: Slack and Discord (whichever `enabled` names), the benchmark queue from chat,
 * the state replicas share in Redis, and /healthz and /metrics. Imported only when a platform is configured (see
 * startPlatforms): its clients take seconds to import.
 */
import { dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import { DiscordAdapter } from '../adapters/discord/DiscordAdapter.ts';
import { FileThreads } from '../adapters/shared/AnsweredThreads.ts';
import type { ChatBench } from '../adapters/shared/bench.ts';
import { SlackAdapter } from '../adapters/slack/SlackAdapter.ts';
import type { Config } from '../config.ts';
import type { BenchRun } from '../core/jobs/bench-run.ts';
import type { AppStore, Logger } from '../core/ports.ts';
import type { AdvisorApi } from '../core/types.ts';
import { BullBenchQueue } from '../infra/queue/BullBenchQueue.ts';
import { createChatBench } from './bench-queue.ts';
import { startBotOps } from './health.ts';
import { type ReplicaState, replicaState } from './replica-state.ts';
import type { RunningPlatforms, StartPlatformsOptions } from './start-platforms.ts';

/** Where the queue keeps its runs: Redis for the distributed queue, else the app's store; none without either. */
function recentRuns(
  bench: ChatBench,
  store: Pick<AppStore, 'queue'> | undefined,
): (() => Promise<readonly BenchRun[]>) | undefined {
  const queue = bench.queue;
  if (queue instanceof BullBenchQueue) return () => queue.runs.recent();
  return store ? () => store.queue.list() : undefined;
}

/** Starts the enabled platforms (see startPlatforms); if one fails to start, the others are stopped and its error thrown. */
export async function startChatServers(
  config: Config,
  advisor: AdvisorApi,
  logger: Logger,
  options: StartPlatformsOptions,
  enabled: ReadonlyArray<'slack' | 'discord'>,
): Promise<RunningPlatforms> {
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
  // Files beside the database: what each button means (buttons on earlier messages work after a restart), …
  const beside = (name: string) => join(dirname(config.TENSORDUEL_DB_FILE), name);
  // What both platforms are given alike.
  const common = {
    advisor: served,
    logger,
    bench,
    // The queue and recent runs (Home tab, run-id autocomplete), from wherever the queue keeps them.
    runs: bench ? recentRuns(bench, options.store) : undefined,
    report: options.report,
    admins: config.TENSORDUEL_ADMINS,
    claims: shared.claims,
    ...retry,
  };
  const results = await Promise.allSettled(
    enabled.map(async (name) => {
      if (name === 'slack') {
        const slack = new SlackAdapter({
          ...common,
          botToken: config.SLACK_BOT_TOKEN ?? '',
          appToken: config.SLACK_APP_TOKEN,
          signingSecret: config.SLACK_SIGNING_SECRET,
          apiUrl: config.SLACK_API_URL,
          port: config.SLACK_PORT,
          host: config.SLACK_HOST,
          // Threads it answered in, so replies there without a mention are followed up, also after a restart.
          threads: shared.slackThreads(new FileThreads(beside('slack-threads.json'))),
          buttonsFile: beside('slack-buttons.json'),
          // Where each result's chart was uploaded, for the Home tab's last results.
          chartsFile: beside('slack-charts.json'),
          sharedButtons: shared.slackButtons,
        });
        await slack.start();
        started.push(slack);
        running.slack = slack;
      } else {
        const discord = new DiscordAdapter({
          ...common,
          buttonsFile: beside('discord-buttons.json'),
          token: config.DISCORD_TOKEN ?? '',
          apiUrl: config.DISCORD_API_URL,
          sharedButtons: shared.buttons,
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
