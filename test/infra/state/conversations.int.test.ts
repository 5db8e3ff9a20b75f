/** Conversation memory shared by two replicas (two clients) on a real Redis: no lost update, TTL, outage. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    // Fails fast (no offline queue): the turn during the outage is remembered locally.
    await memA.update('c', (c) => ({ ...c, updatedAt: 2, topics: [...(c?.topics ?? []), 'during'] }));
    expect((await memA.get('c'))?.topics).toEqual(['during']);
    await redis.start(); // empty: nothing was saved
    await eventually(() => a.status === 'ready' && b.status === 'ready', 'clients reconnected');
    // The next change starts from the newer, local copy and is shared again.
    await memA.update('c', (c) => ({ ...c, updatedAt: 3, topics: [...(c?.topics ?? []), 'after'] }));
    expect((await memB.get('c'))?.topics).toEqual(['during', 'after']);
    for (const c of [a, b]) await closeRedis(c);
  });
});
