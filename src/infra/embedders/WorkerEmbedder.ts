/** The Embedder port with the encoder in a worker thread: embeddings never block the main event loop. */
import { Worker } from 'node:worker_threads';
import { ErrorCode, TensorDuelError } from '../../core/errors.ts';
import type { Embedder } from '../../core/ports.ts';
import { tsWorkerSource } from '../../ts-worker.ts';
import { type EmbedderSpec, specModelId } from './spec.ts';

/** Messages to the worker. */
export type ToWorker = { type: 'embed'; id: number; texts: string[] } | { type: 'close' };
/** Messages from the worker. */
export type FromWorker =
  | { type: 'ready'; dimensions: number }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'result'; id: number; data: Float32Array; dimensions: number }
  | { type: 'error'; id: number; message: string; code?: string };

interface Pending {
  resolve: (rows: Float32Array[]) => void;
  reject: (err: Error) => void;
}

// The worker is TypeScript: it registers tsx itself, so it runs the same under `bin/tensorduel.js`, tsx and Vitest.
// The encoder's runtime is imported first, before tsx's hooks exist: through them, transformers.js's 1.6 MB bundle
// takes ~4× as long to load (measured: 0.2 s plain, 0.8 s behind the hooks), and ESM caches the module either way.
function workerSource(spec: EmbedderSpec): string {
  const resolved = (name: string) => {
    try {
      return import.meta.resolve(name);
    } catch {
      return undefined; // not installed: the worker reports the load error itself
    }
  };
  const runtime = spec.kind === 'transformers' ? resolved('@huggingface/transformers') : undefined;
  return tsWorkerSource(new URL('./embed-worker.ts', import.meta.url), runtime ? [runtime] : []);
}

/**
 * Runs the encoder described by `spec` in a `worker_threads` worker; requests are served in order.
 * @example
 * const e = new WorkerEmbedder({ kind: 'use-lite', backend: 'auto' }); await e.ready();
 * const [v] = await e.embed(['which trains faster?']); // Float32Array(512), computed off the main thread
 */
export class WorkerEmbedder implements Embedder {
  readonly modelId: string;
  readonly #spec: EmbedderSpec;
  #dimensions = 0;
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(spec: EmbedderSpec) {
    this.#spec = spec;
    this.modelId = specModelId(spec);
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  ready(): Promise<void> {
    this.#ready ??= new Promise<void>((resolve, reject) => {
      const worker = new Worker(workerSource(this.#spec), { eval: true, workerData: this.#spec });
      this.#worker = worker;
      // dispose() during loading or embedding: nobody may be left waiting for a worker that is gone.
      this.#abandon = () => {
        const err = new TensorDuelError(ErrorCode.ModelLoad, 'embedding worker: closed');
        for (const p of this.#pending.values()) p.reject(err);
        this.#pending.clear();
        reject(err);
      };
      const fail = (message: string, cause?: unknown) => {
        const err = new TensorDuelError(ErrorCode.ModelLoad, `embedding worker: ${message}`, { cause });
        for (const p of this.#pending.values()) p.reject(err);
        this.#pending.clear();
        this.#worker = undefined;
        this.#ready = undefined;
        reject(err);
      };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          this.#dimensions = m.dimensions;
          resolve();
        } else if (m.type === 'failed') {
          fail(m.message);
          void worker.terminate();
        } else {
          const p = this.#pending.get(m.id);
          this.#pending.delete(m.id);
          if (!p) return;
          if (m.type === 'error') p.reject(new TensorDuelError(ErrorCode.ModelLoad, m.message));
          else
            p.resolve(
              Array.from({ length: m.data.length / m.dimensions }, (_, i) =>
                m.data.subarray(i * m.dimensions, (i + 1) * m.dimensions),
              ),
            );
        }
      });
      worker.on('error', (err: unknown) => fail(err instanceof Error ? err.message : String(err), err));
      worker.on('exit', (code) => {
        if (this.#worker === worker) fail(`exited with code ${code}`);
      });
    });
    this.#hold();
    this.#ready.then(
      () => this.#release(),
      () => this.#release(),
    );
    return this.#ready;
  }

  // The worker keeps the process alive only while it has work (loading, or requests pending): an idle worker
  // must not keep a finished CLI command running, and a pending one must not let the process exit under it.
  #holds = 0;
  #hold(): void {
    if (this.#holds++ === 0) this.#worker?.ref();
  }
  #release(): void {
    if (--this.#holds === 0) this.#worker?.unref();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    await this.ready();
    const worker = this.#worker;
    if (!worker) throw new TensorDuelError(ErrorCode.ModelLoad, 'embedding worker is not running');
    const id = this.#nextId++;
    this.#hold();
    try {
      return await new Promise<Float32Array[]>((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'embed', id, texts: [...texts] } satisfies ToWorker);
      });
    } finally {
      this.#release();
    }
  }

  #abandon: (() => void) | undefined;

  async dispose(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#ready = undefined;
    this.#abandon?.();
    this.#abandon = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    // A worker stuck in a long embed is ended after a grace period instead of holding shutdown.
    const timer = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}
