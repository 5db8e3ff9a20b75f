import { describe, expect, it } from 'vitest';
import { Advisor, type Thresholds } from '../../src/core/Advisor.ts';
import { IntentRouter } from '../../src/core/intents/IntentRouter.ts';
import type { IntentDefinition, KnowledgeEntry } from '../../src/core/knowledge/schema.ts';
import { silentLogger } from '../../src/core/ports.ts';
import { KnowledgeIndex } from '../../src/core/retrieval/KnowledgeIndex.ts';
import { type AppState, emptyState } from '../../src/core/state.ts';
import { FakeEmbedder } from '../helpers/fake-embedder.ts';
import { MemoryStore } from '../helpers/memory-store.ts';

const entry = (
  id: string,
  title: string,
  question: string,
  alternates: string[],
  answer: string,
): KnowledgeEntry => ({
  id,
  title,
  section: 'Performance',
  question,
  alternates,
  answer,
  related: [],
});

const KB: KnowledgeEntry[] = [
  entry(
    'training-speed',
    'Training speed',
    'Which framework trains faster?',
    ['training speed comparison', 'fastest to train models', 'training throughput'],
    'TensorFlow trains faster.',
  ),
  entry(
    'inference-speed',
    'Inference speed',
    'Which framework is faster at inference?',
    ['inference latency', 'serving predictions speed', 'fastest inference'],
    'PyTorch infers faster.',
  ),
  entry(
    'community-size',
    'Community size',
    'Which has the larger community?',
    ['community size', 'bigger user base', 'more people using it'],
    'TensorFlow has the larger community.',
  ),
];
const INTENT_DEFS: IntentDefinition[] = [
  {
    intent: 'help',
    description: 'help',
    examples: ['help', 'what can you do', 'how do I use you', 'show commands', 'help me please'],
  },
  {
    intent: 'smalltalk',
    description: 'greetings',
    examples: ['hello there', 'thanks a lot', 'good morning', 'bye now', 'hi bot'],
  },
  {
    intent: 'recommend',
    description: 'pick for my project',
    examples: [
      'which framework should our team pick',
      'help us choose a framework for our project',
      'what should my team use',
      'recommend a framework for our product',
      'should we pick tensorflow or pytorch',
    ],
  },
  {
    intent: 'unknown',
    description: 'off-topic',
    examples: ['weather tomorrow', 'recipe for pasta', 'football scores', 'stock price', 'capital city'],
  },
];

async function advisor(thresholds?: Thresholds) {
  const embedder = new FakeEmbedder();
  const store = new MemoryStore<AppState>(emptyState());
  let now = 1000;
  const a = new Advisor({
    index: await KnowledgeIndex.build(KB, embedder),
    router: await IntentRouter.build(INTENT_DEFS, KB, embedder),
    embedder,
    store,
    clock: { now: () => now++ },
    logger: silentLogger,
    ...(thresholds ? { thresholds } : {}),
  });
  return { a, store, embedder };
}

const msg = (text: string, conversationId = 'test:c1') => ({ conversationId, userId: 'test:u1', text });

describe('Advisor routing and thresholds (fake embedder)', () => {
  it('answers a clear question with the entry, its section and a feedback handle', async () => {
    const { a } = await advisor();
    const r = await a.handle(msg('which framework trains faster'));
    expect(r.intent).toBe('faq');
    expect(r.sources).toEqual([{ id: 'training-speed', section: 'Performance' }]);
    expect(r.feedback?.entryId).toBe('training-speed');
    expect(r.suggestions).toEqual([]);
  });

  it('offers "Did you mean" choices when the top two are too close to call', async () => {
    const { a } = await advisor({ answer: 0.99, margin: 0.5, suggest: 0.1, intent: 0.6 });
    const r = await a.handle(msg('which framework is faster'));
    expect(r.intent).toBe('faq');
    expect(r.sources).toEqual([]);
    expect(r.choices.length).toBeGreaterThanOrEqual(2);
    expect(r.suggestions).toEqual(r.choices.map((c) => c.label));
    expect(r.choices.map((c) => c.value)).toContain('Which framework trains faster?');
  });

  it('holds a question that names no framework to the stricter bar: "Did you mean" instead of an answer', async () => {
    const { a } = await advisor({ answer: 0.1, margin: 0, suggest: 0.1, intent: 0.6, unnamedAnswer: 0.999 });
    const unnamed = await a.handle(msg('training throughput speed'));
    expect(unnamed.sources).toEqual([]);
    expect(unnamed.choices.map((c) => c.value)).toContain('Which framework trains faster?');
    const named = await a.handle(msg('pytorch training throughput speed'));
    expect(named.sources).toEqual([{ id: 'training-speed', section: 'Performance' }]);
  });

  it('rejects an off-topic question as out of scope instead of guessing', async () => {
    const { a } = await advisor();
    const r = await a.handle(msg('pasta recipe for tomorrow'));
    expect(r.intent).toBe('unknown');
    expect(r.sources).toEqual([]);
  });

  it('routes a question about another framework out of scope', async () => {
    const { a } = await advisor();
    expect((await a.handle(msg('is jax faster to train than tensorflow'))).intent).toBe('unknown');
  });

  it('turns an exception inside a port into a friendly reply', async () => {
    const { a, embedder } = await advisor();
    embedder.embed = async () => {
      throw new Error('boom: internal detail');
    };
    const r = await a.handle(msg('which framework trains faster'));
    expect(r.parts.map((p) => (p.type === 'text' ? p.text : '')).join(' ')).toMatch(/something went wrong/i);
    expect(JSON.stringify(r)).not.toContain('boom');
  });

  it('runs a recommendation dialogue: asks one slot at a time and remembers per conversation', async () => {
    // Bag-of-words cosines run lower than a sentence encoder's: a lower intent bar for this double.
    const { a, store } = await advisor({ answer: 0.45, margin: 0.03, suggest: 0.45, intent: 0.4 });
    const first = await a.handle(
      msg('we are building a product, which framework should our team pick?', 'test:rec'),
    );
    expect(first.intent).toBe('recommend');
    expect(first.framework).toBeNull();
    expect(first.choices.length).toBeGreaterThan(0);
    expect(store.data.conversations['test:rec']?.recommendation?.pending).toBeDefined();
    // Another conversation is independent.
    const other = await a.handle(msg('which framework trains faster', 'test:other'));
    expect(other.intent).toBe('faq');
    let reply = await a.handle(msg('research and prototyping', 'test:rec'));
    for (let i = 0; i < 4 && reply.framework === null; i++)
      reply = await a.handle(msg('not sure', 'test:rec'));
    expect(reply.intent).toBe('recommend');
    expect(reply.framework).toBe('pytorch');
    expect(reply.sources.map((s) => s.id)).toContain('recommend-prototyping-research');
    expect(store.data.conversations['test:rec']?.recommendation).toBeUndefined();
  });

  it('records feedback with the question and the entry', async () => {
    const { a, store } = await advisor();
    await a.recordFeedback({
      conversationId: 'c',
      userId: 'u',
      entryId: 'training-speed',
      question: 'q?',
      vote: 'down',
    });
    expect(store.data.feedback).toMatchObject([{ entryId: 'training-speed', question: 'q?', vote: 'down' }]);
  });
});
