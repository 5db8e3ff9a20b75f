/**
 * Button state that outlives a process: what each Discord button means (custom_ids are capped at 100
 * characters, so a button carries a short key and the action lives here). Without Redis the actions are kept in
 * a small JSON file (written behind, atomically, one write at a time), so a restart leaves earlier buttons alive;
 * with Redis they are shared, so a click handled by any replica finds the action another replica stored.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger, SharedActions } from '../../core/ports.ts';

/** Stores actions under short keys; `T` must survive JSON. */
export interface ActionStore<T> {
  /** Stores `action`; returns its key (short: it goes into a 100-character custom_id). */
  add(action: T): Promise<string>;
  /** The action behind `key`, if still remembered. */
  get(key: string): Promise<T | undefined>;
}

/** A short key, unique across processes and restarts (8 base-36 characters of randomness, plus a counter). */
function keyMaker(): () => string {
  const salt = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(8, '0').slice(-8);
  let next = 0;
  return () => `${salt}${(next++).toString(36)}`;
}

/** Actions in a JSON file: the last `capacity` are kept. */
export class FileActionStore<T> implements ActionStore<T> {
  readonly #file: string;
  readonly #capacity: number;
  readonly #logger: Logger;
  readonly #actions = new Map<string, T>();
  readonly #key = keyMaker();
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;

  constructor(options: { file: string; logger: Logger; capacity?: number }) {
    this.#file = options.file;
    this.#capacity = options.capacity ?? 50_000;
    this.#logger = options.logger;
    try {
      const saved = JSON.parse(readFileSync(this.#file, 'utf8')) as Array<[string, T]>;
      for (const [k, v] of saved.slice(-this.#capacity)) this.#actions.set(k, v);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#logger.warn('button state file unreadable; starting empty', { file: this.#file });
    }
  }

  async add(action: T): Promise<string> {
    const key = this.#key();
    this.#actions.set(key, action);
    while (this.#actions.size > this.#capacity) {
      const oldest = this.#actions.keys().next().value;
      if (oldest === undefined) break;
      this.#actions.delete(oldest);
    }
    this.#schedule();
    return key;
  }

  async get(key: string): Promise<T | undefined> {
    return this.#actions.get(key);
  }

  /** Resolves once everything added so far is on disk (shutdown, tests). */
  async flush(): Promise<void> {
    await this.#writing;
  }

  #schedule(): void {
    if (this.#dirty) return;
    this.#dirty = true;
    // One write at a time, batching every add made meanwhile; tmp + rename so a crash never leaves half a file.
    this.#writing = this.#writing.then(() => {
      this.#dirty = false;
      try {
        mkdirSync(dirname(this.#file), { recursive: true });
        const tmp = `${this.#file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify([...this.#actions]));
        renameSync(tmp, this.#file);
      } catch (err) {
        this.#logger.warn('could not save button state', {
          file: this.#file,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    });
  }
}

/**
 * Actions in Redis (each with a TTL: a button older than that answers "expired"), shared by replicas. While Redis
 * is unreachable, actions go to (and are looked up in) `fallback`, so this replica's buttons keep working.
 */
export class RedisActionStore<T> implements ActionStore<T>, SharedActions<T> {
  readonly #redis: Redis;
  readonly #ttlS: number;
  readonly #prefix: string;
  readonly #fallback: ActionStore<T> | undefined;
  readonly #key = keyMaker();

  constructor(redis: Redis, options: { ttlS?: number; prefix?: string; fallback?: ActionStore<T> } = {}) {
    this.#redis = redis;
    this.#ttlS = options.ttlS ?? 30 * 24 * 3600;
    this.#prefix = options.prefix ?? 'tensorduel:action';
    this.#fallback = options.fallback;
  }

  async add(action: T): Promise<string> {
    const key = this.#key();
    try {
      await this.#redis.set(`${this.#prefix}:${key}`, JSON.stringify(action), 'EX', this.#ttlS);
      return key;
    } catch (err) {
      if (!this.#fallback) throw err;
      return this.#fallback.add(action);
    }
  }

  /** Stores `action` under a key minted by the caller (the ButtonStore mints its keys at once). */
  async put(key: string, action: T): Promise<void> {
    await this.#redis.set(`${this.#prefix}:${key}`, JSON.stringify(action), 'EX', this.#ttlS);
  }

  async get(key: string): Promise<T | undefined> {
    try {
      const raw = await this.#redis.get(`${this.#prefix}:${key}`);
      if (raw) return JSON.parse(raw) as T;
    } catch (err) {
      if (!this.#fallback) throw err;
    }
    return this.#fallback?.get(key);
  }
}
