/**
 * A concurrency limit for CPU-bound work on the event loop. Answering is CPU work (tokenising, embedding,
 * scoring); with hundreds of answers in flight at once, each one's small steps interleave and every other
 * callback, such as acknowledging the next Slack event or Discord interaction within its 3 s, waits behind all of
 * them. Running a few at a time keeps acknowledgements prompt and answers first come, first served.
 */

/** Runs at most `max` calls at once; the rest wait in order. */
export interface Limiter {
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Calls running and waiting now. */
  readonly active: number;
  readonly waiting: number;
}

/**
 * @example
 * const limit = createLimiter(2);
 * const reply = await limit.run(() => advisor.handle(message));
 */
export function createLimiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`limit must be a whole number ≥ 1 (got ${max})`);
  let active = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    active--;
    const next = queue.shift();
    if (next) {
      active++;
      next();
    }
  };
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (active < max) active++;
      else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await work();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
