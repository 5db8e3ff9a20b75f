/** A bounded, time-limited set of keys: how adapters recognise an event they have already handled. */

/** Remembers keys for `ttlMs` (at most `capacity` of them, oldest dropped first). */
export class RecentSet {
  readonly #seen = new Map<string, number>();
  readonly #capacity: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { capacity?: number; ttlMs?: number; now?: () => number } = {}) {
    this.#capacity = options.capacity ?? 10_000;
    this.#ttlMs = options.ttlMs ?? 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Records `key`; true when it was already there (a duplicate), false the first time. */
  checkAndAdd(key: string): boolean {
    const now = this.#now();
    const at = this.#seen.get(key);
    if (at !== undefined && now - at < this.#ttlMs) return true;
    this.#seen.delete(key);
    this.#seen.set(key, now);
    // Map iteration follows insertion order, so the first keys are the oldest.
    for (const [k, t] of this.#seen) {
      if (this.#seen.size <= this.#capacity && now - t < this.#ttlMs) break;
      this.#seen.delete(k);
    }
    return false;
  }

  /** Forgets `key` (the next `checkAndAdd` of it is a first time); true when it was remembered. */
  delete(key: string): boolean {
    return this.#seen.delete(key);
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.#seen.size;
  }
}
