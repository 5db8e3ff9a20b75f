/**
 * Event de-duplication across bot replicas: before answering an event (a Slack event id, a Discord message or
 * interaction id), a replica claims it; only the one claim that wins answers. With Redis the claim is a
 * `SET key 1 NX PX ttl`, atomic across every replica; without Redis (or while it is unreachable) claims are
 * kept in this process, which is exactly today's single-process de-dup.
 *
 * An adapter that answers an event takes a short lease first (`lease`, e.g. 60 s), keeps it for the full TTL once
 * the answer is out, and releases it when answering failed: a replica that crashes mid-answer, or fails to post,
 * does not make every replica drop the platform's retry.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EventClaims, EventLease, Logger } from '../../core/ports.ts';

export type { EventClaims, EventLease } from '../../core/ports.ts';

// Extends the claim when KEYS[1] still holds this holder's token ARGV[1] (or nobody's: the lease ran out but the
// answer went out, so duplicates are still dropped); otherwise another holder has it and it is left alone.
const KEEP = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

// Deletes KEYS[1] only while it holds this holder's token.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type WithLeases = Redis & {
  tdClaimKeep(key: string, token: string, ttlMs: number): Promise<number>;
  tdClaimRelease(key: string, token: string): Promise<number>;
};

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

  async lease(key: string, leaseMs: number): Promise<EventLease | undefined> {
    return this.claimSync(key, leaseMs) ? this.leaseOf(key) : undefined;
  }

  /** The lease of a claim just taken with `claimSync`. */
  leaseOf(key: string): EventLease {
    return {
      keep: async (ttlMs) => this.keepSync(key, ttlMs),
      release: async () => this.releaseSync(key),
    };
  }

  /** Keeps `key` claimed for `ttlMs` from now. */
  keepSync(key: string, ttlMs: number): void {
    this.#seen.delete(key);
    this.#seen.set(key, this.#now() + ttlMs);
  }

  /** Forgets the claim of `key`: the next claim of it wins. */
  releaseSync(key: string): void {
    this.#seen.delete(key);
  }
}

/**
 * Claims in Redis, shared by every replica. While Redis cannot be reached a claim falls back to this process's
 * memory, so questions are still answered (a duplicate delivered to two replicas during the outage may then be
 * answered twice: answering beats staying silent).
 * @example const claims = new RedisEventClaims(redis, logger); if (await claims.claim(`slack:${eventId}`, 7_200_000)) answer();
 */
export class RedisEventClaims implements EventClaims {
  readonly #redis: WithLeases;
  readonly #logger: Logger;
  readonly #local = new MemoryEventClaims();
  readonly #prefix: string;

  constructor(redis: Redis, logger: Logger, prefix = 'tensorduel:event') {
    if (!('tdClaimKeep' in redis)) {
      redis.defineCommand('tdClaimKeep', { numberOfKeys: 1, lua: KEEP });
      redis.defineCommand('tdClaimRelease', { numberOfKeys: 1, lua: RELEASE });
    }
    this.#redis = redis as WithLeases;
    this.#logger = logger;
    this.#prefix = prefix;
  }

  /**
   * A short claim while the event is answered, under a token of its own: keeping or releasing it touches the key
   * only while it is still this holder's (after the lease ran out another replica may hold it).
   */
  async lease(key: string, leaseMs: number): Promise<EventLease | undefined> {
    const fresh = this.#local.claimSync(key, leaseMs);
    const redisKey = `${this.#prefix}:${key}`;
    const token = randomBytes(9).toString('base64url');
    try {
      if ((await this.#redis.set(redisKey, token, 'PX', leaseMs, 'NX')) !== 'OK') return undefined;
    } catch (err) {
      this.#withoutRedis(err);
      return fresh ? this.#local.leaseOf(key) : undefined;
    }
    return {
      keep: async (ttlMs) => {
        this.#local.keepSync(key, ttlMs);
        await this.#redis
          .tdClaimKeep(redisKey, token, ttlMs)
          .catch((err: unknown) => this.#withoutRedis(err));
      },
      release: async () => {
        this.#local.releaseSync(key);
        // Left to expire when Redis is unreachable: the lease is short.
        await this.#redis.tdClaimRelease(redisKey, token).catch((err: unknown) => this.#withoutRedis(err));
      },
    };
  }

  #withoutRedis(err: unknown): void {
    this.#logger.debug('event claim without Redis: this replica only', {
      error: err instanceof Error ? err.message : String(err),
    });
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    // Recorded locally too: a retry that arrives here during a later outage is still known.
    const fresh = this.#local.claimSync(key, ttlMs);
    try {
      return (await this.#redis.set(`${this.#prefix}:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
    } catch (err) {
      this.#withoutRedis(err);
      return fresh;
    }
  }
}
