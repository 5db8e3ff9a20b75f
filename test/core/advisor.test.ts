import { describe, expect, it } from 'vitest';
import { Advisor } from '../../src/core/Advisor.ts';
import type { IntentDefinition, KnowledgeEntry, TurnExample } from '../../src/core/knowledge/schema.ts';
import { type Calibration, NluModel } from '../../src/core/nlu/NluModel.ts';
import { silentLogger } from '../../src/core/ports.ts';
import { type AppState, emptyState } from '../../src/core/state.ts';
import { replyText } from '../../src/core/types.ts';
import { FakeEmbedder } from '../helpers/fake-embedder.ts';
import { MemoryStore } from '../helpers/memory-store.ts';

const entry = (
  id: string,
  section: string,
  question: string,
  alternates: string[],
  answer: string,
  extra: Partial<KnowledgeEntry> = {},
): KnowledgeEntry => ({
  id,
  title: id.replace(/-/g, ' '),
  section,
  question,
  alternates,
  answer,
  related: [],
  ...extra,
});

const KB: KnowledgeEntry[] = [
  entry(
    'training-speed',
    'Performance',
    'Which framework trains faster?',
    ['training speed comparison', 'fastest to train models', 'training throughput', 'train quicker'],
    'TensorFlow trains faster, thanks to distributed training and JIT compilation.',
    { related: ['inference-speed', 'community-size'] },
  ),
  entry(
    'inference-speed',
    'Performance',
    'Which framework is faster at inference?',
    ['inference latency', 'serving predictions speed', 'fastest inference', 'inference time'],
    'PyTorch infers faster, thanks to its dynamic graph.',
    { related: ['training-speed'] },
  ),
  entry(
    'community-size',
    'Community Support',
    'Which has the larger community?',
    ['community size', 'bigger user base', 'more people using it', 'larger community'],
    'TensorFlow has the larger community.',
  ),
  entry(
    'what-is-tensorflow',
    'What is TensorFlow?',
    'What is TensorFlow?',
    ['tell me about tensorflow', 'tensorflow overview', 'who made tensorflow', 'explain tensorflow'],
    'TensorFlow is an open-source library from Google Brain.',
    { focus: 'tensorflow', related: ['what-is-pytorch'] },
  ),
  entry(
    'what-is-pytorch',
    'What is PyTorch?',
    'What is PyTorch?',
    ['tell me about pytorch', 'pytorch overview', 'who made pytorch', 'explain pytorch'],
    "PyTorch is an open-source library from Facebook's AI Research lab.",
    { focus: 'pytorch', related: ['what-is-tensorflow'] },
  ),
];

const INTENT_DEFS: IntentDefinition[] = [
  {
    intent: 'help',
    description: 'help',
    examples: ['help', 'what can you do', 'how do I use you', 'show commands', 'help me please', 'menu'],
  },
  {
    intent: 'smalltalk',
    description: 'greetings',
    examples: ['hello there', 'thanks a lot', 'good morning', 'bye now', 'hi bot', 'cheers'],
  },
  {
    intent: 'recommend',
    description: 'a project',
    examples: [
      'our team is building a vision product for production',
      'we do nlp research and run lots of experiments',
      'my startup ships a mobile app with image models',
      'we train huge models on a cluster of gpus',
      'i am a beginner building my first project',
      'fraud detection for our bank going live soon',
      'thesis on graph nets with many experiments',
      'recommend a framework for our project',
    ],
  },
  {
    intent: 'unknown',
    description: 'off-topic',
    examples: [
      'weather tomorrow',
      'recipe for pasta',
      'football scores',
      'stock price today',
      'capital city of france',
      'write me a poem',
      'is jax good',
    ],
  },
  {
    intent: 'followup',
    description: 'elliptical follow-ups',
    examples: [
      'and at inference time?',
      'what about pytorch?',
      'same for torch?',
      'why?',
      'how come?',
      'and tf?',
      'why is that',
    ],
  },
];

