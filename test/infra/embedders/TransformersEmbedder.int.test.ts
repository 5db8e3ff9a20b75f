import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TransformersEmbedder } from '../../../src/infra/embedders/TransformersEmbedder.ts';

/** The repo's own fixture (scripts/make-tiny-model.py writes it): random weights, so this tests loading,
 * tokenizing, pooling and normalisation only. */
const MODELS = fileURLToPath(new URL('../../fixtures/models', import.meta.url));

describe('TransformersEmbedder on a local ONNX model (transformers.js)', () => {
  const embedder = new TransformersEmbedder({
    modelId: 'tiny-random-bert',
    modelsDir: MODELS,
    allowRemote: false,
    dtype: 'fp32',
    loadTimeoutMs: 60_000,
  });
  beforeAll(() => embedder.ready(), 90_000);

  it('loads offline and reports the model width', () => {
    expect(embedder.dimensions).toBe(32);
  });

  it('returns one unit-length, deterministic vector per text', async () => {
    const [a, b, c] = await embedder.embed(['which trains faster', 'which trains faster', 'community size']);
    for (const v of [a, b, c]) expect(Math.hypot(...(v as Float32Array))).toBeCloseTo(1, 5);
    expect(Array.from(a as Float32Array)).toEqual(Array.from(b as Float32Array));
    expect(Array.from(a as Float32Array)).not.toEqual(Array.from(c as Float32Array));
  });

  it('ignores padding: a text embeds the same alone and in a batch with a longer one', async () => {
    const [alone] = await embedder.embed(['which trains faster']);
    const [batched] = await embedder.embed([
      'which trains faster',
      'does the pytorch community support more research papers than tensorflow',
    ]);
    const a = Array.from(alone as Float32Array);
    for (const [i, x] of Array.from(batched as Float32Array).entries())
      expect(x).toBeCloseTo(a[i] as number, 5);
  });

  it('fails with a clear error when the model is not in the folder and downloads are off', async () => {
    const missing = new TransformersEmbedder({
      modelId: 'Xenova/all-MiniLM-L6-v2',
      modelsDir: MODELS,
      allowRemote: false,
    });
    await expect(missing.ready()).rejects.toThrow(
      /cannot load transformers\.js model "Xenova\/all-MiniLM-L6-v2".*remote downloads are off/,
    );
  });
});
