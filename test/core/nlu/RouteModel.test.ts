import { describe, expect, it } from 'vitest';
import { NLU_LABELS } from '../../../src/core/nlu/labels.ts';
import {
  ROUTE_FEATURES,
  ROUTES,
  type Route,
  type RouteInput,
  RouteModel,
  routeFeatures,
} from '../../../src/core/nlu/RouteModel.ts';
import { DEFAULT_TRAIN } from '../../../src/core/nlu/softmax.ts';

/** An intent distribution with `p` on `label` and the rest spread evenly. */
function intent(label: (typeof NLU_LABELS)[number], p: number): number[] {
  return NLU_LABELS.map((l) => (l === label ? p : (1 - p) / (NLU_LABELS.length - 1)));
}

function input(over: Partial<RouteInput>): RouteInput {
  return {
    intent: intent('faq', 0.5),
    topics: [{ score: 0.2, head: 0.1, retrieval: 0.3, section: 'Architecture' }],
    slots: {},
    cues: [],
    text: 'hello',
    coverage: 0.5,
    unknownTerms: 0,
    bars: { answer: 0.5, suggest: 0.35 },
    neighbours: { project: 0.3, offTopic: 0.3 },
    ...over,
  };
}

/**
 * First-stage readings where the intent head is unreliable in one known way: terse project descriptions it reads as
 * off-topic, which the slot model reads a domain in. Only a head that combines the two routes them right.
 */
function trainingSet(): Array<{ x: Float32Array; route: Route }> {
  const out: Array<{ x: Float32Array; route: Route }> = [];
  for (let k = 0; k < 30; k++) {
    const jitter = (k % 5) * 0.02;
    out.push({
      x: routeFeatures(
        input({
          intent: intent('faq', 0.8 - jitter),
          topics: [{ score: 0.7 - jitter, head: 0.8, retrieval: 0.6, section: 'Performance' }],
          cues: ['question-mark'],
        }),
      ),
      route: 'faq',
    });
    out.push({
      x: routeFeatures(input({ intent: intent('unknown', 0.8 - jitter), text: 'best pizza in town?' })),
      route: 'unknown',
    });
    // Terse descriptions: the intent head says unknown, the slot model reads reinforcement learning.
    out.push({
      x: routeFeatures(
        input({
          intent: intent('unknown', 0.6 - jitter),
          slots: { 'domain=reinforcement-learning': 0.9 - jitter },
          text: 'rl for warehouse robots',
        }),
      ),
      route: 'recommend',
    });
    out.push({
      x: routeFeatures(
        input({
          intent: intent('recommend', 0.9 - jitter),
          slots: { 'goal=research': 0.8 },
          cues: ['first-person'],
        }),
      ),
      route: 'recommend',
    });
    out.push({ x: routeFeatures(input({ intent: intent('help', 0.9 - jitter) })), route: 'help' });
    out.push({ x: routeFeatures(input({ intent: intent('smalltalk', 0.9 - jitter) })), route: 'smalltalk' });
    out.push({ x: routeFeatures(input({ intent: intent('benchmark', 0.9 - jitter) })), route: 'benchmark' });
  }
  return out;
}

describe('routeFeatures', () => {
  it('lays out one named value per feature and reads each input into its place', () => {
    const x = routeFeatures(
      input({
        intent: intent('recommend', 0.7),
        slots: { 'domain=vision': 0.8 },
        cues: ['first-person', 'question-mark'],
        text: 'which framework for our ML project?',
        topics: [
          { score: 0.6, head: 0.7, retrieval: 0.5, section: 'Recommendations' },
          { score: 0.4, head: 0.2, retrieval: 0.4, section: 'Architecture' },
        ],
      }),
    );
    expect(x.length).toBe(ROUTE_FEATURES.length);
    const at = (name: string) => x[ROUTE_FEATURES.indexOf(name)];
    expect(at('p(recommend)')).toBeCloseTo(0.7);
    expect(at('slot domain=vision')).toBeCloseTo(0.8);
    expect(at('slot max')).toBeCloseTo(0.8);
    expect(at('first-person')).toBe(1);
    expect(at('names-framework')).toBe(0);
    expect(at('ML word')).toBe(1);
    expect(at('topic lead')).toBeCloseTo(0.2);
    expect(at('topic ≥ answer bar')).toBe(1);
    expect(at('topic in Recommendations')).toBe(1);
    expect(at('p(recommend)·slot max')).toBeCloseTo(0.56);
    // A request for a choice of some other thing, with no machine-learning word.
    const y = routeFeatures(input({ text: 'which laptop should we buy' }));
    expect(y[ROUTE_FEATURES.indexOf('choice of another thing')]).toBe(1);
    expect(y[ROUTE_FEATURES.indexOf('ML word')]).toBe(0);
  });
});

describe('RouteModel', () => {
  it('learns to overrule the intent head where the slot model knows better, and says which features decided', () => {
    const model = RouteModel.train(trainingSet(), DEFAULT_TRAIN);
    const terse = model.read(
      routeFeatures(
        input({ intent: intent('unknown', 0.55), slots: { 'domain=reinforcement-learning': 0.85 } }),
      ),
    );
    expect(terse.route).toBe('recommend');
    expect(terse.because.some((f) => f.startsWith('slot'))).toBe(true);
    // The same intent reading with nothing read in the slots stays off-topic.
    expect(model.read(routeFeatures(input({ intent: intent('unknown', 0.55) }))).route).toBe('unknown');
    expect(model.read(routeFeatures(input({ intent: intent('help', 0.85) }))).route).toBe('help');
    expect(model.folds.right).toBeGreaterThan(0.9);
    expect(Object.keys(model.folds.perRoute).sort()).toEqual([...ROUTES].sort());
  });

  it('ranks every route with probabilities that sum to one', () => {
    const model = RouteModel.train(trainingSet(), DEFAULT_TRAIN);
    const r = model.read(routeFeatures(input({})));
    expect(r.ranked.map((x) => x.route).sort()).toEqual([...ROUTES].sort());
    expect(r.ranked.reduce((s, x) => s + x.p, 0)).toBeCloseTo(1, 2);
    expect(r.ranked[0]?.route).toBe(r.route);
  });

  it('reads the same after a JSON round trip, and refuses a stored head of other routes', () => {
    const model = RouteModel.train(trainingSet(), DEFAULT_TRAIN);
    const again = RouteModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    for (const ex of trainingSet().slice(0, 14)) expect(again.read(ex.x)).toEqual(model.read(ex.x));
    const j = model.toJSON();
    expect(() =>
      RouteModel.fromJSON({ ...j, head: { ...j.head, labels: [...j.head.labels].reverse() } }),
    ).toThrow(/other routes/);
  });

  it('refuses to train on too few examples', () => {
    expect(() => RouteModel.train(trainingSet().slice(0, 3), DEFAULT_TRAIN)).toThrow(
      /needs labelled examples/,
    );
  });
});
