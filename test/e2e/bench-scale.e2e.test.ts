/**
 * TensorDuel spread over processes, end to end on one machine: a real redis-server, two `tensorduel worker`
 * processes running the real TF.js runner on tiny settings, and two bot replicas (BullBenchQueue) reporting to a
 * recording chat. Covers: every job runs once with one status message and one result post; a replica that goes
 * away leaves the other reporting; Redis restarted loses nothing queued; `kill -9` on a worker mid-run is
 * reported interrupted (not re-run) while the other worker carries on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchRun } from '../../src/core/jobs/bench-run.ts';
import type { BullBenchQueue } from '../../src/infra/queue/BullBenchQueue.ts';
import { eventually } from '../helpers/eventually.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import {
  descendants,
  RecordingChat,
  requester,
  spawnWorker,
  startBot,
  startedRuns,
  stopWorker,
  TARGET,
  TINY_REQUEST,
  type WorkerProcess,
} from '../helpers/scale.ts';

const LONG = 240_000;

describe('distributed benchmarks: 2 bot replicas, 2 workers, one Redis', () => {
  let redis: TestRedis;
  let workers: WorkerProcess[] = [];
  const bots: BullBenchQueue[] = [];
  const chat = new RecordingChat();

  beforeAll(async () => {
    redis = await startRedis();
    workers = [spawnWorker(redis.url, 'wA'), spawnWorker(redis.url, 'wB')];
    bots.push(await startBot(redis.url, chat, 'bot1'), await startBot(redis.url, chat, 'bot2'));
    await Promise.all(workers.map((w) => w.ready));
  }, LONG);

  afterAll(async () => {
    for (const b of bots) await b.stop();
    for (const w of workers) {
      for (const pid of descendants(w.child.pid ?? -1)) process.kill(pid, 'SIGKILL');
      await stopWorker(w);
    }
    await redis?.close();
  }, LONG);

  const submit = async (bot: BullBenchQueue) => {
    const answer = await bot.submit(requester, TINY_REQUEST, TARGET);
    if (!answer.ok) throw new Error(answer.message);
    return answer.value.run.id;
  };
  const run = async (id: string) => (await bots.at(-1)?.runs.get(id)) as BenchRun;
  const allStarted = () => workers.flatMap(startedRuns);

  it(
    'runs 6 jobs across both workers, each once, with one status message and one result post each',
    async () => {
      const [a, b] = bots as [BullBenchQueue, BullBenchQueue];
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await submit(i % 2 ? b : a));
      // One replica goes away mid-way; the other reports everything that finishes after.
      await eventually(
        async () => (await run(ids[0] as string)).status === 'running',
        'the first run started',
        LONG,
      );
      await a.stop();
      bots.shift();
      await eventually(() => chat.results.length >= 6, 'six result posts', LONG);
      await b.whenIdle();
      for (const id of ids) {
        const r = await run(id);
        expect(r.status).toBe('done');
        expect(['wA', 'wB']).toContain(r.host);
        expect(chat.lastText(id)).toMatch(new RegExp(`Finished benchmark \`${id}\`.* on w[AB]`));
      }
      expect(chat.created.map((c) => c.run).sort()).toEqual([...ids].sort());
      expect(chat.results.map((r) => r.run).sort()).toEqual([...ids].sort());
      expect(allStarted().sort()).toEqual([...ids].sort());
      // The result documents are real runs: the TF.js row measured, its host named.
      const doc = await b.result(ids[0]);
      expect(doc.ok && doc.value.rows.some((row) => row.status === 'ok')).toBe(true);
    },
    LONG,
  );

  it(
    'loses nothing queued when Redis restarts, and both workers and the bot reconnect by themselves',
    async () => {
      const bot = bots[0] as BullBenchQueue;
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await submit(bot));
      await eventually(async () => (await run(ids[0] as string)).status !== 'queued', 'a run started', LONG);
      const before = chat.results.length;
      await redis.restart();
      await eventually(() => chat.results.length >= before + 3, 'results after the restart', LONG);
      await bot.whenIdle();
      const statuses = await Promise.all(ids.map(async (id) => (await run(id)).status));
      // A run in flight during the restart either finished or is reported interrupted; none is lost or re-run.
      expect(statuses.every((s) => s === 'done' || s === 'interrupted')).toBe(true);
      expect(statuses.filter((s) => s === 'done').length).toBeGreaterThanOrEqual(3);
      for (const id of ids) expect(allStarted().filter((x) => x === id)).toHaveLength(1);
      expect(
        chat.results
          .filter((r) => ids.includes(r.run))
          .map((r) => r.run)
          .sort(),
      ).toEqual(ids.filter((_, i) => statuses[i] === 'done').sort());
    },
    LONG,
  );

  it(
    'reports a run interrupted when its worker is killed with SIGKILL, and the other worker keeps serving',
    async () => {
      const bot = bots[0] as BullBenchQueue;
      const hanging = await startBot(redis.url, chat, 'bot3', {
        faults: { tfjs: 'hang', 'tf-python': 'crash' },
      });
      bots.push(hanging);
      const stuck = await submit(hanging);
      const host = await eventually(async () => (await run(stuck)).host, 'the hanging run started', LONG);
      const victim = workers.find((w) => w.name === host) as WorkerProcess;
      const survivor = workers.find((w) => w !== victim) as WorkerProcess;
      const others = [await submit(bot), await submit(bot)];
      const orphans = descendants(victim.child.pid ?? -1);
      victim.child.kill('SIGKILL');
      await victim.exited;
      // A worker killed by systemd would take its runners with its cgroup; here they are cleaned up by hand.
      for (const pid of orphans) process.kill(pid, 'SIGKILL');
      const interrupted = await eventually(
        async () => {
          const r = await run(stuck);
          return r.status === 'interrupted' ? r : undefined;
        },
        'the killed run reported interrupted',
        LONG,
      );
      expect(interrupted.reason).toMatch(new RegExp(`its worker \\(${host}\\) stopped responding`));
      await eventually(
        () => /was interrupted: its worker/.test(chat.lastText(stuck)),
        'the interrupted status message',
        LONG,
      );
      await bot.whenIdle();
      for (const id of others) {
        const r = await run(id);
        expect(r.status).toBe('done');
        expect(r.host).toBe(survivor.name);
      }
      // Not re-run: the killed run started once, on the killed worker only.
      expect(allStarted().filter((x) => x === stuck)).toHaveLength(1);
      expect(chat.results.some((r) => r.run === stuck)).toBe(false);
    },
    LONG,
  );
});
