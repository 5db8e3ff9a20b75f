/**
 * The distributed benchmark queue (TENSORDUEL_REDIS_URL): the bot side. Chat-started runs go to one BullMQ
 * queue per device class (`bench-cpu`, `bench-cuda`, or a label such as `bench-h100`); `tensorduel worker`
 * processes run them on their hosts (src/infra/queue/BenchWorker.ts). A bot only enqueues, edits status messages
 * and posts results, driven by QueueEvents; any replica may handle any event, and a claim in Redis (SET NX)
 * makes exactly one of them act on each. Same contract as the embedded BenchQueue (BenchQueueApi), same rules
 * (src/core/jobs/policy.ts). While Redis is unreachable every command answers "unavailable" within seconds.
 */
import { once } from 'node:events';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import type { BenchRequest } from '../../core/bench/run.ts';
import {
  type BenchNotifier,
  type BenchPolicy,
  type BenchQueueApi,
  describeRun,
  type QueueAnswer,
  updateStatus,
} from '../../core/jobs/BenchQueue.ts';
import type { BenchRequester, BenchRun } from '../../core/jobs/bench-run.ts';
import { refuseCancel, refuseRun } from '../../core/jobs/policy.ts';
import type { Clock, Logger } from '../../core/ports.ts';
import { BOT_COMMAND_TIMEOUT_MS, closeRedis, connectRedis, withTimeout } from '../redis/connection.ts';
import { RedisRuns } from '../redis/RedisRuns.ts';

/** What a job carries to its worker: the run id, the whole request (chat words plus the bot's defaults), the time limit. */
export interface BenchJobData {
  runId: string;
  request: BenchRequest;
  maxRunS: number;
}

/** What a worker sends with `job.updateProgress`. */
export type BenchJobProgress = { phase: 'started'; host: string } | { phase: 'progress'; message: string };

/** The BullMQ queue name of a device class or label (`cuda` → `bench-cuda`). */
export function queueName(label: string): string {
  return `bench-${label}`;
}

/** Parses TENSORDUEL_BENCH_QUEUES (`auto=cpu,cpu=cpu,cuda=h100`): which queue a requested device goes to. */
export function queueRoutes(spec: string | undefined): Record<'auto' | 'cpu' | 'cuda', string> {
  const routes = { auto: 'cpu', cpu: 'cpu', cuda: 'cuda' };
  for (const part of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [device, label] = part.split('=').map((s) => s.trim());
    if ((device === 'auto' || device === 'cpu' || device === 'cuda') && label && /^[a-z0-9_-]+$/i.test(label))
      routes[device] = label;
    else throw new Error(`TENSORDUEL_BENCH_QUEUES: "${part}" is not auto|cpu|cuda=<queue label>.`);
  }
  return routes;
}

/** How long after a failed try the bot tries again to listen to its queue events (the connection stayed up). */
const LISTEN_RETRY_MS = 5_000;

/** BullMQ key prefix of TensorDuel's queues. */
export const QUEUE_PREFIX = 'tensorduel';

const UNAVAILABLE =
  'The benchmark queue is unavailable right now (its Redis cannot be reached). Questions still work; try the benchmark again in a minute.';
const ACTIVE = new Set(['queued', 'running']);

/** The bot side of the distributed queue. */
export class BullBenchQueue implements BenchQueueApi {
  readonly #url: string;
  readonly #policy: BenchPolicy;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #defaults: Partial<BenchRequest>;
  readonly #routes: Record<'auto' | 'cpu' | 'cuda', string>;
  readonly #listenRetryMs: number;
  readonly #notifiers = new Map<string, BenchNotifier>();
  readonly #queues = new Map<string, Queue>();
  readonly #events: QueueEvents[] = [];
  /** The QueueEvents clients, by queue label (created at start). */
  readonly #eventClients = new Map<string, Redis>();
  readonly #redis: Redis;
  readonly #runs: RedisRuns;
  /** Per run, this replica's status work in order (a late progress edit never lands after the final one). */
  readonly #chains = new Map<string, Promise<void>>();
  #idle: Array<() => void> = [];
  #stopped = false;
  #started = false;
  /** The opening of the queue events (once Redis is reachable); unset again when it failed. */
  #listening: Promise<void> | undefined;
  /** The next try at opening them, after a failure while the connection stayed up. */
  #retry: NodeJS.Timeout | undefined;
  /** The queue labels whose QueueEvents are open. */
  readonly #opened = new Set<string>();

