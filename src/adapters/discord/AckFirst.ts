/**
 * Acknowledgements before answers. Discord drops an interaction that is not acknowledged within 3 s, and an
 * acknowledgement needs a few turns of the event loop (connect, write, read the response). When a burst of
 * mentions and slash commands arrives together, answering the mentions (the core's scoring runs on this thread)
 * would hold up the acknowledgements of the commands behind them. So the adapter sends every first response
 * (deferral, modal, autocomplete answer) through {@link AckFirst.ack}, and before it asks the core anything it
 * waits for {@link AckFirst.settled}: until no acknowledgement is in flight, or at most `maxWaitMs`, so that a
 * steady stream of interactions never starves the answers.
 */

/** Tracks acknowledgements in flight; answers wait for them (bounded). */
export class AckFirst {
  readonly #maxWaitMs: number;
  #inFlight = 0;
  #waiters: Array<() => void> = [];

  /** `maxWaitMs`: the longest an answer waits for acknowledgements (default 250 ms). */
  constructor(options: { maxWaitMs?: number } = {}) {
    this.#maxWaitMs = options.maxWaitMs ?? 250;
  }

  /** How many acknowledgements are in flight (tests, metrics). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Sends an acknowledgement; answers started meanwhile wait for it. */
  async ack<T>(send: () => Promise<T>): Promise<T> {
    this.#inFlight++;
    try {
      return await send();
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const wake of this.#waiters.splice(0)) wake();
    }
  }

  /**
   * Resolves once no acknowledgement is in flight, or after `maxWaitMs`, whichever comes first.
   * @example await acks.settled(); const reply = await askCore(…);
   */
  settled(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(wake);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve();
      }, this.#maxWaitMs);
      this.#waiters.push(wake);
    });
  }
}
