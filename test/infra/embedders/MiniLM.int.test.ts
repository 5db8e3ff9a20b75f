import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransformersEmbedder } from '../../../src/infra/embedders/TransformersEmbedder.ts';

// The real all-MiniLM-L6-v2, as scripts/export-minilm.py (run by setup.sh) exported it. A clone without the
// export runs on USE lite and skips this file.
const MODELS = fileURLToPath(new URL('../../../models', import.meta.url));
const DIR = `${MODELS}/Xenova/all-MiniLM-L6-v2`;
const present = existsSync(`${DIR}/onnx/model.onnx`) && existsSync(`${DIR}/st-check.json`);
const cosine = (a: Float32Array, b: ArrayLike<number>) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

describe.skipIf(!present)('all-MiniLM-L6-v2 exported to ONNX, in transformers.js', () => {
  const embedder = new TransformersEmbedder({
    modelId: 'Xenova/all-MiniLM-L6-v2',
    modelsDir: MODELS,
    allowRemote: false,
    loadTimeoutMs: 60_000,
  });
  beforeAll(() => embedder.ready(), 90_000);
  afterAll(() => embedder.dispose());

  it("reproduces sentence-transformers' own encode (cosine > 0.999), alone and in a padded batch", async () => {
    const check = JSON.parse(readFileSync(`${DIR}/st-check.json`, 'utf8')) as {
      sentences: string[];
      vectors: number[][];
    };
    expect(embedder.dimensions).toBe(384);
    const batch = await embedder.embed(check.sentences);
    for (const [i, s] of check.sentences.entries()) {
      const [alone] = await embedder.embed([s]);
      expect(cosine(alone as Float32Array, check.vectors[i] as number[])).toBeGreaterThan(0.999);
      expect(cosine(batch[i] as Float32Array, check.vectors[i] as number[])).toBeGreaterThan(0.999);
    }
  });

  it('puts a paraphrase nearer than an unrelated question', async () => {
    const [q, para, other] = await embedder.embed([
      'which framework trains models faster?',
      'is training quicker in pytorch or tensorflow?',
      'what is the capital of france?',
    ]);
    const near = cosine(q as Float32Array, para as Float32Array);
    const far = cosine(q as Float32Array, other as Float32Array);
    expect(near).toBeGreaterThan(far + 0.3);
  });
});