  constructor(deps: {
    url: string;
    policy: BenchPolicy;
    clock: Clock;
    logger: Logger;
    /** Settings every chat-started run gets (repeats, steps, test faults): see chatRunDefaults. */
    defaults?: Partial<BenchRequest>;
    routes?: Record<'auto' | 'cpu' | 'cuda', string>;
    /** How long after a failed try at listening it tries again (default LISTEN_RETRY_MS; tests shorten it). */
    listenRetryMs?: number;
  }) {
    this.#url = deps.url;
    this.#policy = deps.policy;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#defaults = deps.defaults ?? {};
    this.#routes = deps.routes ?? queueRoutes(undefined);
    this.#listenRetryMs = deps.listenRetryMs ?? LISTEN_RETRY_MS;
    this.#redis = connectRedis(deps.url, 'bot', deps.logger);
    this.#runs = new RedisRuns(this.#redis);
    for (const label of new Set(Object.values(this.#routes))) {
      // The bot's queue client fails fast: no offline queue, so add() rejects at once while Redis is down.
      const queue = new Queue(queueName(label), {
        // The bot's own client (shared, so BullMQ waits for it to be ready rather than failing at construction).
        connection: this.#redis,
        prefix: QUEUE_PREFIX,
      });
      queue.on('error', () => {}); // connectRedis's client logs the outage once
      this.#queues.set(label, queue);
    }
  }

  /** The runs and results in Redis (metrics, tests). */
  get runs(): RedisRuns {
    return this.#runs;
  }

  /** The BullMQ queues by label (metrics read their depth). */
  get queues(): ReadonlyMap<string, Queue> {
    return this.#queues;
  }

  /** The bot's own Redis client (metrics read its connection state). */
  get redis(): Redis {
    return this.#redis;
  }

  /** Every Redis client of this queue by name, for metrics: `bot` (commands), `queue-events:<label>` (events). */
  redisClients(): Array<[string, Redis]> {
    return [
      ['bot', this.#redis],
      ...[...this.#eventClients].map(([label, client]): [string, Redis] => [`queue-events:${label}`, client]),
    ];
  }

  attach(platform: string, notifier: BenchNotifier): void {
    this.#notifiers.set(platform, notifier);
  }

  isAdmin(userId: string): boolean {
    return this.#policy.admins.includes(userId);
  }

  /**
   * Listens to every queue's events, then reports what finished while no replica was listening. With Redis down
   * at start-up the bot still starts (commands answer "unavailable" meanwhile) and listens once Redis is up.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    // The events' own blocking clients exist from the start, so metrics see them waiting out an outage; each
    // one's QueueEvents opens once Redis is reachable. This class can cut them off at stop even while it is down.
    for (const label of this.#queues.keys())
      this.#eventClients.set(label, connectRedis(this.#url, 'worker', this.#logger));
    this.#redis.on('ready', this.#onReady);
    // Bounded: with Redis down at start-up the bot still starts (commands answer "unavailable" meanwhile).
    const up = await withTimeout(
      Promise.all([
        this.#redis.status === 'ready' ? undefined : once(this.#redis, 'ready'),
        ...[...this.#queues.values()].map((q) => q.waitUntilReady()),
      ]),
      10_000,
      'redis not ready',
    ).then(
      () => true,
      () => false,
    );
    if (up) await this.#listen();
    else this.#logger.warn('benchmark queue: Redis not reachable yet; will keep trying');
  }

  readonly #onReady = (): void => void this.#listen();

  /**
   * Opens the queue events once, from each events stream's current end, then sweeps; tried again after a failure
   * (on the next 'ready', or after LISTEN_RETRY_MS while the connection stays up, e.g. after a command timeout).
   * From a read id, not BullMQ's default '$': a QueueEvents at '$' only hears what comes after its first blocking
   * read, so a run that ended while its connection was still being made was never reported (with Redis down at
   * start-up, the runs of the first minute after it came back). The sweep covers what ended before that id.
   */
  #listen(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#listening ??= this.#openEvents().catch((err: unknown) => {
      this.#listening = undefined;
      this.#logger.warn('could not listen to benchmark queue events yet (Redis unreachable?); will retry', {
        error: errorText(err),
      });
      if (!this.#stopped && !this.#retry)
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          void this.#listen();
        }, this.#listenRetryMs);
    });
    return this.#listening;
  }

  async #openEvents(): Promise<void> {
    const queues = [...this.#queues].filter(([label]) => !this.#opened.has(label));
    // Every read is sent at once, before any later command on this client (a submit's job comes after it).
    const tails = await Promise.all(
      queues.map(([, queue]) => this.#redis.xrevrange(queue.keys.events as string, '+', '-', 'COUNT', 1)),
    );
    if (this.#stopped) return;
    for (const [i, [label, queue]] of queues.entries()) {
      const events = new QueueEvents(queue.name, {
        connection: this.#eventClients.get(label) as Redis,
        prefix: QUEUE_PREFIX,
        lastEventId: tails[i]?.[0]?.[0] ?? '0-0',
      });
      events.on('error', () => {});
      events.on('progress', ({ jobId, data }, eventId) => {
        void this.#inOrder(jobId, () => this.#onProgress(label, jobId, data, eventId));
      });
      events.on('completed', ({ jobId }) => {
        void this.#inOrder(jobId, () => this.#onFinished(jobId));
      });
      events.on('failed', ({ jobId, failedReason }) => {
        void this.#inOrder(jobId, () => this.#onFailed(jobId, failedReason));
      });
      this.#events.push(events);
      this.#opened.add(label);
    }
    // Bounded: the events' connection waits for Redis for ever (it must not hold up a start).
    await withTimeout(
      Promise.all(this.#events.map((e) => e.waitUntilReady().catch(() => undefined))),
      5_000,
      'events not ready',
    ).catch(() => undefined);
    // A failed sweep fails the opening, so that it is tried again: only it finds the runs that ended before the
    // read ids.
    await this.#sweep();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#redis.off('ready', this.#onReady);
    clearTimeout(this.#retry);
    // An opening in progress finishes (or gives up) first, bounded, so that nothing runs on closed clients.
    if (this.#listening) await withTimeout(this.#listening, 3_000, 'listen').catch(() => undefined);
    // Bounded: BullMQ's close waits for an 'end' that a connection caught mid-reconnect never emits.
    await Promise.allSettled(this.#events.map((e) => withTimeout(e.close(), 3_000, 'close')));
    await Promise.allSettled([...this.#queues.values()].map((q) => withTimeout(q.close(), 3_000, 'close')));
    for (const client of this.#eventClients.values()) client.disconnect();
    await closeRedis(this.#redis);
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  async submit(
    requester: BenchRequester,
    request: BenchRun['request'],
    target: BenchRun['target'],
  ): Promise<QueueAnswer<{ run: BenchRun; position: number }>> {
    try {
      return await withTimeout(
        this.#submit(requester, request, target),
        3 * BOT_COMMAND_TIMEOUT_MS,
        UNAVAILABLE,
      );
    } catch (err) {
      this.#logger.warn('benchmark queue unavailable', { error: errorText(err) });
      return { ok: false, message: UNAVAILABLE };
    }
  }

  async #submit(
    requester: BenchRequester,
    request: BenchRun['request'],
    target: BenchRun['target'],
  ): Promise<QueueAnswer<{ run: BenchRun; position: number }>> {
    const now = this.#clock.now();
    if (!this.isAdmin(requester.userId)) {
      const refusal = refuseRun(this.#policy, requester, await this.#runs.recent(), now);
      if (refusal) return { ok: false, message: refusal };
    }
    const label = this.#routes[request.device ?? 'auto'];
    const queue = this.#queues.get(label) as Queue;
    const run: BenchRun = {
      id: await this.#runs.nextId(),
      status: 'queued',
      requester,
      request,
      target: { platform: target.platform, data: { ...target.data } },
      createdAt: now,
    };
    await this.#runs.create(run);
    const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
    const position = Object.values(counts).reduce((a, b) => a + b, 0) + 1;
    // The status message exists (and its ids are stored) before any worker can report on the run.
    await this.#notify(run, position);
    const data: BenchJobData = {
      runId: run.id,
      request: { ...this.#defaults, ...request },
      maxRunS: this.#policy.maxRunS,
    };
    try {
      await queue.add('bench', data, {
        jobId: run.id,
        attempts: 1,
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 1000 },
      });
    } catch (err) {
      // Redis went away between the record and the job: the run must not read "queued" forever.
      const failed = await this.#runs
        .transition(run.id, ['queued'], {
          status: 'failed',
          reason: 'the queue became unavailable',
          finishedAt: now,
        })
        .catch(() => undefined);
      if (failed) await this.#finish(failed).catch(() => undefined);
      throw err;
    }
    return { ok: true, value: { run, position }, message: describeRun(run, position) };
  }

  async cancel(id: string | undefined, by: BenchRequester): Promise<QueueAnswer> {
    try {
      return await withTimeout(this.#cancel(id, by), 3 * BOT_COMMAND_TIMEOUT_MS, UNAVAILABLE);
    } catch (err) {
      this.#logger.warn('benchmark queue unavailable', { error: errorText(err) });
      return { ok: false, message: UNAVAILABLE };
    }
  }

  async #cancel(id: string | undefined, by: BenchRequester): Promise<QueueAnswer> {
    const admin = this.isAdmin(by.userId);
    const run = id
      ? await this.#runs.get(id)
      : (await this.#runs.recent())
          .reverse()
          .find((r) => ACTIVE.has(r.status) && (admin || r.requester.userId === by.userId));
    if (!run)
      return {
        ok: false,
        message: id ? `There is no benchmark \`${id}\`.` : 'You have no queued or running benchmark.',
      };
    const refusal = refuseCancel(this.#policy, run, by);
    if (refusal) return { ok: false, message: refusal };
    // The flag first: a worker that takes the job from now on sees it and does not start the run.
    await this.#runs.requestCancel(run.id, by.userId);
    const cancelled = await this.#runs.transition(run.id, ['queued'], {
      status: 'cancelled',
      cancelledBy: by.userId,
      finishedAt: this.#clock.now(),
    });
    if (cancelled) {
      const job = await this.#queueOf(run)?.getJob(run.id);
      await job?.remove().catch(() => undefined); // taken by a worker meanwhile: it sees the flag and skips it
      await this.#finish(cancelled);
      return { ok: true, value: cancelled, message: describeRun(cancelled) };
    }
    return {
      ok: true,
      value: run,
      message: `Cancelling benchmark \`${run.id}\`: stopping its runner process on its worker.`,
    };
  }

  async result(ref: string | undefined): Promise<QueueAnswer<BenchResultDoc>> {
    try {
      return await withTimeout(this.#result(ref), 3 * BOT_COMMAND_TIMEOUT_MS, UNAVAILABLE);
    } catch (err) {
      this.#logger.warn('benchmark queue unavailable', { error: errorText(err) });
      return { ok: false, message: UNAVAILABLE };
    }
  }

  async #result(ref: string | undefined): Promise<QueueAnswer<BenchResultDoc>> {
    if (!ref || ref === 'last') {
      const doc = await this.#runs.latestResult();
      return doc
        ? { ok: true, value: doc, message: `Latest benchmark result \`${doc.id}\`.` }
        : { ok: false, message: 'No benchmark has finished yet. Start one with `/tensorduel bench`.' };
    }
    const run = /^b\d+$/.test(ref) ? await this.#runs.get(ref) : undefined;
    const doc = await this.#runs.getResult(run?.resultId ?? ref);
    if (doc) return { ok: true, value: doc, message: `Benchmark result \`${doc.id}\`.` };
    const known = (await this.#runs.recent())
      .filter((r) => r.resultId)
      .slice(-5)
      .map((r) => r.id);
    return {
      ok: false,
      message: `No result \`${ref}\`. Recent runs with results: ${known.join(', ') || 'none'}.`,
    };
  }

  /** Resolves once no run listed in Redis is queued or running (tests, `bench:scale`). */
  async whenIdle(): Promise<void> {
    while (!this.#stopped) {
      const waiting = new Promise<void>((resolve) => this.#idle.push(resolve));
      let busy = false;
      for (const r of await this.#runs.recent())
        if (ACTIVE.has(r.status) || !(await this.#runs.claimed(`final:${r.id}`))) busy = true;
      if (!busy && this.#chains.size === 0) return;
      await waiting; // woken by each finished run
    }
  }

  /** Runs `work` after this replica's earlier work on the run; resolves or rejects with it (the chain goes on). */
  #inOrder(runId: string, work: () => Promise<void>): Promise<void> {
    const next = (this.#chains.get(runId) ?? Promise.resolve()).then(work);
    const settled = next.catch(() => undefined);
    this.#chains.set(runId, settled);
    void settled.then(() => {
      if (this.#chains.get(runId) === settled) this.#chains.delete(runId);
      this.#wakeIdle();
    });
    return next;
  }

  #queueOf(run: BenchRun): Queue | undefined {
    return this.#queues.get(this.#routes[run.request.device ?? 'auto']);
  }

  async #onProgress(label: string, jobId: string, data: unknown, eventId: string): Promise<void> {
    try {
      if (!(await this.#runs.claim(`event:${label}:${eventId}`, 3_600_000))) return;
      const run = await this.#runs.get(jobId);
      if (run?.status !== 'running' || (await this.#runs.claimed(`final:${jobId}`))) return;
      const p = data as BenchJobProgress;
      if (p.phase === 'progress') run.progress = p.message;
      else run.progress = 'starting';
      await this.#notify(run);
      if (p.phase === 'started') await this.#notifyPositions(label);
    } catch (err) {
      this.#logger.warn('could not report benchmark progress', { run: jobId, error: errorText(err) });
    }
  }

  async #onFinished(jobId: string): Promise<void> {
    try {
      const run = await this.#runs.get(jobId);
      if (run && !ACTIVE.has(run.status)) await this.#finish(run);
    } catch (err) {
      this.#logger.warn('could not report a finished benchmark', { run: jobId, error: errorText(err) });
    }
    this.#wakeIdle();
  }

  /** A job BullMQ failed: its worker died mid-run (stalled, `maxStalledCount` 0) or the processor threw. */
  async #onFailed(jobId: string, failedReason: string): Promise<void> {
    try {
      const before = await this.#runs.get(jobId);
      const stalled = /stalled/i.test(failedReason);
      const reason = stalled
        ? `its worker${before?.host ? ` (${before.host})` : ''} stopped responding mid-run (killed or cut off from Redis)`
        : `its worker failed: ${failedReason.slice(0, 200)}`;
      const run =
        (await this.#runs.transition(jobId, ['queued', 'running'], {
          status: 'interrupted',
          reason,
          finishedAt: this.#clock.now(),
        })) ?? before;
      if (run && !ACTIVE.has(run.status)) await this.#finish(run);
    } catch (err) {
      this.#logger.warn('could not report an interrupted benchmark', { run: jobId, error: errorText(err) });
    }
    this.#wakeIdle();
  }

  /** Final status edit and result post, once across replicas. */
  async #finish(run: BenchRun): Promise<void> {
    if (!(await this.#runs.claim(`final:${run.id}`))) return;
    await this.#notify(run);
    if (!run.resultId || run.status === 'interrupted') return;
    const doc = await this.#runs.getResult(run.resultId);
    const notifier = this.#notifiers.get(run.target.platform);
    if (doc && notifier)
      await notifier.result(run, doc).catch((err: unknown) => {
        this.#logger.error('could not post benchmark result', { run: run.id, error: errorText(err) });
      });
  }

  /**
   * Runs that ended (or whose job failed) while no replica listened: reported now, each in order with the events
   * this replica hears about it (a late progress edit never lands after the final one). Rejects when Redis fails.
   */
  async #sweep(): Promise<void> {
    for (const run of await this.#runs.recent()) {
      if (this.#stopped) return;
      await this.#inOrder(run.id, async () => {
        if (!ACTIVE.has(run.status)) return this.#finish(run);
        const job = await this.#queueOf(run)?.getJob(run.id);
        const state = job ? await job.getState() : 'missing';
        if (state === 'failed') await this.#onFailed(run.id, job?.failedReason ?? 'failed');
        else if (
          state === 'missing' &&
          (run.status === 'running' || this.#clock.now() - run.createdAt > 60_000)
        )
          // Running without a job, or queued for a minute without one (a submit cut off before its enqueue).
          await this.#onFailed(run.id, 'its job is no longer in the queue');
      });
    }
  }

  async #notifyPositions(label: string): Promise<void> {
    const queue = this.#queues.get(label);
    if (!queue) return;
    const active = (await queue.getJobCounts('active')).active ?? 0;
    const waiting = await queue.getWaiting(0, 50);
    for (const [i, job] of waiting.entries()) {
      const run = job.id ? await this.#runs.get(job.id) : undefined;
      if (run?.status === 'queued') await this.#notify(run, active + i + 1);
    }
  }

  async #notify(run: BenchRun, position?: number): Promise<void> {
    const recorded = await updateStatus(this.#notifiers.get(run.target.platform), run, position, (err) =>
      this.#logger.warn('could not update benchmark status message', { run: run.id, error: errorText(err) }),
    );
    // Stored so every replica edits that message.
    if (recorded) await this.#runs.saveTarget(run.id, recorded);
  }

  #wakeIdle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
