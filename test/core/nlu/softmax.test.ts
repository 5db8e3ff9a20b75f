import { describe, expect, it } from 'vitest';
import { featurize } from '../../../src/core/nlu/features.ts';
import { SoftmaxHead } from '../../../src/core/nlu/softmax.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);

describe('SoftmaxHead', () => {
  const examples = [
    featurize('alpha one', vec(1, 0, 0)),
    featurize('alpha two', vec(0.9, 0.1, 0)),
    featurize('beta one', vec(0, 1, 0)),
    featurize('beta two', vec(0.1, 0.9, 0)),
  ];
  const labels = ['a', 'b'];
  const head = SoftmaxHead.train(examples, ['a', 'a', 'b', 'b'], labels);

  it('learns separable classes from dense and lexical features', () => {
    expect(head.rank(featurize('alpha three', vec(0.8, 0.2, 0)))[0]?.label).toBe('a');
    expect(head.rank(featurize('beta three', vec(0.2, 0.8, 0)))[0]?.label).toBe('b');
    const p = head.predict(featurize('alpha', vec(1, 0, 0)));
    expect((p[0] ?? 0) + (p[1] ?? 0)).toBeCloseTo(1, 5);
  });

  it('round-trips through JSON with the same predictions, and refuses vectors of another width', () => {
    const back = SoftmaxHead.fromJSON(JSON.parse(JSON.stringify(head.toJSON())));
    const x = featurize('beta one', vec(0, 1, 0));
    expect(back.predict(x)[1]).toBeCloseTo(head.predict(x)[1] ?? 0, 4);
    expect(() => head.predict(featurize('x', vec(1, 0)))).toThrow(/3-d vectors/);
  });

  it('is deterministic: the same data trains the same weights', () => {
    const again = SoftmaxHead.train(examples, ['a', 'a', 'b', 'b'], labels);
    expect(again.toJSON()).toEqual(head.toJSON());
  });

  it('averages fold heads weight by weight, and refuses heads of other labels', () => {
    const other = SoftmaxHead.train(examples.slice(0, 3), ['a', 'a', 'b'], labels);
    const mean = SoftmaxHead.average([head, other]).toJSON();
    const [h, o] = [head.toJSON(), other.toJSON()];
    for (const [j, w] of mean.weights.entries())
      expect(w).toBeCloseTo(((h.weights[j] ?? 0) + (o.weights[j] ?? 0)) / 2, 5);
    expect(SoftmaxHead.average([head]).toJSON()).toEqual(h);
    const flipped = SoftmaxHead.train(examples, ['a', 'a', 'b', 'b'], ['b', 'a']);
    expect(() => SoftmaxHead.average([head, flipped])).toThrow(/labels or layout/);
  });

  it('continues from a given head: zero epochs keep its weights, more epochs move them', () => {
    const options = { epochs: 0, batchSize: 32, learningRate: 0.02, l2: 1e-4, balance: true };
    const kept = SoftmaxHead.train(examples, ['a', 'a', 'b', 'b'], labels, options, head);
    expect(kept.toJSON()).toEqual(head.toJSON());
    const moved = SoftmaxHead.train(examples, ['a', 'a', 'b', 'b'], labels, { ...options, epochs: 2 }, head);
    expect(moved.toJSON().weights).not.toEqual(head.toJSON().weights);
    expect(moved.rank(featurize('alpha three', vec(0.8, 0.2, 0)))[0]?.label).toBe('a');
  });
});
