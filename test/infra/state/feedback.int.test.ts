/**
 * The admin report's records shared by two replicas (two clients, two local files' worth of state) on a real
 * Redis started here: one report of both, capped lists, nothing token-shaped stored, and an outage that never
 * fails a record.
 */
import type { Redis } from 'ioredis';
import { Redis as Admin } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminReport } from '../../../src/app/admin-report.ts';
import type { KnowledgeEntry } from '../../../src/core/knowledge/schema.ts';
import type { FeedbackEntry, Logger } from '../../../src/core/ports.ts';
import { silentLogger } from '../../../src/core/ports.ts';
import { emptyState } from '../../../src/core/state.ts';
import { closeRedis, connectRedis } from '../../../src/infra/redis/connection.ts';
import { RedisFeedback } from '../../../src/infra/state/feedback.ts';
import { eventually } from '../../helpers/eventually.ts';
import { FakeEmbedder } from '../../helpers/fake-embedder.ts';
import { MemoryStore } from '../../helpers/memory-store.ts';
import { startRedis, type TestRedis } from '../../helpers/redis.ts';

const knowledge = [
  {
    id: 'training-speed',
    title: 'Training speed',
    section: 'Performance',
    question: 'q',
    alternates: [],
    answer: 'a',
  },
  { id: 'community', title: 'Community', section: 'Community', question: 'q', alternates: [], answer: 'a' },
] as unknown as KnowledgeEntry[];

const answered = (intent: string, topics: string[] = []): FeedbackEntry => ({
  reply: { intent, answered: true, topics },
});
const outOfScope = (question: string, at = 1): FeedbackEntry => ({
  reply: { intent: 'unknown', answered: false, topics: [] },
  unanswered: { at, conversation: 'c', question, reason: 'out-of-scope' },
});

describe('admin report records in Redis', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });
  // A test that failed while Redis was down leaves it down; the next one starts it again.
  beforeEach(async () => {
    await redis.start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await closeRedis(c);
    const admin = new Admin(redis.url);
    await admin.flushall();
    admin.disconnect();
  });

  /** A replica's feedback repository: its own client and its own local state (the lowdb file's, in memory). */
  const replica = async (
    options: { caps?: { feedback: number; unanswered: number }; logger?: Logger } = {},
  ) => {
    const client = connectRedis(redis.url, 'bot', silentLogger);
    clients.push(client);
    await eventually(() => client.status === 'ready', 'redis client ready');
    const local = new MemoryStore(emptyState());
    const feedback = new RedisFeedback(client, local.feedback, {
      logger: options.logger ?? silentLogger,
      ...options,
    });
    return { local, feedback };
  };

  it('two replicas record, and the report on either one counts both', async () => {
    const a = await replica();
    const b = await replica();
    await a.feedback.record(answered('faq', ['training-speed']));
    await a.feedback.record(outOfScope('how do I bake sourdough bread'));
    await b.feedback.record(answered('faq', ['training-speed']));
    await b.feedback.record(answered('recommend'));
    await b.feedback.record(outOfScope('what is the best sourdough bread recipe', 2));
    await b.feedback.record({
      feedback: {
        at: 3,
        conversationId: 'slack:C1:1.2',
        userId: 'slack:U1',
        entryId: 'community',
        question: 'q',
        vote: 'down',
      },
    });

    const shared = await a.feedback.read();
    expect(shared).toEqual(await b.feedback.read());
    expect(shared.stats.byIntent).toEqual({
      faq: { total: 2, answered: 2 },
      recommend: { total: 1, answered: 1 },
      unknown: { total: 2, answered: 0 },
    });
    expect(shared.stats.topics).toEqual({ 'training-speed': 2 });
    expect(shared.unanswered.map((u) => u.question)).toEqual([
      'how do I bake sourdough bread',
      'what is the best sourdough bread recipe',
    ]);
    expect(shared.feedback).toHaveLength(1);
    // Each replica's own file still holds its own records (what it reports while Redis is down).
    expect(a.local.data.stats.byIntent.faq).toEqual({ total: 1, answered: 1 });
    expect(b.local.data.unanswered).toHaveLength(1);

    const report = await adminReport({
      store: a.local,
      feedback: a.feedback,
      embedder: new FakeEmbedder(),
      knowledge,
    })();
    expect(report).toMatch(/\*\*Unanswered or 👎 \(2 messages/);
    expect(report).toMatch(/how do I bake sourdough bread/);
    expect(report).toMatch(/what is the best sourdough bread recipe/);
    expect(report).toMatch(/- faq: 2\/2 answered \(100%\)/);
    expect(report).toMatch(/- unknown: 0\/2 answered \(0%\)/);
    expect(report).toMatch(/Training speed \(`training-speed`\): 2/);
  });

  it('keeps the newest records within the caps, and stores nothing token-shaped', async () => {
    const a = await replica({ caps: { feedback: 2, unanswered: 3 } });
    for (let i = 1; i <= 5; i++) await a.feedback.record(outOfScope(`question ${i}`, i));
    for (let i = 1; i <= 4; i++)
      await a.feedback.record({
        feedback: {
          at: i,
          conversationId: 'discord:1:2',
          userId: 'discord:3',
          entryId: 'community',
          question: `vote ${i} with my token xoxb-1234567890-abcdefghij`,
          vote: 'up',
        },
      });
    await a.feedback.record({
      unanswered: {
        at: 9,
        conversation: 'c',
        question: `key ${'a1'.repeat(20)} and ${'long '.repeat(100)}`,
        previous: 'my app token is xapp-1-A0123-456789-abcdef',
        reason: 'ambiguous',
      },
    });
    const state = await a.feedback.read();
    expect(state.unanswered.map((u) => u.question.slice(0, 10))).toEqual([
      'question 4',
      'question 5',
      'key [redac',
    ]);
    expect(state.feedback.map((f) => f.at)).toEqual([3, 4]);
    const admin = new Admin(redis.url);
    const raw = JSON.stringify(
      await Promise.all([
        admin.lrange('tensorduel:report:feedback', 0, -1),
        admin.lrange('tensorduel:report:unanswered', 0, -1),
      ]),
    );
    admin.disconnect();
    expect(raw).not.toMatch(/xoxb-|xapp-|a1a1a1a1/);
    expect(raw).toContain('[redacted]');
    expect(Math.max(...state.unanswered.map((u) => u.question.length))).toBeLessThanOrEqual(300);
  });

  it('never fails a record while Redis is down: kept on the replica, which reports its own until Redis is back', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (msg) => void warnings.push(msg) };
    const a = await replica({ logger });
    const b = await replica();
    await b.feedback.record(answered('faq', ['community']));
    await redis.kill();
    await a.feedback.record(outOfScope('asked during the outage'));
    await a.feedback.record(answered('help'));
    // The report while Redis is down: this replica's own records.
    const own = await a.feedback.read();
    expect(own.unanswered.map((u) => u.question)).toEqual(['asked during the outage']);
    expect(own.stats.byIntent).toEqual({
      unknown: { total: 1, answered: 0 },
      help: { total: 1, answered: 1 },
    });
    expect(warnings).toEqual(['could not share an admin report record; kept on this replica only']); // once

    await redis.start(); // empty: nothing was persisted
    await eventually(() => clients.every((c) => c.status === 'ready'), 'the clients reconnected');
    await a.feedback.record(answered('faq', ['training-speed']));
    const shared = await b.feedback.read();
    expect(shared.stats.byIntent).toEqual({ faq: { total: 1, answered: 1 } });
  });
});
