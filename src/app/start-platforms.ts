/** Starts every chat platform whose credentials are configured, or the terminal chat when none is. */

import type { Redis } from 'ioredis';
import { ConsoleAdapter } from '../adapters/console/ConsoleAdapter.ts';
import type { DiscordAdapter } from '../adapters/discord/DiscordAdapter.ts';
import type { ChatBench } from '../adapters/shared/bench.ts';
import type { RetryPolicy } from '../adapters/shared/retry.ts';
import type { SlackAdapter } from '../adapters/slack/SlackAdapter.ts';
import type { Config } from '../config.ts';
import { ErrorCode, UserError } from '../core/errors.ts';
import type { AppStore, Logger } from '../core/ports.ts';
import type { AdvisorApi } from '../core/types.ts';
import type { ReplicaState } from './replica-state.ts';

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
  if (enabled.length > 0) {
    // Bolt, discord.js and BullMQ take seconds of this thread to import: only chat servers pay for them.
    const { startChatServers } = await import('./chat-servers.ts');
    return startChatServers(config, advisor, logger, options, enabled);
  }
  const terminal = new ConsoleAdapter({
    advisor,
    logger,
    input: options.input ?? process.stdin,
    output: options.output ?? process.stdout,
  });
  logger.debug('no chat platform configured: starting the terminal chat');
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= terminal.stop();
    return stopping;
  };
  return { names: ['console'], console: terminal, done: terminal.start(), stop };
}
