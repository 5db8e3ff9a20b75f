/**
 * Redis connections for the distributed benchmark queue and shared bot state (TENSORDUEL_REDIS_URL). Two kinds:
 * the bot's clients fail fast (no offline queue, a command timeout) so a chat command never hangs while Redis
 * is down; a worker's clients wait (BullMQ workers need `maxRetriesPerRequest: null`). Both reconnect by
 * themselves, with a capped backoff.
 */
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../core/ports.ts';

/** How long a bot-side Redis call may take before the command answers "queue unavailable". */
export const BOT_COMMAND_TIMEOUT_MS = 2_000;

/** Reconnect delay: 100 ms growing to 2 s, forever (ioredis calls it after each failed attempt). */
export function reconnectDelay(times: number): number {
  return Math.min(100 * 2 ** Math.min(times, 5), 2_000);
}

/** The ioredis options of one role: `bot` fails fast, `worker` waits for Redis to come back. */
export function redisOptions(role: 'bot' | 'worker'): RedisOptions {
  const common: RedisOptions = {
    retryStrategy: reconnectDelay,
    connectTimeout: 5_000,
    // Names the client in CLIENT LIST (BullMQ's getWorkers reads its own names; this is for operators).
    connectionName: `tensorduel-${role}`,
    lazyConnect: false,
  };
  return role === 'bot'
    ? {
        ...common,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: BOT_COMMAND_TIMEOUT_MS,
      }
    : { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null };
}

/**
 * A new client for `url`; connection errors are logged once per outage (ioredis emits one per retry), never
 * with the URL (it may hold a password).
 * @example const redis = connectRedis('redis://127.0.0.1:6379', 'bot', logger);
 */
export function connectRedis(
  url: string,
  role: 'bot' | 'worker',
  logger: Logger,
  extra: RedisOptions = {},
): Redis {
  // BullMQ's option type (loose) is what both libraries take; ioredis 6's own option type cannot be met under
  // exactOptionalPropertyTypes (its `replyMapping` intersection), hence the cast.
  const client = new Redis(url, { ...redisOptions(role), ...extra } as never);
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn('redis unreachable; reconnecting', { role, error: err.message });
  });
  client.on('ready', () => {
    if (down) logger.info('redis connection restored', { role });
    down = false;
  });
  return client;
}

/** True while `client` can take commands. */
export function isReady(client: Redis): boolean {
  return client.status === 'ready';
}

/** Closes a client without waiting for a Redis that may be gone (QUIT would wait; disconnect does not). */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  await Promise.race([
    client.quit().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
  ]);
  client.disconnect();
}

/** Rejects after `ms` with `message`: bounds calls whose library gives no timeout of its own (BullMQ's). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
