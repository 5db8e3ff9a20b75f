import { describe, expect, it } from 'vitest';
import type { IntentDefinition, KnowledgeEntry } from '../../../src/core/knowledge/schema.ts';
import { NluModel } from '../../../src/core/nlu/NluModel.ts';
import { FakeEmbedder } from '../../helpers/fake-embedder.ts';

const kb: KnowledgeEntry[] = ['speed', 'community', 'docs'].map((id) => ({
  id,
  title: id,
  section: id,
  question: `what about ${id}?`,
  alternates: [`${id} comparison`, `tell me about ${id}`, `${id} of each`, `is ${id} better`],
  answer: `The ${id} answer.`,
  related: [],
}));
const intents: IntentDefinition[] = [
  {
    intent: 'unknown',
    description: 'x',
    examples: ['weather', 'pizza recipe', 'football', 'stocks', 'poems'],
  },
  { intent: 'help', description: 'x', examples: ['help', 'what can you do', 'commands', 'menu', 'usage'] },
];

function cacheDouble() {
  const files = new Map<string, string>();
  return {
    files,
    get: async (k: string) => files.get(k),
    set: async (k: string, v: string) => void files.set(k, v),
  };
}

describe('NluModel', () => {
  it('trains once, then loads from the cache while the data is unchanged', async () => {
    const cache = cacheDouble();
    const embedder = new FakeEmbedder();
    const first = await NluModel.build({ knowledge: kb, intents, embedder, isKnownWord: () => false, cache });
    expect(first.trained).toBe(true);
    expect(cache.files.size).toBe(1);
    const second = await NluModel.build({
      knowledge: kb,
      intents,
      embedder,
      isKnownWord: () => false,
      cache,
    });
    expect(second.trained).toBe(false);
    expect(second.calibration).toEqual(first.calibration);
    const changed = [
      ...kb,
      { ...(kb[0] as KnowledgeEntry), id: 'speed-2', alternates: ['new words here', 'a', 'b', 'c'] },
    ];
    const third = await NluModel.build({
      knowledge: changed,
      intents,
      embedder,
      isKnownWord: () => false,
      cache,
    });
    expect(third.trained).toBe(true);
    expect(cache.files.size).toBe(2);
  });

  it('restores the jargon it learned from the data when it loads from the cache', async () => {
    const cache = cacheDouble();
    const embedder = new FakeEmbedder();
    const withJargon: IntentDefinition[] = [
      ...intents,
      {
        intent: 'recommend',
        description: 'x',
        examples: ['kubeflow pipelines', 'kubeflow setup', 'advice please', 'pick one', 'which one'],
      },
    ];
    const build = () =>
      NluModel.build({ knowledge: kb, intents: withJargon, embedder, isKnownWord: () => false, cache });
    const trained = await build();
    const loaded = await build();
    expect(loaded.trained).toBe(false);
    // "kubeflow" is a term of the data (used twice), so its misspelling is corrected to it, after a load as well.
    for (const m of [trained, loaded]) expect((await m.analyze('kubeflo')).text).toBe('kubeflow');
  });

  it('retrains instead of failing when the cached model is corrupt', async () => {
    const cache = cacheDouble();
    const embedder = new FakeEmbedder();
    const m = await NluModel.build({ knowledge: kb, intents, embedder, isKnownWord: () => false, cache });
    for (const k of cache.files.keys()) cache.files.set(k, '{"version": 2, "key": "x", "intent": ');
    const again = await NluModel.build({ knowledge: kb, intents, embedder, isKnownWord: () => false, cache });
    expect(again.trained).toBe(true);
    expect(again.key).toBe(m.key);
  });

  it('stores thresholds calibrated on held-out folds with the model', async () => {
    const m = await NluModel.build({
      knowledge: kb,
      intents,
      embedder: new FakeEmbedder(),
      isKnownWord: () => false,
    });
    const c = m.calibration;
    expect(c.blend).toBeGreaterThanOrEqual(0);
    expect(c.blend).toBeLessThanOrEqual(1);
    expect(c.suggest).toBeLessThan(c.answer);
    expect(c.folds.topicTop1).toBeGreaterThan(0);
    const a = await m.analyze('speed comparison please');
    expect(a.topics[0]?.entry.id).toBe('speed');
    expect(a.intents.map((i) => i.label)).toContain('faq');
  });
});
