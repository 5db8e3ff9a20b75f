/**
 * The one throttle of a running benchmark's status edits. Chat platforms rate-limit message edits (Discord: 5 per
 * 5 s per channel; Slack's chat.update is a Tier 3 method, about 50 a minute), and a status line rewritten more often
 * than every few seconds cannot be read anyway.
 *
 * It sits at the progress source (the embedded queue, src/core/jobs/BenchQueue.ts, and a distributed worker,
 * src/infra/queue/BenchWorker.ts), not in the chat adapters: the source is the one place every progress update of
 * a run passes through. With several bot replicas each progress event may be edited in by a different replica, so
 * a throttle per replica would neither bound the rate of edits nor keep a delayed edit of one replica from landing
 * after the final edit another replica made. The adapters edit on every publication; final states (finished,
 * failed, cancelled, interrupted) never pass through here and go out at once.
 */

/** Least time between two progress publications of one run: at most one status edit per this many ms. */
export const PROGRESS_INTERVAL_MS = 3_000;

/** The throttle's time and timer, injectable so tests advance them by hand. */
export interface ThrottleClock {
  now(): number;
  /** Calls `fn` once after `ms`; the handle goes to `clear`. */
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** The process's clock and timers (a pending publication never keeps the process alive). */
export const systemThrottleClock: ThrottleClock = {
  now: () => Date.now(),
  set: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Publishes the first value at once, then at most one value per interval: what arrives in between is coalesced
 * into the latest, which goes out when the interval is over. `close()` drops what is pending (the final state
 * follows it) and ends publishing.
 * @example
 * const throttle = new ProgressThrottle<string>({ publish: (text) => edit(text) });
 * throttle.push('job 1 of 3'); // published at once
 * throttle.push('job 2 of 3'); // replaced by the next one
 * throttle.push('job 3 of 3'); // published 3 s after 'job 1 of 3'
 * throttle.close();           // nothing pending is published after this
 */
export class ProgressThrottle<T> {
  readonly #publish: (value: T) => void;
  readonly #clock: ThrottleClock;
  readonly #intervalMs: number;
  #lastAt = Number.NEGATIVE_INFINITY;
  #pending: { value: T } | undefined;
  #timer: unknown;
  #closed = false;

  constructor(options: {
    publish: (value: T) => void;
    clock?: ThrottleClock | undefined;
    /** Default {@link PROGRESS_INTERVAL_MS}; 0 publishes every value at once (tests of what an edit shows). */
    intervalMs?: number | undefined;
  }) {
    this.#publish = options.publish;
    this.#clock = options.clock ?? systemThrottleClock;
    this.#intervalMs = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  }

  /** Publishes `value` now when the interval since the last publication is over, else as the interval ends. */
  push(value: T): void {
    if (this.#closed) return;
    const wait = this.#lastAt + this.#intervalMs - this.#clock.now();
    if (wait <= 0 && this.#timer === undefined) {
      this.#emit(value);
      return;
    }
    this.#pending = { value };
    this.#timer ??= this.#clock.set(() => {
      this.#timer = undefined;
      const pending = this.#pending;
      this.#pending = undefined;
      if (pending && !this.#closed) this.#emit(pending.value);
    }, wait);
  }

  /** Ends publishing; a pending value is dropped. */
  close(): void {
    this.#closed = true;
    this.#pending = undefined;
    if (this.#timer !== undefined) this.#clock.clear(this.#timer);
    this.#timer = undefined;
  }

  #emit(value: T): void {
    this.#lastAt = this.#clock.now();
    this.#publish(value);
  }
}
