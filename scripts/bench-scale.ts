/**
 * `npm run bench:scale [-- --jobs 20 --serial 8]`: TensorDuel spread over processes on this machine (a real
 * redis-server on 127.0.0.1, 2 `tensorduel worker` processes running the real TF.js runner on tiny settings, 2 bot
 * replicas), and what the distribution costs:
 * - enqueue → worker-start latency p50/p99, with idle workers (`--serial` jobs one after another);
 * - queue overhead per job (enqueue → start, plus runner end → result posted) against the runner's own time;
 * - exactly-once counts for `--jobs` jobs submitted at once through both replicas (runs started, status
 *   messages, result posts), and for 200 chat events re-sent 2-3 times across the replicas' claims;
 * - recovery time after `kill -9` of a worker mid-run (kill → the run reported interrupted), with the lock and
 *   stalled-check settings used (4 s + 2 s here; 30 s + 30 s by default).
 * Exits 1 if an exactly-once check fails. Traffic goes to 127.0.0.1 only.
 */
import { quantile } from '../src/core/bench/stats.ts';
import { silentLogger } from '../src/core/ports.ts';
import { closeRedis, connectRedis } from '../src/infra/redis/connection.ts';
import { RedisEventClaims } from '../src/infra/state/claims.ts';
import { eventually } from '../test/helpers/eventually.ts';
import { startRedis } from '../test/helpers/redis.ts';
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
} from '../test/helpers/scale.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1] ?? fallback) : fallback;
};
const JOBS = arg('jobs', 20);
const SERIAL = arg('serial', 8);
const LONG = 600_000;
const ms = (v: number) => `${Math.round(v)} ms`;
const pct = (values: number[], p: number) =>
  quantile(
    [...values].sort((a, b) => a - b),
    p / 100,
  );

const redis = await startRedis();
const workers = [spawnWorker(redis.url, 'wA'), spawnWorker(redis.url, 'wB')];
const chat = new RecordingChat();
const bots = [await startBot(redis.url, chat, 'bot1'), await startBot(redis.url, chat, 'bot2')];
let failed = false;
const check = (ok: boolean, line: string) => {
  if (!ok) failed = true;
  console.log(`${ok ? '✓' : '✗'} ${line}`);
};

