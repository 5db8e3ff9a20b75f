/** The Embedder port on transformers.js: any Hugging Face sentence-embedding model in ONNX, from a local folder or the Hub. */
import { ErrorCode, TensorDuelError } from '../../core/errors.ts';
import type { Embedder } from '../../core/ports.ts';

/** Options for a transformers.js sentence embedder. */
export interface TransformersEmbedderOptions {
  /** Hugging Face model id, e.g. `Xenova/all-MiniLM-L6-v2`; looked up as `<modelsDir>/<modelId>` first. */
  modelId: string;
  /** Local models folder (transformers.js `env.localModelPath`). */
  modelsDir: string;
  /** Allow downloads from the Hugging Face Hub when the model is not in `modelsDir`. */
  allowRemote: boolean;
  /** ONNX weights variant. */
  dtype?: 'fp32' | 'q8';
  /** ONNX session threads (intra-op); absent: ONNX Runtime's default (one per core). */
  threads?: number;
  /** Give up loading after this many milliseconds. */
  loadTimeoutMs?: number;
}

type Extractor = (
  texts: string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ data: Float32Array; dims: number[]; dispose?: () => void }>;

/**
 * Mean-pooled, L2-normalised sentence vectors from a transformers.js feature-extraction pipeline.
 * @example
 * const e = new TransformersEmbedder({ modelId: 'Xenova/all-MiniLM-L6-v2', modelsDir: 'models', allowRemote: false });
 * await e.ready(); e.dimensions; // 384 (the model scripts/setup.sh exports)
 */
export class TransformersEmbedder implements Embedder {
  readonly modelId: string;
  #dimensions = 0;
  readonly #options: TransformersEmbedderOptions;
  #loading: Promise<Extractor> | undefined;
  #dispose: (() => Promise<void>) | undefined;

  constructor(options: TransformersEmbedderOptions) {
    this.#options = options;
    this.modelId = `transformers:${options.modelId}:${options.dtype ?? 'fp32'}`;
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  async ready(): Promise<void> {
    await this.#load();
  }

  #load(): Promise<Extractor> {
    this.#loading ??= (async () => {
      const {
        modelId,
        modelsDir,
        allowRemote,
        dtype = 'fp32',
        loadTimeoutMs = 120_000,
        threads,
      } = this.#options;
      let timer: NodeJS.Timeout | undefined;
      try {
        const transformers = await import('@huggingface/transformers');
        transformers.env.allowRemoteModels = allowRemote;
        transformers.env.allowLocalModels = true;
        transformers.env.localModelPath = modelsDir.endsWith('/') ? modelsDir : `${modelsDir}/`;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${loadTimeoutMs} ms`)), loadTimeoutMs);
        });
        const pipe = await Promise.race([
          transformers.pipeline('feature-extraction', modelId, {
            dtype,
            device: 'cpu',
            ...(threads ? { session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 } } : {}),
          }),
          timeout,
        ]);
        this.#dispose = () => pipe.dispose();
        const extract = pipe as unknown as Extractor;
        const probe = await extract(['probe'], { pooling: 'mean', normalize: true });
        this.#dimensions = probe.dims[probe.dims.length - 1] ?? 0;
        return extract;
      } catch (err) {
        this.#loading = undefined;
        const where = allowRemote
          ? `${modelsDir} or the Hugging Face Hub`
          : `${modelsDir} (remote downloads are off)`;
        throw new TensorDuelError(
          ErrorCode.ModelLoad,
          `cannot load transformers.js model "${modelId}" from ${where}`,
          {
            cause: err,
          },
        );
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.#loading;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const extract = await this.#load();
    const out = await extract(
      texts.map((t) => (t.length > 0 ? t : ' ')),
      { pooling: 'mean', normalize: true },
    );
    const dim = this.#dimensions;
    const rows = texts.map((_, i) => out.data.slice(i * dim, (i + 1) * dim));
    out.dispose?.();
    return rows;
  }

  async dispose(): Promise<void> {
    await this.#dispose?.();
    this.#loading = undefined;
  }
}