/** The turn head's data: what each follow-up does to the conversation (intents/turns.yaml in the product). */
const TURN_DATA: Record<Exclude<TurnExample['turn'], 'new'>, string[]> = {
  why: ['why?', 'how come?', 'why is that', 'why though', 'how so?', 'reason?', 'why tho'],
  'other-framework': [
    'what about pytorch?',
    'same for torch?',
    'and tf?',
    'and tensorflow?',
    'what about tf',
    'and pytorch',
  ],
  'verdict-again': [
    'so still pytorch for us?',
    'so which one?',
    'still tf then?',
    'so what do we pick',
    'final answer?',
  ],
  aspect: [
    'and at inference time?',
    'and for training?',
    'and the community?',
    'which is bigger then?',
    'and speed?',
  ],
  instead: [
    'scratch that, research instead',
    'what if it was vision instead',
    'i meant production instead',
    'forget that, beginners instead',
    'rather a cluster instead',
    'what if it were nlp with lots of data instead',
    'what if it was a product instead',
  ],
  later: [
    'production eventually',
    'we will deploy it eventually',
    'a product some day',
    'production later on',
    'eventually a big cluster',
  ],
  also: ['also images', 'we also do nlp', 'text too', 'images as well', 'plus some vision'],
};
const TURNS: TurnExample[] = Object.entries(TURN_DATA).flatMap(([turn, texts]) =>
  texts.map((text) => ({ text, turn: turn as TurnExample['turn'] })),
);

const ENGLISH = new Set(
  'which framework trains faster is the at does tf train quicker and inference time what about pytorch why how come community larger bigger'.split(
    ' ',
  ),
);

/** One training for the whole file: later builds load from this cache (the same path a warm start takes). */
const models = new Map<string, string>();
const memoryCache = {
  get: async (k: string) => models.get(k),
  set: async (k: string, v: string) => void models.set(k, v),
};

async function advisor(
  override: Partial<Omit<Calibration, 'folds'>> = {},
  measurements?: (id: string) => Promise<{ line: string | null } | null>,
  knowledge: KnowledgeEntry[] = KB,
) {
  const embedder = new FakeEmbedder();
  const store = new MemoryStore<AppState>(emptyState());
  const clock = {
    t: 1_000_000,
    now() {
      return this.t;
    },
  };
  const nlu = await NluModel.build({
    knowledge,
    intents: INTENT_DEFS,
    turns: TURNS,
    embedder,
    isKnownWord: (w) => ENGLISH.has(w),
    cache: memoryCache,
    // Bag-of-words scores run lower and closer than a sentence encoder's: fixed bars for this double.
    override: { answer: 0.3, margin: 0.02, marginOn: 'fused', suggest: 0.15, intent: 0.3, ...override },
  });
  const a = new Advisor({
    nlu,
    store,
    clock,
    logger: silentLogger,
    memoryTtlMs: 60_000,
    ...(measurements ? { measurements } : {}),
  });
  return { a, store, embedder, clock };
}

/** The knowledge base with the article's two outright recommendations, which pull opposite ways. */
const WITH_RECOMMENDATIONS: KnowledgeEntry[] = [
  ...KB,
  entry(
    'recommend-large-scale',
    'Recommendations',
    'Which framework should I use for large-scale deep learning?',
    ['which framework for huge models', 'framework for distributed training', 'which to use at scale'],
    '**TensorFlow.** The article recommends it for large-scale deep learning.',
    { verdict: 'tensorflow' },
  ),
  entry(
    'recommend-prototyping-research',
    'Recommendations',
    'Which framework should I use for rapid prototyping and research?',
    ['which framework for research', 'framework for quick experiments', 'which to use for prototyping'],
    '**PyTorch.** The article recommends it for rapid prototyping and research.',
    { verdict: 'pytorch' },
  ),
];

const msg = (text: string, conversationId = 'test:c1') => ({ conversationId, userId: 'test:u1', text });

