/**
 * Event de-duplication across bot replicas: before answering an event (a Slack event id, a Discord message or
 * interaction id), a replica claims it; only the one claim that wins answers. With Redis the claim is a
 * `SET key 1 NX PX ttl`, atomic across every replica; without Redis (or while it is unreachable) claims are
 * kept in this process, which is exactly today's single-process de-dup.
 */
import type { Redis } from 'ioredis';
import type { EventClaims, Logger } from '../../core/ports.ts';

export type { EventClaims } from '../../core/ports.ts';

/** Claims kept in this process's memory (bounded, oldest forgotten first). */
export class MemoryEventClaims implements EventClaims {
  readonly #seen = new Map<string, number>();
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(options: { capacity?: number; now?: () => number } = {}) {
    this.#capacity = options.capacity ?? 20_000;
    this.#now = options.now ?? Date.now;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return this.claimSync(key, ttlMs);
  }

  /** The same, synchronously (the Redis claims fall back on it while Redis is down). */
  claimSync(key: string, ttlMs: number): boolean {
    const now = this.#now();
    const until = this.#seen.get(key);
    if (until !== undefined && until > now) return false;
    this.#seen.delete(key);
    this.#seen.set(key, now + ttlMs);
    for (const [k, t] of this.#seen) {
      if (this.#seen.size <= this.#capacity && t > now) break;
      this.#seen.delete(k);
    }
    return true;
  }
}

/**
 * Claims in Redis, shared by every replica. While Redis cannot be reached a claim falls back to this process's
 * memory, so questions are still answered (a duplicate delivered to two replicas during the outage may then be
 * answered twice: answering beats staying silent).
 * @example const claims = new RedisEventClaims(redis, logger); if (await claims.claim(`slack:${eventId}`, 7_200_000)) answer();
 */
export class RedisEventClaims implements EventClaims {
  readonly #redis: Redis;
  readonly #logger: Logger;
  readonly #local = new MemoryEventClaims();
  readonly #prefix: string;

  constructor(redis: Redis, logger: Logger, prefix = 'tensorduel:event') {
    this.#redis = redis;
    this.#logger = logger;
    this.#prefix = prefix;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    // Recorded locally too: a retry that arrives here during a later outage is still known.
    const fresh = this.#local.claimSync(key, ttlMs);
    try {
      return (await this.#redis.set(`${this.#prefix}:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
    } catch (err) {
      this.#logger.debug('event claim without Redis: this replica only', {
        error: err instanceof Error ? err.message : String(err),
      });
      return fresh;
    }
  }
}
