/**
 * Caps repeated log lines: a library that logs one line per rejected request would let anyone grow the log.
 * Lines are grouped by their text with digits masked; each group may log `burst` lines per window, and the
 * first line after a quiet spell says how many were dropped.
 */

/** Options of {@link LogLimiter}. */
export interface LogLimiterOptions {
  /** Lines allowed per group and window (default 5). */
  burst?: number;
  /** Window length (default 60 s). */
  windowMs?: number;
  /** Injected clock (tests). */
  now?: () => number;
  /** Most groups tracked at once (default 1000; the oldest is forgotten). */
  maxGroups?: number;
}

interface Group {
  windowStart: number;
  count: number;
  dropped: number;
}

/** Decides whether a line may be written. */
export class LogLimiter {
  readonly #groups = new Map<string, Group>();
  readonly #burst: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #maxGroups: number;

  constructor(options: LogLimiterOptions = {}) {
    this.#burst = options.burst ?? 5;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#maxGroups = options.maxGroups ?? 1000;
  }

  /**
   * Whether to write `line`; when lines of its group were dropped in an earlier window, how many.
   * @example limiter.admit('Failed to verify: stale timestamp 1700000000') // { write: true, dropped: 0 }
   */
  admit(line: string): { write: boolean; dropped: number } {
    const key = line.replace(/\d+/g, '#').slice(0, 200);
    const now = this.#now();
    let group = this.#groups.get(key);
    if (!group) {
      group = { windowStart: now, count: 0, dropped: 0 };
      this.#groups.set(key, group);
      if (this.#groups.size > this.#maxGroups) {
        const oldest = this.#groups.keys().next().value;
        if (oldest !== undefined) this.#groups.delete(oldest);
      }
    }
    if (now - group.windowStart >= this.#windowMs) {
      group.windowStart = now;
      group.count = 0;
    }
    if (group.count >= this.#burst) {
      group.dropped++;
      return { write: false, dropped: 0 };
    }
    group.count++;
    const dropped = group.dropped;
    group.dropped = 0;
    return { write: true, dropped };
  }
}
