import { describe, expect, it } from 'vitest';
import { featurize } from '../../../src/core/nlu/features.ts';
import { inThreadSlotTrainer } from '../../../src/core/nlu/NluModel.ts';
import type { SlotTrainingExample } from '../../../src/core/nlu/SlotModel.ts';
import { DEFAULT_TRAIN } from '../../../src/core/nlu/softmax.ts';
import { workerSlotTrainer } from '../../../src/infra/nlu/workerSlotTrainer.ts';
import { FakeEmbedder } from '../../helpers/fake-embedder.ts';

const texts: Array<[string, SlotTrainingExample['slots']]> = [
  ['we train on a big cluster', { scale: 'large-distributed' }],
  ['one laptop only', { scale: 'single-machine' }],
  ['for my phd thesis', { goal: 'research' }],
  ['going to production next month', { goal: 'production' }],
  ['photos of skin lesions', { domain: 'vision' }],
  ['support ticket routing', { domain: 'language' }],
  ['we are beginners', { experience: 'beginner' }],
  ['hello there', {}],
];

describe('workerSlotTrainer', () => {
  it('trains in a worker thread exactly the model the in-thread trainer gives', async () => {
    const vecs = await new FakeEmbedder().embed(texts.map(([t]) => t));
    const examples = texts.map(([t, slots], i) => ({ x: featurize(t, vecs[i] as Float32Array), slots }));
    const [inWorker, inThread] = await Promise.all([
      workerSlotTrainer(examples, DEFAULT_TRAIN),
      inThreadSlotTrainer(examples, DEFAULT_TRAIN),
    ]);
    expect(inWorker).toEqual(inThread);
  });

  it('rejects with the training error instead of hanging', async () => {
    await expect(workerSlotTrainer([], DEFAULT_TRAIN)).rejects.toThrow(/slot model training failed/);
  });
});
