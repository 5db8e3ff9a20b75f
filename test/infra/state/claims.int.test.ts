/** Shared bot state on a real Redis: two replicas (two clients) de-duplicating events and sharing button state. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/ports.ts';
import { closeRedis, connectRedis } from '../../../src/infra/redis/connection.ts';
import { FileActionStore, RedisActionStore } from '../../../src/infra/state/action-store.ts';
import { MemoryEventClaims, RedisEventClaims } from '../../../src/infra/state/claims.ts';
import { eventually } from '../../helpers/eventually.ts';
import { startRedis, type TestRedis } from '../../helpers/redis.ts';

describe('shared replica state in Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  const replicas = async () => {
    const clients = [
      connectRedis(redis.url, 'bot', silentLogger),
      connectRedis(redis.url, 'bot', silentLogger),
    ];
    await Promise.all(clients.map((c) => eventually(() => c.status === 'ready', 'redis client ready')));
    return clients;
  };

  it('answers each of 200 events exactly once across 2 replicas, with duplicates re-sent to both', async () => {
    const clients = await replicas();
    const claims = clients.map((c) => new RedisEventClaims(c, silentLogger));
    const answered = new Map<string, number>();
    // Every event arrives twice or three times (Slack retries, several Socket Mode connections), to either replica.
    const deliveries: Array<{ id: string; replica: number }> = [];
    for (let i = 0; i < 200; i++) {
      const copies = 2 + (i % 2);
      for (let c = 0; c < copies; c++) deliveries.push({ id: `slack:Ev${i}`, replica: (i + c) % 2 });
    }
    await Promise.all(
      deliveries.map(async ({ id, replica }) => {
        if (await claims[replica]?.claim(id, 60_000)) answered.set(id, (answered.get(id) ?? 0) + 1);
      }),
    );
    expect(answered.size).toBe(200);
    expect([...answered.values()].every((n) => n === 1)).toBe(true);
    for (const c of clients) await closeRedis(c);
  });

  it("falls back to the replica's own memory while Redis is down, and shares again once it is back", async () => {
    const clients = (await replicas()) as [Redis, Redis];
    const claims = new RedisEventClaims(clients[0], silentLogger);
    await redis.kill();
    expect(await claims.claim('discord:m1', 60_000)).toBe(true);
    expect(await claims.claim('discord:m1', 60_000)).toBe(false);
    await redis.start();
    await eventually(() => clients.every((c) => c.status === 'ready'), 'clients reconnected');
    const other = new RedisEventClaims(clients[1], silentLogger);
    expect(await claims.claim('discord:m2', 60_000)).toBe(true);
    expect(await other.claim('discord:m2', 60_000)).toBe(false);
    for (const c of clients) await closeRedis(c);
  });

  it('leases an event while it is answered: released on failure (the retry is answered), kept after the answer', async () => {
    const clients = (await replicas()) as [Redis, Redis];
    const [a, b] = clients.map((c) => new RedisEventClaims(c, silentLogger)) as [
      RedisEventClaims,
      RedisEventClaims,
    ];
    const key = 'slack:event:EvLease';
    const redisKey = `tensorduel:event:${key}`;
    const first = await a.lease(key, 60_000);
    expect(first).toBeDefined();
    // While A answers, a retry on either replica is dropped; the lease is short.
    expect(await b.lease(key, 60_000)).toBeUndefined();
    expect(await b.claim(key, 7_200_000)).toBe(false);
    expect(await clients[0].pttl(redisKey)).toBeLessThanOrEqual(60_000);
    // A failed to answer: it releases, and Slack's retry, on B, is answered.
    await first?.release();
    const retry = await b.lease(key, 60_000);
    expect(retry).toBeDefined();
    await retry?.keep(7_200_000);
    expect(await clients[1].pttl(redisKey)).toBeGreaterThan(60_000);
    expect(await a.lease(key, 60_000)).toBeUndefined();
    // A releasing late (its lease long gone) never frees B's claim.
    await first?.release();
    expect(await a.lease(key, 60_000)).toBeUndefined();
    for (const c of clients) await closeRedis(c);
  });

  it("never lets a holder whose lease ran out release or keep the next holder's claim", async () => {
    const clients = (await replicas()) as [Redis, Redis];
    const [a, b] = clients.map((c) => new RedisEventClaims(c, silentLogger)) as [
      RedisEventClaims,
      RedisEventClaims,
    ];
    const key = 'discord:message:m9';
    const redisKey = `tensorduel:event:${key}`;
    const stale = await a.lease(key, 60_000);
    await clients[0].del(redisKey); // as if A's lease expired (A crashed or stalled mid-answer)
    const fresh = await b.lease(key, 60_000);
    expect(fresh).toBeDefined();
    await stale?.release();
    await stale?.keep(7_200_000);
    expect(await clients[1].pttl(redisKey)).toBeLessThanOrEqual(60_000); // B's lease, untouched
    expect(await b.claim(key, 60_000)).toBe(false);
    for (const c of clients) await closeRedis(c);
  });

  it("leases in this process's memory: a crashed answer's lease runs out, a kept one lasts (injected clock)", async () => {
    let now = 0;
    const claims = new MemoryEventClaims({ now: () => now });
    const lease = await claims.lease('slack:event:Ev1', 60_000);
    expect(lease).toBeDefined();
    expect(await claims.lease('slack:event:Ev1', 60_000)).toBeUndefined();
    now += 60_001; // the holder never settled it
    const retry = await claims.lease('slack:event:Ev1', 60_000);
    expect(retry).toBeDefined();
    await retry?.keep(7_200_000);
    now += 3_600_000;
    expect(await claims.claim('slack:event:Ev1', 60_000)).toBe(false);
    const other = await claims.lease('slack:event:Ev2', 60_000);
    await other?.release();
    expect(await claims.claim('slack:event:Ev2', 60_000)).toBe(true);
  });

  it('lets a click on any replica find the button action another replica stored', async () => {
    const [a, b] = (await replicas()) as [Redis, Redis];
    const storeA = new RedisActionStore<{ value: string }>(a);
    const storeB = new RedisActionStore<{ value: string }>(b);
    const key = await storeA.add({ value: 'pytorch' });
    expect(await storeB.get(key)).toEqual({ value: 'pytorch' });
    expect(await storeB.get('unknown')).toBeUndefined();
    // With Redis down, a store with a fallback (the file store a replica has anyway) keeps its buttons working.
    const dir = mkdtempSync(join(tmpdir(), 'td-actions-'));
    const local = new RedisActionStore<{ value: string }>(a, {
      fallback: new FileActionStore({ file: join(dir, 'actions.json'), logger: silentLogger }),
    });
    await redis.kill();
    const k = await local.add({ value: 'tf' });
    expect(await local.get(k)).toEqual({ value: 'tf' });
    await redis.start();
    for (const c of [a, b]) await closeRedis(c);
    rmSync(dir, { recursive: true, force: true });
  });
});
