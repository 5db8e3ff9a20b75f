/**
 * A dynamic batcher in front of an Embedder, after Triton's: requests that arrive close together are embedded
 * in one call (USE lite embeds ~2× more sentences per second in batches of 16 than one at a time).
 */
import type { Embedder } from '../../core/ports.ts';

/** Timers the batcher uses; tests pass a fake to step time by hand. */
export interface BatchTimer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  /** Runs `fn` after pending I/O (setImmediate): lets sockets be served between delivered results. */
  defer(fn: () => void): void;
}

/** The real timers. */
export const systemBatchTimer: BatchTimer = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
  defer: (fn) => setImmediate(fn),
};

/** Batching policy. */
export interface BatchingOptions {
  /** Most texts in one batch (a larger single request still goes alone, unsplit). Default 16. */
  maxBatch?: number;
  /** Longest a request waits for others while the model is idle, in ms. Default 2. */
  maxDelayMs?: number;
  timer?: BatchTimer;
}

interface Request {
  texts: readonly string[];
  resolve: (rows: Float32Array[]) => void;
  reject: (err: unknown) => void;
}

/** What the batcher has done so far (for bench:answer and tests). */
export interface BatchingStats {
  /** Calls made to the wrapped embedder. */
  batches: number;
  /** Requests served. */
  requests: number;
  /** Texts embedded. */
  texts: number;
  /** Largest batch, in texts. */
  largest: number;
}

/**
 * One batch at a time goes to the wrapped model. While it is busy, new requests queue; when it is free, the
 * queue leaves at once as the next batch (up to `maxBatch` texts). A request that finds the model idle waits at
 * most `maxDelayMs` for company, and leaves earlier as soon as `maxBatch` texts are waiting.
 * @example
 * const e = new BatchingEmbedder(new WorkerEmbedder(spec), { maxBatch: 16, maxDelayMs: 2 });
 * await Promise.all(questions.map((q) => e.embed([q]))); // one model call per ≤16 questions
 */
export class BatchingEmbedder implements Embedder {
  readonly #inner: Embedder;
  readonly #maxBatch: number;
  readonly #maxDelayMs: number;
  readonly #timer: BatchTimer;
  readonly #queue: Request[] = [];
  #queuedTexts = 0;
  #busy = false;
  #wait: unknown;
  readonly stats: BatchingStats = { batches: 0, requests: 0, texts: 0, largest: 0 };

  constructor(inner: Embedder, options: BatchingOptions = {}) {
    this.#inner = inner;
    this.#maxBatch = options.maxBatch ?? 16;
    this.#maxDelayMs = options.maxDelayMs ?? 2;
    this.#timer = options.timer ?? systemBatchTimer;
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1)
      throw new RangeError(`maxBatch must be a whole number ≥ 1 (got ${this.#maxBatch})`);
    if (!(this.#maxDelayMs >= 0)) throw new RangeError(`maxDelayMs must be ≥ 0 (got ${this.#maxDelayMs})`);
  }

  get modelId(): string {
    return this.#inner.modelId;
  }

  get dimensions(): number {
    return this.#inner.dimensions;
  }

  /** The wrapped embedder. */
  get inner(): Embedder {
    return this.#inner;
  }

  ready(): Promise<void> {
    return this.#inner.ready();
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise<Float32Array[]>((resolve, reject) => {
      this.#queue.push({ texts, resolve, reject });
      this.#queuedTexts += texts.length;
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#busy || this.#queue.length === 0) return;
    if (this.#queuedTexts >= this.#maxBatch || this.#maxDelayMs === 0) {
      this.#flush();
      return;
    }
    this.#wait ??= this.#timer.set(() => {
      this.#wait = undefined;
      this.#flush();
    }, this.#maxDelayMs);
  }

  #flush(): void {
    if (this.#wait !== undefined) {
      this.#timer.clear(this.#wait);
      this.#wait = undefined;
    }
    if (this.#busy || this.#queue.length === 0) return;
    // Whole requests in arrival order, up to maxBatch texts; the first one always goes, however large.
    const batch: Request[] = [];
    let n = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as Request;
      if (batch.length > 0 && n + next.texts.length > this.#maxBatch) break;
      this.#queue.shift();
      batch.push(next);
      n += next.texts.length;
    }
    this.#queuedTexts -= n;
    this.#busy = true;
    this.stats.batches++;
    this.stats.requests += batch.length;
    this.stats.texts += n;
    this.stats.largest = Math.max(this.stats.largest, n);
    const done = () => {
      this.#busy = false;
      // What queued while the model was busy leaves now: it has waited long enough.
      if (this.#queue.length > 0) this.#flush();
    };
    this.#inner.embed(batch.flatMap((r) => r.texts)).then(
      (rows) => {
        done();
        let at = 0;
        const slices = batch.map((r) => {
          const s = rows.slice(at, at + r.texts.length);
          at += r.texts.length;
          return s;
        });
        this.#deliver(batch, slices, 0);
      },
      (err: unknown) => {
        done();
        for (const r of batch) r.reject(err);
      },
    );
  }

  // One result per turn of the event loop: each caller's continuation (scoring an answer) then runs with
  // sockets served in between, instead of sixteen of them back to back.
  #deliver(batch: Request[], slices: Float32Array[][], i: number): void {
    const r = batch[i];
    if (!r) return;
    r.resolve(slices[i] as Float32Array[]);
    if (i + 1 < batch.length) this.#timer.defer(() => this.#deliver(batch, slices, i + 1));
  }

  dispose(): Promise<void> {
    return this.#inner.dispose();
  }
}
