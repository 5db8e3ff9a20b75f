/**
 * What bot replicas share besides the advisor's memory (src/infra/build-advisor.ts) when TENSORDUEL_REDIS_URL is
 * set: event claims, so a Slack retry or a Discord message seen by two gateway sessions is answered once, and
 * what each Slack or Discord button means, so a click reaching any replica finds the action another one stored,
 * and the Slack threads answered in, so a reply in one is followed up by whichever replica receives it. Without
 * Redis, nothing: the adapters keep today's in-process de-dup and their button file.
 */
import type { Redis } from 'ioredis';
import type { ThreadMemory } from '../adapters/shared/AnsweredThreads.ts';
import type { ButtonAction } from '../adapters/shared/ButtonStore.ts';
import type { Config } from '../config.ts';
import type { EventClaims, Logger, SharedActions } from '../core/ports.ts';
import { closeRedis, connectRedis } from '../infra/redis/connection.ts';
import { RedisActionStore } from '../infra/state/action-store.ts';
import { RedisEventClaims } from '../infra/state/claims.ts';

/** The shared state of one replica, and how to let it go at shutdown. */
export interface ReplicaState {
  /** Event claims across replicas; undefined without Redis (each adapter de-duplicates in its own memory). */
  claims?: EventClaims;
  /** Discord button actions across replicas; undefined without Redis. */
  buttons?: SharedActions<ButtonAction>;
  /** Slack button actions across replicas; undefined without Redis. */
  slackButtons?: SharedActions<ButtonAction>;
  /** Its Redis client (metrics, tests), when there is one. */
  redis?: Redis;
  /** The Slack threads answered in: shared in Redis (and still kept in `local`), or just `local` without Redis. */
  slackThreads(local: ThreadMemory): ThreadMemory;
  close(): Promise<void>;
}

/**
 * Answered threads shared by replicas (one key per thread, kept 30 days), so a reply in a thread another replica
 * answered in is followed up too. `local` keeps them as well, and answers alone while Redis is down.
 */
export class RedisThreads implements ThreadMemory {
  readonly #redis: Redis;
  readonly #local: ThreadMemory;
  readonly #prefix: string;

  constructor(redis: Redis, local: ThreadMemory, prefix = 'tensorduel:thread') {
    this.#redis = redis;
    this.#local = local;
    this.#prefix = prefix;
  }

  async has(key: string): Promise<boolean> {
    if (await this.#local.has(key)) return true;
    try {
      return (await this.#redis.exists(`${this.#prefix}:${key}`)) === 1;
    } catch {
      return false; // Redis down: only the threads this replica answered in
    }
  }

  async add(key: string): Promise<void> {
    await this.#local.add(key);
    await this.#redis.set(`${this.#prefix}:${key}`, '1', 'EX', 30 * 24 * 3600).catch(() => undefined);
  }
}

/**
 * The shared state `config` asks for: on its own fail-fast Redis client (a claim or a button lookup never waits
 * on a Redis that is down; claims then fall back to this replica's memory).
 * @example const shared = replicaState(config, logger); new SlackAdapter({ …, claims: shared.claims });
 */
export function replicaState(config: Config, logger: Logger): ReplicaState {
  const url = config.TENSORDUEL_REDIS_URL;
  if (!url) return { slackThreads: (local) => local, close: async () => {} };
  const redis = connectRedis(url, 'bot', logger);
  return {
    claims: new RedisEventClaims(redis, logger),
    buttons: new RedisActionStore<ButtonAction>(redis, { prefix: 'tensorduel:action:discord' }),
    slackButtons: new RedisActionStore<ButtonAction>(redis, { prefix: 'tensorduel:action:slack' }),
    redis,
    slackThreads: (local) => new RedisThreads(redis, local),
    close: () => closeRedis(redis),
  };
}
