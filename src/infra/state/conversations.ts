/**
 * Conversation memory shared by bot replicas: one Redis key per conversation (`tensorduel:conversation:<id>`),
 * expiring with the memory lifetime (PX), changed by an optimistic compare-and-set (a Lua script sets the new
 * value only if the key still holds what the change was computed from; otherwise it is recomputed), so two
 * replicas answering in one conversation never lose each other's update. A turn on one replica and its follow-up
 * on another read the same memory.
 *
 * Every value this replica reads or writes is also kept in its own bounded map (write-through). While Redis cannot
 * be reached, a change is computed from that copy (or from what GET returned, when only the write failed), so an
 * outage never starts a conversation blank; the copy is marked unsynced, and once Redis is back, whichever of it
 * and Redis's copy is newer wins. A synced copy never outvotes Redis (another replica may have changed it since).
 */
import type { Redis } from 'ioredis';
import type { ConversationMemory, Logger } from '../../core/ports.ts';
import { type ConversationState, STATE_LIMITS } from '../../core/state.ts';

// SET only when the key holds ARGV[1] ('' for absent); PX keeps it for the memory lifetime after each change.
const COMPARE_AND_SET = `
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

type WithCas = Redis & {
  tdConversationCas(key: string, expected: string, next: string, ttlMs: number): Promise<number>;
};

/** How many times a change is recomputed after losing a race before it is given up (and logged). */
const MAX_ATTEMPTS = 100;

/** Conversations in this process only: the fallback while Redis is down (bounded, oldest dropped first). */
export class LocalConversations implements ConversationMemory {
  readonly #items = new Map<string, { state: ConversationState; unsynced: boolean }>();
  readonly #capacity: number;

  constructor(capacity: number = STATE_LIMITS.conversations) {
    this.#capacity = capacity;
  }

  async get(id: string): Promise<ConversationState | undefined> {
    return this.peek(id);
  }

  /** The same, synchronously. */
  peek(id: string): ConversationState | undefined {
    const c = this.#items.get(id);
    return c && structuredClone(c.state);
  }

  /** True when the copy of `id` was changed while Redis was down and is not in Redis yet. */
  unsynced(id: string): boolean {
    return this.#items.get(id)?.unsynced ?? false;
  }

  async update(id: string, fn: (stored: ConversationState | undefined) => ConversationState): Promise<void> {
    this.set(id, fn(this.peek(id)));
  }

  /** Stores `c` as the newest; `unsynced` when it is not in Redis (changed during an outage). */
  set(id: string, c: ConversationState, unsynced = false): void {
    this.#items.delete(id);
    this.#items.set(id, { state: structuredClone(c), unsynced });
    while (this.#items.size > this.#capacity) {
      const oldest = this.#items.keys().next().value;
      if (oldest === undefined) break;
      this.#items.delete(oldest);
    }
  }

  /** Forgets `id`. */
  delete(id: string): void {
    this.#items.delete(id);
  }
}

/**
 * Conversation memory in Redis, over the bot's fail-fast client (see redis/connection.ts).
 * @example const memory = new RedisConversations(redis, { ttlMs: 30 * 60_000, logger });
 */
export class RedisConversations implements ConversationMemory {
  readonly #redis: WithCas;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #local = new LocalConversations();
  #down = false;

  constructor(redis: Redis, options: { ttlMs: number; logger: Logger; prefix?: string }) {
    if (!('tdConversationCas' in redis))
      redis.defineCommand('tdConversationCas', { numberOfKeys: 1, lua: COMPARE_AND_SET });
    this.#redis = redis as WithCas;
    this.#ttlMs = Math.max(1, Math.round(options.ttlMs));
    this.#logger = options.logger;
    this.#prefix = options.prefix ?? 'tensorduel:conversation';
  }

  async get(id: string): Promise<ConversationState | undefined> {
    try {
      const raw = await this.#redis.get(this.#key(id));
      this.#up();
      const stored = parse(raw);
      const current = this.#current(id, stored);
      // Kept: a change during a later outage starts from it (an unsynced copy that won stays as it is).
      if (stored && current === stored) this.#local.set(id, stored);
      return current;
    } catch (err) {
      this.#fellBack(err);
      return this.#local.peek(id);
    }
  }

  async update(id: string, fn: (stored: ConversationState | undefined) => ConversationState): Promise<void> {
    const key = this.#key(id);
    // What the last GET returned (undefined before one answered): when only the write fails, the change is
    // computed from it, not from a blank.
    let read: { stored: ConversationState | undefined } | undefined;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const raw = await this.#redis.get(key);
        read = { stored: parse(raw) };
        const next = fn(this.#current(id, read.stored));
        if ((await this.#redis.tdConversationCas(key, raw ?? '', JSON.stringify(next), this.#ttlMs)) === 1) {
          this.#up();
          this.#local.set(id, next);
          return;
        }
      }
      this.#logger.error('conversation memory: gave up an update after losing the race 100 times', {
        conversation: id,
      });
    } catch (err) {
      this.#fellBack(err);
      this.#local.set(id, fn(read ? this.#current(id, read.stored) : this.#local.peek(id)), true);
    }
  }

  /**
   * What a change of `id` starts from, given Redis's copy `stored`: Redis's, unless this replica's copy is unsynced
   * (changed during an outage) and newer, or Redis has none (it came back empty).
   */
  #current(id: string, stored: ConversationState | undefined): ConversationState | undefined {
    const local = this.#local.peek(id);
    if (!stored) return local;
    return this.#local.unsynced(id) ? newer(stored, local) : stored;
  }

  #key(id: string): string {
    return `${this.#prefix}:${id}`;
  }

  #fellBack(err: unknown): void {
    if (this.#down) return;
    this.#down = true;
    this.#logger.warn("conversation memory: Redis unreachable; this replica's own memory meanwhile", {
      error: err instanceof Error ? err.message : String(err),
    });
  }

  #up(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#logger.info('conversation memory: shared in Redis again');
  }
}

function parse(raw: string | null): ConversationState | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as ConversationState;
    return typeof value === 'object' && value !== null && typeof value.updatedAt === 'number'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

/** The later of two copies (Redis's on a tie). */
function newer(
  a: ConversationState | undefined,
  b: ConversationState | undefined,
): ConversationState | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.updatedAt > a.updatedAt ? b : a;
}
