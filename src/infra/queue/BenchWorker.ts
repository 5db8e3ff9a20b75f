/**
 * The worker side of the distributed benchmark queue: `tensorduel worker` on each host takes runs from one
 * BullMQ queue, one at a time (concurrency 1: a benchmark owns its device), and runs them through today's
 * BenchExecutor. Progress goes out with `job.updateProgress`; a cancel from any bot arrives on a Redis Pub/Sub
 * channel (BullMQ's `worker.cancelJob` only reaches this process's own jobs, so the channel is how a bot reaches
 * it) and aborts the runner's process group. A worker killed mid-run stops renewing its job's lock; with
 * `maxStalledCount: 0` BullMQ's stalled check (run by every worker of the queue) fails the job instead of
 * re-running it, and the bots report the run interrupted.
 */
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import type { BenchExecutor } from '../../core/jobs/BenchQueue.ts';
import { ProgressThrottle, type ThrottleClock } from '../../core/jobs/ProgressThrottle.ts';
import { runOutcome } from '../../core/jobs/policy.ts';
import type { Clock, Logger } from '../../core/ports.ts';
import { closeRedis, connectRedis, redisOptions, withTimeout } from '../redis/connection.ts';
import { CANCEL_CHANNEL, RedisRuns } from '../redis/RedisRuns.ts';
import { type BenchJobData, type BenchJobProgress, QUEUE_PREFIX, queueName } from './BullBenchQueue.ts';

/** What the processor returns (stored as the job's return value). */
export interface BenchJobResult {
  runId: string;
  status: string;
}

/** Lock settings: how soon a dead worker's run is detected (about lockMs + stalledIntervalMs). */
export interface StallSettings {
  lockMs: number;
  stalledIntervalMs: number;
}

/** Events a worker reports, for metrics. */
export interface WorkerHooks {
  onRunStart?(runId: string): void;
  onRunEnd?(runId: string, status: string, seconds: number): void;
}

type Current = { runId: string; controller: AbortController; cancelledBy?: string; reason?: string };

/** One worker process's queue consumer. */
export class BenchWorker {
  readonly #url: string;
  readonly #label: string;
  readonly #host: string;
  readonly #executor: BenchExecutor;
  readonly #device: 'cpu' | 'cuda' | undefined;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #stall: StallSettings;
  readonly #hooks: WorkerHooks;
  readonly #progress: { intervalMs?: number | undefined; clock?: ThrottleClock | undefined };
  readonly #redis: Redis;
  readonly #sub: Redis;
  readonly #runs: RedisRuns;
  #worker: Worker<BenchJobData, BenchJobResult> | undefined;
  #current: Current | undefined;
  #stopping = false;

  constructor(deps: {
    url: string;
    /** Queue label: `cpu`, `cuda`, `h100`, … */
    label: string;
    /** How results and statuses name this worker, e.g. `gpu-1/cuda:0`. */
    host: string;
    executor: BenchExecutor;
    /** Forces every run's device (a worker bound to one GPU runs on it whatever the chat asked). */
    device?: 'cpu' | 'cuda';
    clock: Clock;
    logger: Logger;
    stall?: StallSettings;
    hooks?: WorkerHooks;
    /** Least time between two progress updates of a run: default PROGRESS_INTERVAL_MS (tests pass 0). */
    progressIntervalMs?: number | undefined;
    /** The progress throttle's clock and timer; default the process's. */
    progressClock?: ThrottleClock | undefined;
  }) {
    this.#progress = { intervalMs: deps.progressIntervalMs, clock: deps.progressClock };
    this.#url = deps.url;
    this.#label = deps.label;
    this.#host = deps.host;
    this.#executor = deps.executor;
    this.#device = deps.device;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#stall = deps.stall ?? { lockMs: 30_000, stalledIntervalMs: 30_000 };
    this.#hooks = deps.hooks ?? {};
    this.#redis = connectRedis(deps.url, 'worker', deps.logger);
    this.#sub = connectRedis(deps.url, 'worker', deps.logger);
    this.#runs = new RedisRuns(this.#redis);
  }

  /** The worker's own Redis client (metrics read its connection state). */
  get redis(): Redis {
    return this.#redis;
  }