describe('Advisor (learned heads on a tiny knowledge base, bag-of-words embedder)', () => {
  it('answers a clear question with the entry, its section, a feedback handle and related follow-ups', async () => {
    const { a } = await advisor();
    const r = await a.handle(msg('which framework trains faster'));
    expect(r.kind).toBe('answer');
    expect(r.sources).toEqual([{ id: 'training-speed', section: 'Performance' }]);
    expect(r.feedback?.entryId).toBe('training-speed');
    expect(r.followups?.map((f) => f.value)).toEqual([
      'Which framework is faster at inference?',
      'Which has the larger community?',
    ]);
  });

  it('records why it answered: intent scores, topic scores and the policy decision', async () => {
    const { a } = await advisor();
    const r = await a.handle(msg('which framework trains faster'));
    const stages = r.explain?.map((e) => e.stage);
    expect(stages).toEqual(expect.arrayContaining(['intent', 'topic', 'policy']));
    expect(r.explain?.find((e) => e.stage === 'topic')?.decision).toBe('training-speed');
  });

  it('corrects a misspelled word against the knowledge vocabulary before matching', async () => {
    const { a } = await advisor();
    const r = await a.handle(msg('which framwork trians fastre'));
    expect(r.explain?.find((e) => e.stage === 'spelling')?.features).toEqual(
      expect.arrayContaining(['framwork→framework']),
    );
    expect(r.sources.map((s) => s.id)).toEqual(['training-speed']);
  });

  it('answers close topics of one comparison together instead of asking "Did you mean"', async () => {
    const { a } = await advisor({ answer: 0.99 });
    const r = await a.handle(msg('tf vs torch speed faster'));
    expect(r.kind).toBe('composite');
    expect(r.sources.map((s) => s.id).sort()).toEqual(['inference-speed', 'training-speed']);
  });

  it('offers "Did you mean" only for close topics that differ', async () => {
    const { a } = await advisor({ answer: 0.99 });
    const r = await a.handle(msg('larger faster'));
    expect(r.kind).toBe('suggest');
    expect(r.sources).toEqual([]);
    expect(r.suggestions).toEqual(r.choices.map((c) => c.label));
  });

  it('rejects an off-topic message as out of scope instead of guessing', async () => {
    const { a } = await advisor();
    const r = await a.handle(msg('pasta recipe for tomorrow'));
    expect(r.intent).toBe('unknown');
    expect(r.kind).toBe('out-of-scope');
    expect(r.sources).toEqual([]);
  });

  it('resolves "and at inference time?" against the previous question', async () => {
    const { a } = await advisor();
    await a.handle(msg('does tf train quicker?', 'test:f'));
    const r = await a.handle(msg('and at inference time?', 'test:f'));
    expect(r.sources.map((s) => s.id)).toContain('inference-speed');
    // Without the earlier turn the same words are not a follow-up of anything.
    const fresh = await a.handle(msg('and at inference time?', 'test:g'));
    expect(fresh.explain?.some((e) => e.decision.startsWith('follow-up'))).toBe(false);
  });

  it('answers "what about pytorch?" with the counterpart entry, and "why?" with the reasons of the last answer', async () => {
    const { a } = await advisor();
    expect((await a.handle(msg('what is tensorflow', 'test:s'))).sources.map((s) => s.id)).toEqual([
      'what-is-tensorflow',
    ]);
    expect((await a.handle(msg('what about pytorch?', 'test:s'))).sources.map((s) => s.id)).toEqual([
      'what-is-pytorch',
    ]);
    const why = await a.handle(msg('why?', 'test:s'));
    expect(why.sources.map((s) => s.id)).toEqual(['what-is-pytorch']);
    expect(replyText(why)).toMatch(/reasoning/);
  });

  it("gives the article's outright recommendation as a verdict, and asks when the recommendations pull opposite ways", async () => {
    const { a } = await advisor({}, undefined, WITH_RECOMMENDATIONS);
    const one = await a.handle(msg('which framework should I use for distributed training', 'test:rec1'));
    expect(one.sources.map((s) => s.id)).toEqual(['recommend-large-scale']);
    expect(one.framework).toBe('tensorflow');
    // Both recommendations are the answer: nothing decisive is known, so it asks instead of listing them.
    const both = await a.handle(msg('which framework should I use', 'test:rec2'));
    expect(both.kind).toBe('clarify');
    expect(both.framework).toBeNull();
    expect(both.explain?.filter((e) => e.stage === 'policy').map((e) => e.decision)).toContain(
      'recommend: a choice with nothing decisive known; asks',
    );
  });

  it('gives a verdict at once from a bare project description and names the facts used', async () => {
    const { a } = await advisor();
    const r = await a.handle(msg('fraud detection for our bank, going to production next quarter', 'test:r'));
    expect(r.kind).toBe('verdict');
    expect(r.framework).toBe('tensorflow');
    expect(replyText(r)).toMatch(/Facts used: production/);
  });

  it('revises a verdict when a later fact changes it, and says what changed', async () => {
    const { a, store } = await advisor();
    await a.handle(msg('our team is building a vision product for production', 'test:v'));
    const r = await a.handle(msg('actually we do research and run lots of experiments', 'test:v'));
    expect(r.framework).toBe('pytorch');
    expect(replyText(r)).toMatch(/changes the verdict from TensorFlow to PyTorch/);
    expect(store.data.conversations['test:v']?.recommendation?.verdict).toBe('pytorch');
  });

  it('reads "what if it was … instead" as replacing the facts of the turn before', async () => {
    const { a } = await advisor();
    await a.handle(msg('we train huge models on a cluster of gpus', 'test:i'));
    const r = await a.handle(msg('what if it was research with lots of experiments instead', 'test:i'));
    expect(r.framework).toBe('pytorch');
    expect(replyText(r)).not.toMatch(/large-scale distributed/);
  });

  it('keeps the goal of now when a goal for later is added ("prod eventually")', async () => {
    const { a } = await advisor();
    expect((await a.handle(msg('we do nlp research and run lots of experiments', 'test:l'))).framework).toBe(
      'pytorch',
    );
    const r = await a.handle(msg('our team will go to production eventually', 'test:l'));
    expect(r.framework).toBe('pytorch');
  });

  it('answers "what about pytorch?" after a verdict with the reasons for and against, not an entry', async () => {
    const { a } = await advisor();
    await a.handle(msg('fraud detection for our bank, going to production next quarter', 'test:w'));
    const r = await a.handle(msg('what about pytorch?', 'test:w'));
    expect(r.kind).toBe('verdict');
    expect(r.framework).toBe('tensorflow');
  });

  it('asks a clarifying question only when nothing decisive is known, and a free-words answer settles it', async () => {
    const { a } = await advisor();
    const first = await a.handle(msg('recommend a framework for our project', 'test:q'));
    expect(first.kind).toBe('clarify');
    expect(first.framework).toBeNull();
    expect(first.choices.length).toBeGreaterThan(0);
    const second = await a.handle(msg('research for now, production some day', 'test:q'));
    expect(second.kind).toBe('verdict');
    expect(second.framework).toBe('pytorch');
  });

  it('asks the pending question again when the reply to it says nothing it can read', async () => {
    const { a } = await advisor();
    const first = await a.handle(msg('recommend a framework for our project', 'test:unclear'));
    expect(first.kind).toBe('clarify');
    const second = await a.handle(msg('zorbly quantum pasta', 'test:unclear'));
    expect(second.kind).toBe('clarify');
    expect(second.parts.map((p) => (p.type === 'text' ? p.text : '')).join(' ')).toMatch(/couldn't tell/);
    expect(second.choices).toEqual(first.choices);
    // A question of its own during the clarification is answered as a question, not taken as an answer.
    const third = await a.handle(msg('zorbly quantum pasta?', 'test:unclear'));
    expect(third.kind).not.toBe('clarify');
  });

  it('keeps memory across answers but forgets it after the inactivity period', async () => {
    const { a, clock } = await advisor();
    await a.handle(msg('does tf train quicker?', 'test:m'));
    clock.t += 59_000;
    const within = await a.handle(msg('why?', 'test:m'));
    expect(within.sources.map((s) => s.id)).toEqual(['training-speed']);
    clock.t += 61_000;
    const after = await a.handle(msg('why?', 'test:m'));
    expect(after.explain?.some((e) => e.decision.startsWith('follow-up'))).toBe(false);
  });

  it("grounds a performance answer in this host's newest benchmark, or offers one when nothing was measured", async () => {
    const line = 'Measured here on 2026-12-01 (run `b1`, CPU): PyTorch trained the MLP 2.0× faster.';
    let measured: string | null = line;
    const { a } = await advisor({}, async (id) => (id === 'training-speed' ? { line: measured } : null));
    const grounded = await a.handle(msg('which framework trains faster'));
    expect(replyText(grounded)).toContain(line);
    expect(grounded.offerBenchmark).toBeUndefined();
    measured = null;
    const offered = await a.handle(msg('which framework trains faster', 'test:o'));
    expect(offered.offerBenchmark).toBe(true);
    expect(replyText(offered)).toMatch(/Nothing has been measured on this host yet/);
    const other = await a.handle(msg('which has the larger community?', 'test:o2'));
    expect(other.offerBenchmark).toBeUndefined();
    expect(replyText(other)).not.toMatch(/measured/i);
  });

  it('turns an exception inside a port into a friendly reply', async () => {
    const { a, embedder } = await advisor();
    embedder.embed = async () => {
      throw new Error('boom: internal detail');
    };
    const r = await a.handle(msg('which framework trains faster'));
    expect(replyText(r)).toMatch(/something went wrong/i);
    expect(JSON.stringify(r)).not.toContain('boom');
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
