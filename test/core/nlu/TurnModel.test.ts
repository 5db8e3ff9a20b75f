import { describe, expect, it } from 'vitest';
import { featurize, withTurnCues } from '../../../src/core/nlu/features.ts';
import type { TurnLabel } from '../../../src/core/nlu/labels.ts';
import { DEFAULT_TRAIN as DEFAULTS } from '../../../src/core/nlu/softmax.ts';
import { TurnModel, type TurnTrainingExample } from '../../../src/core/nlu/TurnModel.ts';
import { FakeEmbedder } from '../../helpers/fake-embedder.ts';

// Moves marked by made-up words outside every cue list, in many contexts, so only learning can read them.
const labelled: Array<[string, TurnLabel]> = [];
for (const [word, turn] of [
  ['zorp', 'why'],
  ['flim', 'instead'],
  ['quazz', 'later'],
] as const)
  for (const ctx of ['ok', 'hmm', 'well', 'so', 'right', 'and', 'but', 'yes', 'then', 'now'])
    labelled.push([`${ctx} ${word}?`, turn]);
for (const t of [
  'which framework trains faster',
  'we build a vision product',
  'hello there',
  'what is the capital of france',
  'run the benchmark',
  'is tensorflow good for nlp',
  'our team is new to deep learning',
  'thanks a lot',
  'show me the code',
  'how big is the community',
])
  labelled.push([t, 'new']);

// A few dozen examples take few Adam steps per epoch: more epochs than the product's thousands need.
const DEFAULT_TRAIN = { ...DEFAULTS, epochs: 60 };

async function examples(): Promise<TurnTrainingExample[]> {
  const vecs = await new FakeEmbedder().embed(labelled.map(([t]) => t));
  return labelled.map(([text, turn], i) => ({
    x: withTurnCues(text, featurize(text, vecs[i] as Float32Array)),
    turn,
  }));
}

async function read(model: TurnModel, text: string) {
  const [v] = await new FakeEmbedder().embed([text]);
  return model.read(withTurnCues(text, featurize(text, v as Float32Array)));
}

describe('TurnModel', () => {
  it('learns what a turn does from labelled examples, with a calibrated bar', async () => {
    const model = TurnModel.train(await examples(), DEFAULT_TRAIN);
    expect((await read(model, 'zorp?')).turn).toBe('why');
    expect((await read(model, 'okay flim')).turn).toBe('instead');
    expect((await read(model, 'quazz then')).turn).toBe('later');
    expect((await read(model, 'which framework has the bigger community')).turn).toBe('new');
    expect(model.bar).toBeGreaterThanOrEqual(0.3);
    expect(model.bar).toBeLessThanOrEqual(0.8);
    // Held-out folds: more moves read right than wrong, and few wrong.
    expect(model.folds.right).toBeGreaterThan(model.folds.wrong);
    expect(model.folds.wrong).toBeLessThan(0.2);
  });

  it('reads a move only when its probability reaches the bar, and records the best label either way', async () => {
    const model = TurnModel.train(await examples(), DEFAULT_TRAIN);
    const r = await read(model, 'zorp?');
    expect(r.best.label).toBe('why');
    expect(r.best.p).toBeGreaterThanOrEqual(model.bar);
    const json = model.toJSON();
    // The same head with a bar above every probability acts on no move.
    const strict = TurnModel.fromJSON({ ...json, bar: 1.01 });
    const s = await read(strict, 'zorp?');
    expect(s.turn).toBe('new');
    expect(s.best).toEqual(r.best);
  });

  it('reads the same after a JSON round trip (the model cache), and refuses a head of other labels', async () => {
    const model = TurnModel.train(await examples(), DEFAULT_TRAIN);
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    const copy = TurnModel.fromJSON(json);
    for (const text of ['so zorp?', 'flim', 'hello there'])
      expect(await read(copy, text)).toEqual(await read(model, text));
    expect(() => TurnModel.fromJSON({ ...json, head: { ...json.head, labels: ['a', 'b'] } })).toThrow();
  });

  it('refuses to train without labelled moves', async () => {
    const onlyNew = (await examples()).filter((e) => e.turn === 'new');
    expect(() => TurnModel.train(onlyNew, DEFAULT_TRAIN)).toThrow(/labelled turns/);
  });
});