  /** This worker's own Redis clients by name, for metrics: `worker` (runs, results), `worker-cancel` (cancels). */
  redisClients(): Array<[string, Redis]> {
    return [
      ['worker', this.#redis],
      ['worker-cancel', this.#sub],
    ];
  }

  /** True while a run is in progress. */
  get busy(): boolean {
    return this.#current !== undefined;
  }

  /** Subscribes to cancellations, then starts taking jobs. */
  async start(): Promise<void> {
    this.#sub.on('message', (_channel: string, message: string) => this.#onCancel(message));
    await this.#sub.subscribe(CANCEL_CHANNEL);
    const worker = new Worker<BenchJobData, BenchJobResult>(
      queueName(this.#label),
      (job, _token, signal) => this.#process(job, signal),
      {
        connection: { url: this.#url, ...redisOptions('worker') },
        prefix: QUEUE_PREFIX,
        name: this.#host,
        concurrency: 1,
        // A run cut off by a dead worker is failed (reported interrupted), never silently run again.
        maxStalledCount: 0,
        lockDuration: this.#stall.lockMs,
        stalledInterval: this.#stall.stalledIntervalMs,
        autorun: false,
      },
    );
    worker.on('error', (err) => this.#logger.debug('bench worker: queue error', { error: err.message }));
    this.#worker = worker;
    void worker.run();
    await worker.waitUntilReady();
    this.#logger.info('bench worker ready', { queue: queueName(this.#label), host: this.#host });
  }

  /** Stops taking jobs; a running benchmark is stopped (its processes killed) and reported interrupted. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#current) {
      this.#current.reason = `its worker (${this.#host}) was shut down`;
      this.#current.controller.abort();
    }
    // Waits for the aborted run to report; bounded, as BullMQ's close can wait forever on a reconnecting client.
    await withTimeout(this.#worker?.close() ?? Promise.resolve(), 30_000, 'close').catch(() => undefined);
    await closeRedis(this.#sub);
    await closeRedis(this.#redis);
  }

  #onCancel(message: string): void {
    try {
      const { runId, by } = JSON.parse(message) as { runId: string; by: string };
      if (this.#current?.runId !== runId) return;
      this.#current.cancelledBy = by;
      this.#current.controller.abort();
      this.#logger.info('bench worker: run cancelled', { run: runId });
    } catch {
      // not ours
    }
  }

  async #process(job: Job<BenchJobData, BenchJobResult>, signal?: AbortSignal): Promise<BenchJobResult> {
    const { runId, request, maxRunS } = job.data;
    const cancelledBy = await this.#runs.cancelRequestedBy(runId);
    if (cancelledBy) {
      await this.#runs.transition(runId, ['queued'], {
        status: 'cancelled',
        cancelledBy,
        finishedAt: this.#clock.now(),
      });
      return { runId, status: 'cancelled' };
    }
    const started = await this.#runs.transition(runId, ['queued'], {
      status: 'running',
      startedAt: this.#clock.now(),
      host: this.#host,
    });
    if (!started) return { runId, status: 'skipped' };
    const controller = new AbortController();
    const current: Current = { runId, controller };
    this.#current = current;
    // A cancel published between the check above and the start was not seen by #onCancel: look again.
    const lateCancel = await this.#runs.cancelRequestedBy(runId);
    if (lateCancel) {
      current.cancelledBy = lateCancel;
      controller.abort();
    }
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    this.#hooks.onRunStart?.(runId);
    this.#logger.info('bench run started', { run: runId, host: this.#host, attempt: job.attemptsStarted });
    const t0 = performance.now();
    // The bots edit the status message on every update they get: the throttle is here, where all of a run's
    // progress passes, whichever replica edits (ProgressThrottle.ts). Progress stays in the job, never in the run.
    let sent: Promise<unknown> = Promise.resolve();
    const progress = new ProgressThrottle<BenchJobProgress>({
      ...this.#progress,
      publish: (p) => {
        sent = sent.then(() => job.updateProgress(p)).catch(() => {});
      },
    });
    progress.push({ phase: 'started', host: this.#host });
    await sent;
    const limit = setTimeout(() => {
      current.reason = `exceeded the maximum run time of ${maxRunS} s`;
      controller.abort();
    }, maxRunS * 1000);
    let doc: BenchResultDoc | undefined;
    let error: string | undefined;
    try {
      doc = await this.#executor.execute(
        this.#device ? { ...request, device: this.#device } : { ...request },
        {
          signal: controller.signal,
          onProgress: (e) => {
            if (e.kind === 'start' || e.kind === 'done') return;
            const message = `${e.message} (${Math.min(e.jobIndex + 1, e.jobCount)} of ${e.jobCount})`;
            progress.push({ phase: 'progress', message });
          },
        },
      );
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      this.#logger.warn('benchmark run failed', { run: runId, error });
    } finally {
      clearTimeout(limit);
      // The final state follows at once: a progress update still pending is dropped, never sent after it.
      progress.close();
      this.#current = undefined;
    }
    const outcome = runOutcome({
      doc,
      error,
      aborted: controller.signal.aborted,
      stopping: this.#stopping,
      cancelledBy: current.cancelledBy,
      reason: current.reason,
    });
    if (outcome.status === 'interrupted')
      outcome.reason = current.reason ?? `its worker (${this.#host}) stopped`;
    if (doc) await this.#runs.saveResult(doc);
    await this.#runs.transition(runId, ['running'], {
      ...outcome,
      finishedAt: this.#clock.now(),
      ...(doc ? { resultId: doc.id } : {}),
    });
    const seconds = (performance.now() - t0) / 1000;
    this.#hooks.onRunEnd?.(runId, outcome.status, seconds);
    this.#logger.info('bench run ended', {
      run: runId,
      status: outcome.status,
      seconds: Math.round(seconds * 100) / 100,
    });
    return { runId, status: outcome.status };
  }
}
