/**
 * Every Redis client of a bot replica is in `tensorduel_redis_up`: startPlatforms with Slack (HTTP, against the
 * fake Slack), the distributed queue and the shared replica state on one real Redis, and the advisor's client
 * (conversation memory, results, the admin report) on a second one, so that each client's own state shows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPlatforms, startPlatforms } from '../../src/app/start-platforms.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/core/ports.ts';
import { emptyState } from '../../src/core/state.ts';
import { closeRedis, connectRedis } from '../../src/infra/redis/connection.ts';
import { ScriptedAdvisor } from '../adapters/scripted-advisor.ts';
import { FakeSlack } from '../fakes/FakeSlack.ts';
import { eventually } from '../helpers/eventually.ts';
import { MemoryStore } from '../helpers/memory-store.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

/** `tensorduel_redis_up` by client, from a Prometheus text page. */
function redisUp(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^tensorduel_redis_up\{([^}]*)\} (\S+)$/gm)) {
    const client = /client="([^"]*)"/.exec(m[1] ?? '')?.[1];
    if (client) out[client] = Number(m[2]);
  }
  return out;
}

const CLIENTS = ['advisor', 'bot', 'queue-events:cpu', 'queue-events:cuda', 'replica-state'];
const all = (value: number) => Object.fromEntries(CLIENTS.map((c) => [c, value]));

describe('a bot replica reports the state of each of its Redis clients', () => {
  let shared: TestRedis;
  let memory: TestRedis;
  let slack: FakeSlack;
  const dir = mkdtempSync(join(tmpdir(), 'td-redis-clients-'));
  beforeAll(async () => {
    [shared, memory, slack] = await Promise.all([startRedis(), startRedis(), FakeSlack.start()]);
  });
  afterAll(async () => {
    await Promise.all([shared?.close(), memory?.close(), slack?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('up, then down when its own Redis stops, then up again', async () => {
    const advisorRedis = connectRedis(memory.url, 'bot', silentLogger);
    let running: RunningPlatforms | undefined;
    try {
      const config = loadConfig({
        TENSORDUEL_DB_FILE: join(dir, 'db.json'),
        SLACK_BOT_TOKEN: 'xoxb-test-token-for-metrics',
        SLACK_SIGNING_SECRET: 'test-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        SLACK_PORT: '0',
        SLACK_HOST: '127.0.0.1',
        TENSORDUEL_REDIS_URL: shared.url,
        TENSORDUEL_METRICS_PORT: '0',
        LOG_LEVEL: 'silent',
      });
      running = await startPlatforms(config, new ScriptedAdvisor(), silentLogger, {
        store: new MemoryStore(emptyState()),
        advisorRedis,
      });
      const scrape = async () =>
        redisUp(await (await fetch(`http://127.0.0.1:${running?.opsPort}/metrics`)).text());
      const states = async (want: Record<string, number>) => {
        const same = (x: Record<string, number>) => JSON.stringify(Object.entries(x).sort());
        await eventually(async () => same(await scrape()) === same(want), JSON.stringify(want));
        expect(await scrape()).toEqual(want);
      };

      await states(all(1));
      // The advisor's Redis stops: only its client reads down.
      await memory.kill();
      await states({ ...all(1), advisor: 0 });
      // The shared Redis stops too: every client reads down.
      await shared.kill();
      await states(all(0));
      await Promise.all([memory.start(), shared.start()]);
      await states(all(1));
    } finally {
      await running?.stop();
      await closeRedis(advisorRedis);
    }
  });
});
