import { describe, expect, it } from 'vitest';
import { Advisor } from '../../src/core/Advisor.ts';
import { NluModel } from '../../src/core/nlu/NluModel.ts';
import { silentLogger } from '../../src/core/ports.ts';
import { buildReport, renderReport } from '../../src/core/report.ts';
import type { AppState } from '../../src/core/state.ts';
import { emptyState } from '../../src/core/state.ts';
import { FakeEmbedder } from '../helpers/fake-embedder.ts';
import { MemoryStore } from '../helpers/memory-store.ts';

describe('admin report', () => {
  it('clusters similar unanswered messages, counts reasons, and ranks answer rates and topics', async () => {
    const s = emptyState();
    const q = (question: string, reason: 'out-of-scope' | 'ambiguous' | 'thumbs-down', topic?: string) =>
      s.unanswered.push({ at: 1, conversation: 'c', question, reason, ...(topic ? { topic } : {}) });
    q('does pytorch run on apple m1 chips', 'out-of-scope');
    q('pytorch on apple m1 chips?', 'out-of-scope');
    q('run pytorch on m1 apple chips', 'thumbs-down', 'what-is-pytorch');
    q('pizza recipe please', 'out-of-scope');
    s.stats = {
      byIntent: { faq: { total: 10, answered: 8 }, unknown: { total: 4, answered: 0 } },
      topics: { 'training-speed': 5, docs: 2 },
    };
    const r = await buildReport(s, new FakeEmbedder(), [
      {
        id: 'training-speed',
        title: 'Training speed',
        section: 'P',
        question: 'q',
        alternates: [],
        answer: 'a',
        related: [],
      },
    ]);
    expect(r.records).toBe(4);
    expect(r.unanswered[0]).toMatchObject({
      count: 3,
      reasons: { 'out-of-scope': 2, 'thumbs-down': 1 },
      nearest: 'what-is-pytorch',
    });
    expect(r.unanswered).toHaveLength(2);
    expect(r.rates[0]).toMatchObject({ intent: 'faq', rate: 0.8 });
    expect(r.topics[0]).toMatchObject({ id: 'training-speed', title: 'Training speed', count: 5 });
    expect(renderReport(r)).toMatch(/3× "run pytorch on m1 apple chips"/);
  });

  it('is recorded by the advisor: out-of-scope and 👎 messages, with token-shaped text redacted', async () => {
    const store = new MemoryStore<AppState>(emptyState());
    const nlu = await NluModel.build({
      knowledge: [
        {
          id: 'speed',
          title: 'Speed',
          section: 'P',
          question: 'which is faster?',
          alternates: ['speed', 'faster training', 'quicker', 'performance'],
          answer: 'TF.',
          related: [],
        },
      ],
      intents: [
        {
          intent: 'unknown',
          description: 'x',
          examples: ['weather today', 'pizza recipe', 'football', 'stocks', 'poem'],
        },
      ],
      embedder: new FakeEmbedder(),
      isKnownWord: () => true,
    });
    const a = new Advisor({ nlu, store, clock: { now: () => 5 }, logger: silentLogger });
    await a.handle({
      conversationId: 'slack:C1:1',
      userId: 'u',
      text: 'pizza recipe with token xoxb-123456-abcdef',
    });
    await a.recordFeedback({
      conversationId: 'slack:C1:1',
      userId: 'u',
      entryId: 'speed',
      question: 'which is faster?',
      vote: 'down',
    });
    expect(store.data.unanswered.map((u) => u.reason)).toEqual(['out-of-scope', 'thumbs-down']);
    expect(store.data.unanswered[0]?.question).toBe('pizza recipe with token [redacted]');
    expect(store.data.unanswered[0]?.conversation).not.toContain('C1');
    expect(store.data.stats.byIntent.unknown).toEqual({ total: 1, answered: 0 });
  });
});
