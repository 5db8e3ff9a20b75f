/** The ops endpoint of a bot replica: /healthz and Prometheus /metrics, over HTTP, with a real Redis queue. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotOps } from '../../src/app/health.ts';
import { silentLogger, systemClock } from '../../src/core/ports.ts';
import { BullBenchQueue } from '../../src/infra/queue/BullBenchQueue.ts';
import { BOOM, ScriptedAdvisor } from '../adapters/scripted-advisor.ts';
import { eventually } from '../helpers/eventually.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { POLICY, requester, TARGET } from '../helpers/scale.ts';

/** The value of the sample of `name` whose labels include `labels` (Prometheus text format), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (m?.[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (have.role === 'bot' && Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('bot ops endpoint', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('is off unless TENSORDUEL_METRICS_PORT is set', async () => {
    const ops = await startBotOps(
      { TENSORDUEL_METRICS_HOST: '127.0.0.1' },
      new ScriptedAdvisor(),
      silentLogger,
      undefined,
    );
    expect(ops).toBeUndefined();
  });

  it('counts answers by intent and outcome, times them, and reports queue depth and Redis state', async () => {
    const queue = new BullBenchQueue({
      url: redis.url,
      policy: POLICY,
      clock: systemClock,
      logger: silentLogger,
    });
    await queue.start();
    const ops = await startBotOps(
      { TENSORDUEL_METRICS_PORT: 0, TENSORDUEL_METRICS_HOST: '127.0.0.1' },
      new ScriptedAdvisor(),
      silentLogger,
      queue,
    );
    if (!ops) throw new Error('ops not started');
    const base = `http://127.0.0.1:${ops.port}`;
    try {
      const msg = (text: string) => ({ conversationId: 'slack:C1:1', userId: 'slack:U1', text });
      await ops.advisor.handle(msg('hello'));
      await ops.advisor.handle(msg('ambiguous'));
      await expect(ops.advisor.handle(msg(BOOM))).rejects.toThrow();
      expect((await queue.submit(requester, {}, TARGET)).ok).toBe(true);

      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', checks: { redis: 'up' } });
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(sample(text, 'tensorduel_answers_total', { intent: 'faq', outcome: 'answer' })).toBe(1);
      expect(sample(text, 'tensorduel_answers_total', { intent: 'unknown', outcome: 'answer' })).toBe(1);
      expect(sample(text, 'tensorduel_answers_total', { intent: 'unknown', outcome: 'error' })).toBe(1);
      expect(sample(text, 'tensorduel_answer_seconds_count', { intent: 'faq' })).toBe(1);
      expect(sample(text, 'tensorduel_bench_queue_jobs', { queue: 'cpu', state: 'waiting' })).toBe(1);
      expect(sample(text, 'tensorduel_bench_workers', { queue: 'cpu' })).toBe(0);
      expect(sample(text, 'tensorduel_redis_up', { client: 'bot' })).toBe(1);

      // Redis down: the replica is still healthy (it answers questions) and says Redis is down.
      await redis.kill();
      await eventually(async () => {
        const h = (await (await fetch(`${base}/healthz`)).json()) as { checks: { redis: string } };
        return h.checks.redis === 'down';
      }, 'healthz saying redis down');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(
        sample(await (await fetch(`${base}/metrics`)).text(), 'tensorduel_redis_up', { client: 'bot' }),
      ).toBe(0);
      // It reconnects by itself.
      await redis.start();
      await eventually(
        async () =>
          sample(await (await fetch(`${base}/metrics`)).text(), 'tensorduel_redis_up', { client: 'bot' }) ===
          1,
        'redis_up back to 1',
      );
    } finally {
      await ops.stop();
      await queue.stop();
    }
  });
});
