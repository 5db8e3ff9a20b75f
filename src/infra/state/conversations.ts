/**
 * Conversation memory shared by bot replicas: one Redis key per conversation (`tensorduel:conversation:<id>`),
 * expiring with the memory lifetime (PX), changed by an optimistic compare-and-set (a Lua script sets the new
 * value only if the key still holds what the change was computed from; otherwise it is recomputed), so two
 * replicas answering in one conversation never lose each other's update. A turn on one replica and its follow-up
 * on another read the same memory.
 *
 * While Redis cannot be reached, memory goes to this replica's own map (questions are still answered and a
 * conversation continues on the replica that holds it); once Redis is back, whichever copy is newer wins.
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
  readonly #items = new Map<string, ConversationState>();
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
    return c && structuredClone(c);
  }

  async update(id: string, fn: (stored: ConversationState | undefined) => ConversationState): Promise<void> {
    this.set(id, fn(this.peek(id)));
  }

  /** Stores `c` as the newest. */
  set(id: string, c: ConversationState): void {
    this.#items.delete(id);
    this.#items.set(id, structuredClone(c));
    while (this.#items.size > this.#capacity) {
      const oldest = this.#items.keys().next().value;
      if (oldest === undefined) break;
      this.#items.delete(oldest);
    }
  }

  /** Forgets `id` (its newer copy is in Redis now). */
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
      return newer(parse(raw), this.#local.peek(id));
    } catch (err) {
      this.#fellBack(err);
      return this.#local.peek(id);
    }
  }

  async update(id: string, fn: (stored: ConversationState | undefined) => ConversationState): Promise<void> {
    const key = this.#key(id);
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const raw = await this.#redis.get(key);
        const local = this.#local.peek(id);
        const next = fn(newer(parse(raw), local));
        if ((await this.#redis.tdConversationCas(key, raw ?? '', JSON.stringify(next), this.#ttlMs)) === 1) {
          this.#up();
          if (local) this.#local.delete(id);
          return;
        }
      }
      this.#logger.error('conversation memory: gave up an update after losing the race 100 times', {
        conversation: id,
      });
    } catch (err) {
      this.#fellBack(err);
      await this.#local.update(id, fn);
    }
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

/** The later of two copies (the local one exists only for what changed while Redis was down). */
function newer(
  a: ConversationState | undefined,
  b: ConversationState | undefined,
): ConversationState | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.updatedAt > a.updatedAt ? b : a;
}
