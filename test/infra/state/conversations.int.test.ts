/** Conversation memory shared by two replicas (two clients) on a real Redis: no lost update, TTL, outage. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/ports.ts';
import type { ConversationState } from '../../../src/core/state.ts';
import { closeRedis, connectRedis } from '../../../src/infra/redis/connection.ts';
import { RedisConversations } from '../../../src/infra/state/conversations.ts';
import { eventually } from '../../helpers/eventually.ts';
import { startRedis, type TestRedis } from '../../helpers/redis.ts';

const TTL = 30 * 60_000;

describe('conversation memory in Redis', () => {
  let redis: TestRedis;
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

  const replicas = async (): Promise<[Redis, Redis]> => {
    const clients: [Redis, Redis] = [
      connectRedis(redis.url, 'bot', silentLogger),
      connectRedis(redis.url, 'bot', silentLogger),
    ];
    await Promise.all(clients.map((c) => eventually(() => c.status === 'ready', 'redis client ready')));
    return clients;
  };

  it('loses no update when two replicas change one conversation at the same time', async () => {
    const clients = await replicas();
    const [a, b] = clients.map((c) => new RedisConversations(c, { ttlMs: TTL, logger: silentLogger })) as [
      RedisConversations,
      RedisConversations,
    ];
    // 60 turns, alternating replicas, all in flight at once: each appends its topic.
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? b : a).update('slack:C1:1.1', (c) => ({
          ...c,
          updatedAt: i,
          topics: [...(c?.topics ?? []), `t${i}`],
        })),
      ),
    );
    const stored = (await b.get('slack:C1:1.1')) as ConversationState;
    expect(stored.topics).toHaveLength(60);
    expect(new Set(stored.topics)).toEqual(new Set(Array.from({ length: 60 }, (_, i) => `t${i}`)));
    for (const c of clients) await closeRedis(c);
  });

  it('keeps one key per conversation that expires with the memory lifetime', async () => {
    const [client] = await replicas();
    const memory = new RedisConversations(client, { ttlMs: TTL, logger: silentLogger });
    await memory.update('discord:9:dm', () => ({ updatedAt: 1, lastIntent: 'faq' }));
    const pttl = await client.pttl('tensorduel:conversation:discord:9:dm');
    expect(pttl).toBeGreaterThan(TTL - 60_000);
    expect(pttl).toBeLessThanOrEqual(TTL);
    expect(await memory.get('discord:9:dm')).toEqual({ updatedAt: 1, lastIntent: 'faq' });
    expect(await memory.get('discord:unknown')).toBeUndefined();
    await closeRedis(client);
  });

  it("keeps a conversation going on the replica's own memory while Redis is down, and shares it again after", async () => {
    const [a, b] = await replicas();
    const memA = new RedisConversations(a, { ttlMs: TTL, logger: silentLogger });
    const memB = new RedisConversations(b, { ttlMs: TTL, logger: silentLogger });
    await memA.update('c', () => ({ updatedAt: 1, topics: ['before'] }));
    await redis.kill();
    // Fails fast (no offline queue): the turn during the outage builds on the copy this replica kept.
    await memA.update('c', (c) => ({ ...c, updatedAt: 2, topics: [...(c?.topics ?? []), 'during'] }));
    expect((await memA.get('c'))?.topics).toEqual(['before', 'during']);
    await redis.start(); // empty: nothing was saved
    await eventually(() => a.status === 'ready' && b.status === 'ready', 'clients reconnected');
    // The next change starts from the newer, local copy and is shared again: nothing of before is lost.
    await memA.update('c', (c) => ({ ...c, updatedAt: 3, topics: [...(c?.topics ?? []), 'after'] }));
    expect((await memB.get('c'))?.topics).toEqual(['before', 'during', 'after']);
    for (const c of [a, b]) await closeRedis(c);
  });

  it('keeps a profile it only read when Redis goes down before the next change', async () => {
    const [a, b] = await replicas();
    const memA = new RedisConversations(a, { ttlMs: TTL, logger: silentLogger });
    const memB = new RedisConversations(b, { ttlMs: TTL, logger: silentLogger });
    // Written by the other replica; this one only reads it.
    await memB.update('p', () => ({ updatedAt: 1, topics: ['profile'] }));
    expect((await memA.get('p'))?.topics).toEqual(['profile']);
    await redis.kill();
    await memA.update('p', (c) => ({ ...c, updatedAt: 2, topics: [...(c?.topics ?? []), 'during'] }));
    expect((await memA.get('p'))?.topics).toEqual(['profile', 'during']);
    await redis.start();
    await eventually(() => a.status === 'ready' && b.status === 'ready', 'clients reconnected');
    // Redis came back empty: the unsynced local copy is what the conversation continues from.
    expect((await memA.get('p'))?.topics).toEqual(['profile', 'during']);
    for (const c of [a, b]) await closeRedis(c);
  });

  it('computes a change from what GET returned when only the compare-and-set fails', async () => {
    const [a, b] = await replicas();
    const memA = new RedisConversations(a, { ttlMs: TTL, logger: silentLogger });
    const memB = new RedisConversations(b, { ttlMs: TTL, logger: silentLogger });
    await memB.update('q', () => ({ updatedAt: 1, topics: ['profile'] }));
    // The connection drops between the GET and the write (a fault injected into the client, once).
    const client = a as Redis & { tdConversationCas: (...args: unknown[]) => Promise<number> };
    const cas = client.tdConversationCas;
    client.tdConversationCas = () => {
      client.tdConversationCas = cas;
      return Promise.reject(new Error('Connection is closed.'));
    };
    await memA.update('q', (c) => ({ ...c, updatedAt: 2, topics: [...(c?.topics ?? []), 'lost write'] }));
    // Kept locally, unsynced and newer than Redis's: the next change starts from it and writes it through.
    expect((await memA.get('q'))?.topics).toEqual(['profile', 'lost write']);
    await memA.update('q', (c) => ({ ...c, updatedAt: 3, topics: [...(c?.topics ?? []), 'next'] }));
    expect((await memB.get('q'))?.topics).toEqual(['profile', 'lost write', 'next']);
    for (const c of [a, b]) await closeRedis(c);
  });

  it("never lets this replica's synced copy outvote a later change by another replica", async () => {
    const [a, b] = await replicas();
    const memA = new RedisConversations(a, { ttlMs: TTL, logger: silentLogger });
    const memB = new RedisConversations(b, { ttlMs: TTL, logger: silentLogger });
    // A's clock runs ahead of B's: A's copy has the larger updatedAt, but B's change came after it.
    await memA.update('r', () => ({ updatedAt: 100, topics: ['a'] }));
    await memB.update('r', (c) => ({ ...c, updatedAt: 50, topics: [...(c?.topics ?? []), 'b'] }));
    await memA.update('r', (c) => ({ ...c, updatedAt: 101, topics: [...(c?.topics ?? []), 'a2'] }));
    expect((await memB.get('r'))?.topics).toEqual(['a', 'b', 'a2']);
    for (const c of [a, b]) await closeRedis(c);
  });
});
