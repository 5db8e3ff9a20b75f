/**
 * The distributed benchmark queue on a real Redis (redis-server started here) and real BullMQ: two bot replicas
 * and two in-process workers, with an executor double standing in for the benchmark engine (the e2e test runs the
 * real runners in worker processes).
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResultDoc } from '../../../src/core/bench/result.ts';
import type { BenchProgress, BenchRequest } from '../../../src/core/bench/run.ts';
import type { BenchExecutor, BenchPolicy } from '../../../src/core/jobs/BenchQueue.ts';
import type { BenchRun } from '../../../src/core/jobs/bench-run.ts';
import { silentLogger, systemClock } from '../../../src/core/ports.ts';
import { BenchWorker } from '../../../src/infra/queue/BenchWorker.ts';
import { BullBenchQueue } from '../../../src/infra/queue/BullBenchQueue.ts';
import { eventually } from '../../helpers/eventually.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { startRedis, type TestRedis } from '../../helpers/redis.ts';

/** Runs finish when released (or at once when `auto`), after one progress event; an abort ends them early. */
class GatedExecutor implements BenchExecutor {
  executed: string[] = [];
  aborted: string[] = [];
  auto = true;
  #gates = new Map<string, () => void>();
  async execute(
    request: BenchRequest,
    hooks: { signal: AbortSignal; onProgress: (e: BenchProgress) => void },
  ): Promise<BenchResultDoc> {
    const tag = request.workloads?.[0] ?? '?';
    this.executed.push(tag);
    hooks.onProgress({
      kind: 'job-start',
      message: `${tag} · tfjs`,
      jobIndex: 0,
      jobCount: 1,
    } as BenchProgress);
    if (!this.auto)
      await new Promise<void>((resolve) => {
        this.#gates.set(tag, resolve);
        hooks.signal.addEventListener('abort', () => {
          this.aborted.push(tag);
          resolve();
        });
      });
    return {
      id: `res-${tag}`,
      completed: !hooks.signal.aborted,
      rows: [{ status: 'ok', label: 'tfjs' }],
    } as unknown as BenchResultDoc;
  }
  release(tag: string): void {
    this.#gates.get(tag)?.();
  }
}

/** What an adapter would do: create the status message on the first call, edit it after; post results. */
class RecordingChat {
  created: string[] = [];
  edits: Array<{ run: string; text: string }> = [];
  results: Array<{ run: string; doc: string; by: string }> = [];
  notifier(replica: string) {
    return {
      status: async (run: BenchRun, text: string) => {
        if (!run.target.data.ts) {
          run.target.data.ts = `msg-${run.id}`;
          this.created.push(run.id);
        } else this.edits.push({ run: run.id, text });
      },
      result: async (run: BenchRun, doc: BenchResultDoc) => {
        this.results.push({ run: run.id, doc: doc.id, by: replica });
      },
    };
  }
  lastText(run: string): string {
    return this.edits.filter((e) => e.run === run).at(-1)?.text ?? '';
  }
}

const policy: BenchPolicy = {
  admins: ['slack:UADMIN'],
  users: ['slack:UALLOWED'],
  roles: [],
  channels: [],
  ratePerHour: 2,
  maxRunS: 600,
};
const who = (userId: string) => ({ userId, roles: [], channelId: 'slack:C1' });
const target = { platform: 'test', data: {} };
const STALL = { lockMs: 5_000, stalledIntervalMs: 2_000 };

