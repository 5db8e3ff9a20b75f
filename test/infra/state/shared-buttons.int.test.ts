/** The button store (Slack's and Discord's) over the shared RedisActionStore: two replicas (two clients) on a real Redis. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ButtonAction, ButtonStore } from '../../../src/adapters/shared/ButtonStore.ts';
import { silentLogger } from '../../../src/core/ports.ts';
import { closeRedis, connectRedis } from '../../../src/infra/redis/connection.ts';
import { RedisActionStore } from '../../../src/infra/state/action-store.ts';
import { eventually } from '../../helpers/eventually.ts';
import { startRedis, type TestRedis } from '../../helpers/redis.ts';

const choice = (value: string): ButtonAction => ({
  kind: 'choice',
  conversationId: 'discord:1:2',
  value,
  ephemeral: false,
});

describe('button actions shared by replicas', () => {
  let redis: TestRedis;
  let clients: [Redis, Redis];
  const dir = mkdtempSync(join(tmpdir(), 'td-buttons-'));
  beforeAll(async () => {
    redis = await startRedis();
    clients = [connectRedis(redis.url, 'bot', silentLogger), connectRedis(redis.url, 'bot', silentLogger)];
    await eventually(() => clients.every((c) => c.status === 'ready'), 'clients ready');
  });
  afterAll(async () => {
    for (const c of clients ?? []) await closeRedis(c);
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds on replica B a button replica A drew, once A has flushed it; an unknown key is undefined', async () => {
    const a = new ButtonStore({ file: join(dir, 'a.json'), shared: new RedisActionStore(clients[0]) });
    const b = new ButtonStore({ file: join(dir, 'b.json'), shared: new RedisActionStore(clients[1]) });
    const key = a.encode(choice('what about pytorch?'));
    await a.flush();
    expect(b.decode(key)).toBeUndefined(); // not in B's own memory…
    expect(await b.lookup(key)).toEqual(choice('what about pytorch?')); // …but shared
    expect(await b.lookup('zzzzzzzz0')).toBeUndefined();
  });

  it("keeps this replica's buttons working while Redis is down, without waiting for it", async () => {
    const a = new ButtonStore({ shared: new RedisActionStore(clients[0]) });
    const b = new ButtonStore({ shared: new RedisActionStore(clients[1]) });
    await redis.kill();
    const key = a.encode(choice('why?'));
    await a.flush(); // the failed put does not hang or throw
    expect(await a.lookup(key)).toEqual(choice('why?'));
    expect(await b.lookup(key)).toBeUndefined();
    await redis.start();
    await eventually(() => clients.every((c) => c.status === 'ready'), 'clients reconnected');
    const later = a.encode(choice('later'));
    await a.flush();
    expect(await b.lookup(later)).toEqual(choice('later'));
  });
});
