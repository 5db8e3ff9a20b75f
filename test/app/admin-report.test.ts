import { describe, expect, it } from 'vitest';
import { adminReport } from '../../src/app/admin-report.ts';
import type { KnowledgeEntry } from '../../src/core/knowledge/schema.ts';
import { emptyState } from '../../src/core/state.ts';
import { FakeEmbedder } from '../helpers/fake-embedder.ts';
import { MemoryStore } from '../helpers/memory-store.ts';

const knowledge = [
  {
    id: 'training-speed',
    title: 'Training speed',
    section: 'Performance',
    question: 'q',
    alternates: [],
    answer: 'a',
    related: [],
  },
] as unknown as KnowledgeEntry[];

describe('adminReport', () => {
  it('reads the feedback repository on every call, so a question left unanswered after start shows up', async () => {
    const store = new MemoryStore(emptyState());
    const report = adminReport({ store, embedder: new FakeEmbedder(), knowledge });
    expect(await report()).not.toMatch(/how do I pick a learning rate/);
    store.data.unanswered.push({
      at: 1,
      conversation: 'c1',
      question: 'how do I pick a learning rate',
      reason: 'out-of-scope',
    });
    store.data.stats.byIntent.unknown = { total: 1, answered: 0 };
    const text = await report();
    expect(text).toMatch(/how do I pick a learning rate/);
    expect(text).toMatch(/unknown/);
  });
});
