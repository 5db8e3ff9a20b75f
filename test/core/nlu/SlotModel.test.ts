import { describe, expect, it } from 'vitest';
import { featurize } from '../../../src/core/nlu/features.ts';
import { fillFromClauses, SlotModel, type SlotTrainingExample } from '../../../src/core/nlu/SlotModel.ts';
import { DEFAULT_TRAIN } from '../../../src/core/nlu/softmax.ts';
import type { RecommendationSlots } from '../../../src/core/state.ts';
import { FakeEmbedder } from '../../helpers/fake-embedder.ts';

// A small labelled set whose words are not in the slot cue lists, so only learning can read them.
const labelled: Array<[string, RecommendationSlots]> = [];
for (const [what, slots] of [
  ['quokka', { domain: 'vision' }],
  ['wombat', { domain: 'language' }],
  ['ocelot', { experience: 'beginner' }],
  ['narwhal', { experience: 'experienced' }],
] as const)
  for (const ctx of [
    'our',
    'the team on',
    'my startup does',
    'a small',
    'we build',
    'next up is',
    'one more',
    'a new',
    'the big',
    'my',
    'their',
    'yet another',
  ])
    labelled.push([`${ctx} ${what} thing`, slots]);
for (const t of ['hello there', 'thanks a lot', 'what is this', 'good morning', 'see you', 'nice one'])
  labelled.push([t, {}]);

async function examples(): Promise<SlotTrainingExample[]> {
  const vecs = await new FakeEmbedder().embed(labelled.map(([t]) => t));
  return labelled.map(([text, slots], i) => ({ x: featurize(text, vecs[i] as Float32Array), slots }));
}

async function read(model: SlotModel, text: string) {
  const [v] = await new FakeEmbedder().embed([text]);
  return model.read(featurize(text, v as Float32Array));
}

