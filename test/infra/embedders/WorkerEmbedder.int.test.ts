import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchingEmbedder } from '../../../src/infra/embedders/BatchingEmbedder.ts';
import { UseLiteEmbedder } from '../../../src/infra/embedders/UseLiteEmbedder.ts';
import { WorkerEmbedder } from '../../../src/infra/embedders/WorkerEmbedder.ts';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
const QUESTIONS = [
  'which framework trains faster?',
  'is pytorch easier to learn',
  'can tensorflow run on a phone',
  'static or dynamic graphs',
  'who has the bigger community',
];

// The real USE lite model, in a real worker thread, against the same model in this thread.
describe('WorkerEmbedder: the encoder in a worker thread', () => {
  const worker = new WorkerEmbedder({ kind: 'use-lite', backend: 'auto' });
  const local = new UseLiteEmbedder();
  beforeAll(() => Promise.all([worker.ready(), local.ready()]), 120_000);
  afterAll(() => Promise.all([worker.dispose(), local.dispose()]));

  it('gives the same vectors as the model in this thread', async () => {
    const [a, b] = await Promise.all([worker.embed(QUESTIONS), local.embed(QUESTIONS)]);
    expect(worker.dimensions).toBe(512);
    expect(a.length).toBe(QUESTIONS.length);
    a.forEach((v, i) => {
      expect(cosine(v, b[i] as Float32Array)).toBeGreaterThan(0.9999);
    });
  });

  it('answers concurrent callers behind the batcher, each with its own vector, in fewer model calls', async () => {
    const batcher = new BatchingEmbedder(worker, { maxBatch: 16, maxDelayMs: 2 });
    const many = Array.from({ length: 40 }, (_, i) => QUESTIONS[i % QUESTIONS.length] as string);
    const rows = await Promise.all(many.map((q) => batcher.embed([q])));
    const expected = await local.embed(QUESTIONS);
    rows.forEach(([v], i) => {
      expect(cosine(v as Float32Array, expected[i % QUESTIONS.length] as Float32Array)).toBeGreaterThan(
        0.9999,
      );
    });
    expect(batcher.stats.requests).toBe(40);
    expect(batcher.stats.batches).toBeLessThan(40);
  });

  it('fails with a clear error when the model cannot load, and keeps no worker running', async () => {
    const missing = new WorkerEmbedder({
      kind: 'transformers',
      modelId: 'Xenova/all-MiniLM-L6-v2',
      modelsDir: await mkdtemp(join(tmpdir(), 'td-empty-')),
      allowRemote: false,
      dtype: 'fp32',
    });
    await expect(missing.ready()).rejects.toThrow(
      /embedding worker: cannot load transformers\.js model "Xenova\/all-MiniLM-L6-v2".*remote downloads are off/,
    );
    await missing.dispose();
  });

  it('leaves nobody waiting when closed while the model is still loading', async () => {
    const early = new WorkerEmbedder({ kind: 'use-lite', backend: 'auto' });
    const loading = early.ready();
    await early.dispose();
    await expect(loading).rejects.toThrow(/embedding worker: closed/);
  });
});
