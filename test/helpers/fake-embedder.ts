/** A deterministic bag-of-words embedder for unit tests: hashed word counts, L2-normalised. */
import type { Embedder } from '../../src/core/ports.ts';
import { tokenize } from '../../src/core/retrieval/text.ts';

/** Counts calls so tests can check caching. */
export class FakeEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions = 256;
  calls = 0;
  texts = 0;
  constructor(modelId = 'fake-bow') {
    this.modelId = modelId;
  }
  async ready(): Promise<void> {}
  async dispose(): Promise<void> {}
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    this.texts += texts.length;
    return texts.map((t) => {
      const v = new Float32Array(this.dimensions);
      for (const w of tokenize(t)) {
        let h = 2166136261;
        for (const ch of w) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
        v[(h >>> 0) % this.dimensions] = (v[(h >>> 0) % this.dimensions] ?? 0) + 1;
      }
      const n = Math.hypot(...v);
      if (n > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) / n;
      return v;
    });
  }
}