describe('SlotModel', () => {
  it('learns slot values from labelled examples, with a calibrated bar per slot', async () => {
    const model = SlotModel.train(await examples(), DEFAULT_TRAIN);
    expect((await read(model, 'a quokka thing for us')).slots).toEqual({ domain: 'vision' });
    expect((await read(model, 'ocelot thing, our team')).slots).toEqual({ experience: 'beginner' });
    expect((await read(model, 'thanks, good morning')).slots).toEqual({});
    for (const bar of Object.values(model.bars)) {
      expect(bar).toBeGreaterThanOrEqual(0.3);
      expect(bar).toBeLessThanOrEqual(0.8);
    }
    // Held-out decisions beat always saying none (the share of examples without a domain).
    const noDomain = labelled.filter(([, s]) => !s.domain).length / labelled.length;
    expect(model.folds.domain.right).toBeGreaterThan(noDomain);
  });

  it('reads the same after a JSON round trip (the model cache)', async () => {
    const model = SlotModel.train(await examples(), DEFAULT_TRAIN);
    const copy = SlotModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    for (const text of ['the wombat thing', 'narwhal thing here', 'see you'])
      expect(await read(copy, text)).toEqual(await read(model, text));
  });

  it("keeps each example's held-out value probabilities, read by a fold head that never saw it", async () => {
    const ex = await examples();
    const model = SlotModel.train(ex, DEFAULT_TRAIN);
    const held = model.heldOut ?? [];
    expect(held).toHaveLength(ex.length);
    // Every value of every slot, as `slot=value`, on a probability scale.
    expect(Object.keys(held[0] ?? {}).sort()).toEqual(
      Object.keys(model.probabilities((ex[0] as SlotTrainingExample).x)).sort(),
    );
    expect(Object.keys(held[0] ?? {})).toContain('domain=vision');
    for (const h of held) for (const p of Object.values(h)) expect(p).toBeGreaterThanOrEqual(0);
    // Held out, an example is read less surely than by the served head, which trained on it.
    const served = ex.reduce(
      (s, e, i) =>
        s + (labelled[i]?.[1].domain === 'vision' ? (model.probabilities(e.x)['domain=vision'] ?? 0) : 0),
      0,
    );
    const cv = held.reduce(
      (s, h, i) => s + (labelled[i]?.[1].domain === 'vision' ? (h['domain=vision'] ?? 0) : 0),
      0,
    );
    expect(cv).toBeLessThan(served);
    // Not stored with the model: the cache holds the heads, not the training readings.
    expect(JSON.stringify(model.toJSON())).not.toContain('heldOut');
    expect(SlotModel.fromJSON(model.toJSON()).heldOut).toBeUndefined();
  });

  it('calibrates a clause bar per slot: clauses that name the value the text states lower it, wrong ones raise it', async () => {
    const fx = async (t: string) => featurize(t, (await new FakeEmbedder().embed([t]))[0] as Float32Array);
    // Texts whose whole reads no domain, though one clause states it: the clause reading is right for these...
    const stated = await Promise.all(
      ['see you', 'good morning', 'nice one', 'thanks a lot', 'hello there', 'what is this'].map(
        async (t, i): Promise<SlotTrainingExample> => ({
          x: await fx(t),
          slots: { domain: 'vision' },
          clauses: [
            await fx(t),
            await fx(`${['our', 'a small', 'my', 'the big', 'a new', 'their'][i]} quokka thing`),
          ],
        }),
      ),
    );
    const base = await examples();
    const right = SlotModel.train([...base, ...stated], DEFAULT_TRAIN);
    expect(right.clauseBars.domain).toBeLessThanOrEqual(1);
    expect(right.clauseFolds?.domain.right).toBeGreaterThan(0);
    // ...and wrong when the text states no domain at all: the same clauses then never fill the slot.
    const unstated = stated.map((e) => ({ ...e, slots: {} }));
    const wrong = SlotModel.train([...base, ...unstated, ...unstated], DEFAULT_TRAIN);
    expect(wrong.clauseBars.domain).toBeGreaterThan(1);
    expect(wrong.clauseFolds?.domain.right).toBe(0);
    // Stored with the model.
    expect(SlotModel.fromJSON(JSON.parse(JSON.stringify(right.toJSON()))).clauseBars).toEqual(
      right.clauseBars,
    );
  });

  it('fills only the slots the whole message left open, from the clause that reads them most surely', async () => {
    const trained = SlotModel.train(await examples(), DEFAULT_TRAIN);
    const json = trained.toJSON();
    const model = SlotModel.fromJSON({
      ...json,
      clauseBars: { domain: 0.5, scale: 0.5, goal: 0.5, experience: 0.5 },
      clauseFolds: {
        domain: { right: 1, wrong: 0 },
        scale: { right: 0, wrong: 0 },
        goal: { right: 0, wrong: 0 },
        experience: { right: 1, wrong: 0 },
      },
    });
    const clause = async (text: string) => ({
      text,
      x: featurize(text, (await new FakeEmbedder().embed([text]))[0] as Float32Array),
    });
    const whole = await read(model, 'ocelot thing, our team');
    expect(whole.slots).toEqual({ experience: 'beginner' });
    const filled = fillFromClauses(model, whole, [
      await clause('hello there'),
      await clause('a quokka thing'),
      await clause('narwhal thing'),
    ]);
    // The domain comes from its clause; the experience the whole message read stands (not the narwhal clause's).
    expect(filled.slots).toEqual({ experience: 'beginner', domain: 'vision' });
    expect(filled.scores.domain?.clause).toBe('a quokka thing');
    expect(filled.scores.experience?.clause).toBeUndefined();
    expect(filled.probabilities).toEqual(whole.probabilities);
    // A model stored without clause bars (an older cache) fills nothing.
    const plain = SlotModel.fromJSON(
      json.clauseBars ? { heads: json.heads, bars: json.bars, folds: json.folds } : json,
    );
    expect(fillFromClauses(plain, whole, [await clause('a quokka thing')]).slots).toEqual(whole.slots);
  });

  it('refuses to train on no data', () => {
    expect(() => SlotModel.train([], DEFAULT_TRAIN)).toThrow(/labelled examples/);
  });
});