try {
  await Promise.all(workers.map((w) => w.ready));
  const reader = bots[0];
  if (!reader) throw new Error('no bot');
  const submit = async (i: number) => {
    const at = Date.now();
    const answer = await (bots[i % 2] ?? reader).submit(requester, TINY_REQUEST, TARGET);
    if (!answer.ok) throw new Error(answer.message);
    return { id: answer.value.run.id, at };
  };

  // 1. Idle workers, one job at a time: pickup latency and overhead.
  const pickup: number[] = [];
  const overhead: number[] = [];
  const runner: number[] = [];
  for (let i = 0; i < SERIAL; i++) {
    const { id, at } = await submit(i);
    const posted = await eventually(() => chat.results.find((r) => r.run === id), `result of ${id}`, LONG);
    const run = await reader.runs.get(id);
    if (!run?.startedAt || !run.finishedAt) throw new Error(`${id} has no times`);
    pickup.push(run.startedAt - at);
    runner.push(run.finishedAt - run.startedAt);
    overhead.push(run.startedAt - at + (posted.at - run.finishedAt));
  }
  console.log(`serial: ${SERIAL} jobs, one at a time, 2 idle workers`);
  console.log(`  enqueue → worker start   p50 ${ms(pct(pickup, 50))} · p99 ${ms(pct(pickup, 99))}`);
  console.log(
    `  queue overhead per job   p50 ${ms(pct(overhead, 50))} · p99 ${ms(pct(overhead, 99))} (enqueue → start + runner end → result posted)`,
  );
  console.log(
    `  runner time per job      p50 ${ms(pct(runner, 50))} · p99 ${ms(pct(runner, 99))} → overhead ${((100 * pct(overhead, 50)) / pct(runner, 50)).toFixed(1)}% of runner time (p50)`,
  );

  // 2. A burst through both replicas: each job once.
  const before = { created: chat.created.length, results: chat.results.length };
  const t0 = Date.now();
  const burst = await Promise.all(Array.from({ length: JOBS }, (_, i) => submit(i)));
  const ids = burst.map((b) => b.id);
  await eventually(() => chat.results.length - before.results >= JOBS, 'burst results', LONG);
  await reader.whenIdle();
  const wall = Date.now() - t0;
  const started = workers.flatMap(startedRuns).filter((id) => ids.includes(id));
  const created = chat.created.slice(before.created).map((c) => c.run);
  const posted = chat.results.slice(before.results).map((r) => r.run);
  const perWorker = workers.map((w) => `${w.name} ${startedRuns(w).filter((id) => ids.includes(id)).length}`);
  console.log(
    `burst: ${JOBS} jobs at once through 2 replicas, 2 workers (${perWorker.join(', ')}), ${ms(wall)} wall`,
  );
  check(
    new Set(started).size === JOBS && started.length === JOBS,
    `runs started: ${started.length} (${new Set(started).size} distinct) of ${JOBS}`,
  );
  check(
    new Set(created).size === JOBS && created.length === JOBS,
    `status messages created: ${created.length} of ${JOBS}`,
  );
  check(new Set(posted).size === JOBS && posted.length === JOBS, `result posts: ${posted.length} of ${JOBS}`);

  // 3. Chat events across replicas: 200 events, each delivered 2-3 times to either replica.
  const clients = [
    connectRedis(redis.url, 'bot', silentLogger),
    connectRedis(redis.url, 'bot', silentLogger),
  ];
  await eventually(() => clients.every((c) => c.status === 'ready'), 'claim clients');
  const claims = clients.map((c) => new RedisEventClaims(c, silentLogger));
  const answered = new Map<string, number>();
  let deliveries = 0;
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      Promise.all(
        Array.from({ length: 2 + (i % 2) }, async (_, c) => {
          deliveries++;
          if (await claims[(i + c) % 2]?.claim(`bench:Ev${i}`, 60_000))
            answered.set(`${i}`, (answered.get(`${i}`) ?? 0) + 1);
        }),
      ),
    ),
  );
  for (const c of clients) await closeRedis(c);
  check(
    answered.size === 200 && [...answered.values()].every((n) => n === 1),
    `chat events: ${deliveries} deliveries of 200 events across 2 replicas → ${[...answered.values()].reduce((a, b) => a + b, 0)} answers, ${[...answered.values()].filter((n) => n > 1).length} answered twice`,
  );

  // 4. kill -9 of a worker mid-run.
  const hanging = await startBot(redis.url, chat, 'bot3', { faults: { tfjs: 'hang' } });
  bots.push(hanging);
  const stuck = await hanging.submit(requester, TINY_REQUEST, TARGET);
  if (!stuck.ok) throw new Error(stuck.message);
  const host = await eventually(
    async () => (await reader.runs.get(stuck.value.run.id))?.host,
    'hang started',
    LONG,
  );
  const victim = workers.find((w) => w.name === host);
  if (!victim) throw new Error(`no worker ${host}`);
  const orphans = descendants(victim.child.pid ?? -1);
  const killedAt = Date.now();
  victim.child.kill('SIGKILL');
  for (const pid of orphans) process.kill(pid, 'SIGKILL');
  await eventually(
    () => chat.edits.find((e) => e.run === stuck.value.run.id && /interrupted/.test(e.text)),
    'interrupted status',
    LONG,
  );
  const recovered = Date.now() - killedAt;
  const afterKill = await submit(0);
  await eventually(() => chat.results.find((r) => r.run === afterKill.id), 'a job after the kill', LONG);
  const re = workers.flatMap(startedRuns).filter((id) => id === stuck.value.run.id).length;
  console.log(`worker kill: kill -9 ${host} mid-run (lock 4 s, stalled check every 2 s)`);
  console.log(`  kill → run reported interrupted in the chat: ${ms(recovered)}`);
  check(
    re === 1,
    `the killed run started ${re} time(s) (not re-run); a job submitted after the kill finished on the other worker`,
  );
} finally {
  for (const b of bots) await b.stop();
  for (const w of workers) {
    for (const pid of descendants(w.child.pid ?? -1)) process.kill(pid, 'SIGKILL');
    await stopWorker(w);
  }
  await redis.close();
}
process.exit(failed ? 1 : 0);