describe('BullBenchQueue with BenchWorker on a real Redis', () => {
  let redis: TestRedis;
  const open: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.stop();
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
  });

  const bots = async (chat: RecordingChat, n = 2, listenRetryMs?: number) => {
    const out: BullBenchQueue[] = [];
    for (let i = 0; i < n; i++) {
      const q = new BullBenchQueue({
        url: redis.url,
        policy,
        clock: systemClock,
        logger: silentLogger,
        ...(listenRetryMs !== undefined ? { listenRetryMs } : {}),
      });
      q.attach('test', chat.notifier(`bot${i + 1}`));
      await q.start();
      open.push(q);
      out.push(q);
    }
    return out;
  };
  const workers = async (executor: BenchExecutor, n = 2, progressClock?: ManualClock) => {
    const out: BenchWorker[] = [];
    for (let i = 0; i < n; i++) {
      const w = new BenchWorker({
        url: redis.url,
        label: 'cpu',
        host: `w${i + 1}`,
        executor,
        clock: systemClock,
        logger: silentLogger,
        stall: STALL,
        progressClock,
      });
      await w.start();
      open.push(w);
      out.push(w);
    }
    return out;
  };

  it('runs every job once across two workers, with one status message and one result post per run', async () => {
    const chat = new RecordingChat();
    const executor = new GatedExecutor();
    const [a, b] = (await bots(chat)) as [BullBenchQueue, BullBenchQueue];
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const answer = await (i % 2 ? b : a).submit(who('slack:UADMIN'), { workloads: [`t${i}`] }, target);
      expect(answer.ok).toBe(true);
      if (answer.ok) ids.push(answer.value.run.id);
    }
    expect(new Set(ids).size).toBe(12);
    await workers(executor);
    await eventually(() => chat.results.length >= 12, '12 results');
    await a.whenIdle();
    expect([...executor.executed].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`).sort());
    expect([...chat.created].sort()).toEqual([...ids].sort());
    expect(chat.results.map((r) => r.run).sort()).toEqual([...ids].sort());
    const runs = await a.runs.recent();
    expect(runs.every((r) => r.status === 'done' && (r.host === 'w1' || r.host === 'w2'))).toBe(true);
    for (const id of ids) expect(chat.lastText(id)).toMatch(/Finished .* on w[12]/);
    // Either replica finds any result.
    const found = await b.result(ids[0]);
    expect(found.ok && found.value.id).toBe('res-t0');
  });

  it('throttles progress at the worker (injected clock): two replicas edit the latest of each interval, none after the final state', async () => {
    const chat = new RecordingChat();
    const clock = new ManualClock();
    const running = () =>
      chat.edits.filter((e) => e.run === 'b1' && /Running/.test(e.text)).map((e) => e.text);
    const event = (kind: BenchProgress['kind'], message: string) =>
      ({ kind, message, jobIndex: 0, jobCount: 2 }) as BenchProgress;
    const executor: BenchExecutor = {
      async execute(_request, hooks) {
        // 'started' went out at 0: what comes before 3000 is coalesced into the latest, published at 3000.
        hooks.onProgress(event('job-start', 'mlp · tfjs'));
        clock.advance(1000);
        hooks.onProgress(event('job-progress', 'mlp · tfjs · train 1/3'));
        clock.advance(2000);
        await eventually(() => running().some((t) => t.includes('train 1/3')), 'the coalesced progress edit');
        hooks.onProgress(event('job-done', 'mlp · tfjs')); // pending when the run ends: dropped
        return {
          id: 'res-p',
          completed: true,
          rows: [{ status: 'ok', label: 'tfjs' }],
        } as unknown as BenchResultDoc;
      },
    };
    const [a, b] = (await bots(chat)) as [BullBenchQueue, BullBenchQueue];
    await workers(executor, 1, clock);
    expect((await b.submit(who('slack:UADMIN'), { workloads: ['mlp'] }, target)).ok).toBe(true);
    await eventually(() => chat.results.length === 1, 'the result');
    await a.whenIdle();
    clock.advance(60_000);
    // Two replicas edit, so in either order.
    expect(running()).toHaveLength(2);
    expect(running()).toEqual(
      expect.arrayContaining([
        expect.stringContaining(': starting'),
        expect.stringContaining('mlp · tfjs · train 1/3 (1 of 2)'),
      ]),
    );
    expect(chat.lastText('b1')).toMatch(/Finished .* on w1/);
    expect(clock.pending).toBe(0);
  });

  it('cancels a run from the other replica: the cancel reaches the worker that runs it', async () => {
    const chat = new RecordingChat();
    const executor = new GatedExecutor();
    executor.auto = false;
    const [a, b] = (await bots(chat)) as [BullBenchQueue, BullBenchQueue];
    await workers(executor, 1);
    const first = await a.submit(who('slack:UALLOWED'), { workloads: ['long'] }, target);
    const second = await a.submit(who('slack:UALLOWED'), { workloads: ['next'] }, target);
    expect(first.ok && second.ok).toBe(true);
    await eventually(() => executor.executed.includes('long'), 'the long run started');
    // Someone else may not; the requester may, from any replica.
    expect((await b.cancel('b1', who('slack:USOMEONE'))).message).toMatch(/Only the requester or an admin/);
    // The queued one is cancelled at once, without ever running.
    const queued = await b.cancel('b2', who('slack:UALLOWED'));
    expect(queued.ok && queued.value.status).toBe('cancelled');
    const running = await b.cancel('b1', who('slack:UALLOWED'));
    expect(running.message).toMatch(/Cancelling benchmark `b1`/);
    await eventually(() => executor.aborted.includes('long'), 'the long run aborted');
    await a.whenIdle();
    expect((await a.runs.get('b1'))?.status).toBe('cancelled');
    expect((await a.runs.get('b1'))?.cancelledBy).toBe('slack:UALLOWED');
    expect(executor.executed).toEqual(['long']);
    expect(chat.lastText('b1')).toMatch(/Cancelled/);
  });

  it('keeps the permission and rate-limit rules of the embedded queue', async () => {
    const chat = new RecordingChat();
    const [a, b] = (await bots(chat)) as [BullBenchQueue, BullBenchQueue];
    expect((await a.submit(who('slack:USOMEONE'), {}, target)).message).toMatch(/not allowed/);
    expect((await a.submit(who('slack:UALLOWED'), {}, target)).ok).toBe(true);
    expect((await b.submit(who('slack:UALLOWED'), {}, target)).ok).toBe(true);
    // The limit counts runs made through every replica.
    expect((await a.submit(who('slack:UALLOWED'), {}, target)).message).toMatch(/Rate limit/);
    expect((await a.submit(who('slack:UADMIN'), {}, target)).ok).toBe(true);
  });

  it('starts while Redis is down (questions need no Redis), then serves benchmarks once Redis is up', async () => {
    await redis.kill();
    const chat = new RecordingChat();
    const executor = new GatedExecutor();
    const [a] = (await bots(chat, 1)) as [BullBenchQueue];
    expect((await a.submit(who('slack:UADMIN'), { workloads: ['early'] }, target)).message).toMatch(
      /unavailable/,
    );
    await redis.start();
    await workers(executor, 1);
    await eventually(
      async () => (await a.submit(who('slack:UADMIN'), { workloads: ['late'] }, target)).ok,
      'a submit once Redis is up',
    );
    // Its queue events connected by themselves: the result is posted.
    await eventually(() => chat.results.length === 1, 'the result post');
    expect(executor.executed).toEqual(['late']);
  });

  it('tries again to listen to its queue events when a try failed while the connection stayed up', async () => {
    // The cpu queue's events key holds a string: the bot's read of the stream's end fails (WRONGTYPE), with Redis up.
    const admin = new Redis(redis.url);
    await admin.set('tensorduel:bench-cpu:events', 'not a stream');
    const chat = new RecordingChat();
    const executor = new GatedExecutor();
    const [a] = (await bots(chat, 1, 50)) as [BullBenchQueue];
    // Its events clients exist from the start (metrics see them), listening or not.
    expect(a.redisClients().map(([name]) => name)).toEqual(
      expect.arrayContaining(['bot', 'queue-events:cpu', 'queue-events:cuda']),
    );
    await admin.del('tensorduel:bench-cpu:events');
    admin.disconnect();
    await workers(executor, 1);
    expect((await a.submit(who('slack:UADMIN'), { workloads: ['after-retry'] }, target)).ok).toBe(true);
    // Heard only by QueueEvents opened on a later try: no 'ready' came in between.
    await eventually(() => chat.results.length === 1, 'the result post');
    expect(executor.executed).toEqual(['after-retry']);
  });

  it('answers "unavailable" without hanging while Redis is down, and works again once it is back', async () => {
    const chat = new RecordingChat();
    const [a] = (await bots(chat, 1)) as [BullBenchQueue];
    expect((await a.submit(who('slack:UADMIN'), { workloads: ['before'] }, target)).ok).toBe(true);
    await redis.kill();
    const down = await a.submit(who('slack:UADMIN'), { workloads: ['during'] }, target);
    expect(down.ok).toBe(false);
    expect(down.message).toMatch(/unavailable/);
    expect((await a.result('last')).message).toMatch(/unavailable/);
    await redis.start();
    await eventually(
      async () => (await a.submit(who('slack:UADMIN'), { workloads: ['after'] }, target)).ok,
      'a submit after Redis came back',
    );
  });
});
