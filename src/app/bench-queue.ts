/** Wires the chat benchmark queue from configuration: the real benchmark service, policy and chat-run defaults. */
import type { ChatBench } from '../adapters/shared/bench.ts';
import type { Config } from '../config.ts';
import { parseFaults } from '../core/bench/faults.ts';
import type { BenchRequest } from '../core/bench/run.ts';
import {
  type BenchExecutor,
  type BenchPolicy,
  BenchQueue,
  type BenchQueueApi,
} from '../core/jobs/BenchQueue.ts';
import { type AppStore, type Logger, systemClock } from '../core/ports.ts';
import { renderChartPng } from '../infra/bench/png.ts';
import { createBenchService } from '../infra/bench/service.ts';
import { BullBenchQueue, queueRoutes } from '../infra/queue/BullBenchQueue.ts';

/** Who may run benchmarks, from TENSORDUEL_ADMINS and TENSORDUEL_BENCH_*. */
export function benchPolicy(config: Config): BenchPolicy {
  return {
    admins: config.TENSORDUEL_ADMINS,
    users: config.TENSORDUEL_BENCH_USERS,
    roles: config.TENSORDUEL_BENCH_ROLES,
    channels: config.TENSORDUEL_BENCH_CHANNELS,
    ratePerHour: config.TENSORDUEL_BENCH_RATE_PER_HOUR,
    maxRunS: config.TENSORDUEL_BENCH_MAX_RUN_S,
  };
}

/** The settings every chat-started run gets on top of what the chat asked (repeats, steps, test faults). */
export function chatRunDefaults(config: Config): Partial<BenchRequest> {
  const defaults: Partial<BenchRequest> = {};
  if (config.TENSORDUEL_BENCH_REPEATS !== undefined) defaults.repeats = config.TENSORDUEL_BENCH_REPEATS;
  if (config.TENSORDUEL_BENCH_STEPS !== undefined) defaults.steps = config.TENSORDUEL_BENCH_STEPS;
  if (config.TENSORDUEL_BENCH_WARMUP !== undefined) defaults.warmup = config.TENSORDUEL_BENCH_WARMUP;
  if (config.TENSORDUEL_BENCH_FAULT) defaults.faults = parseFaults(config.TENSORDUEL_BENCH_FAULT);
  return defaults;
}

/**
 * Creates the queue over the real benchmark service (child-process runners); call `queue.start()` once the
 * platforms have attached their notifiers, and `queue.stop()` at shutdown.
 * @example const bench = createChatBench(config, handle.store, logger);
 */
export function createChatBench(
  config: Config,
  store: Pick<AppStore, 'queue' | 'results'>,
  logger: Logger,
  executor?: BenchExecutor,
  /** The embedded queue's progress throttle (src/core/jobs/ProgressThrottle.ts); default PROGRESS_INTERVAL_MS. */
  progress: { progressIntervalMs?: number | undefined } = {},
): ChatBench {
  const service = createBenchService(config, { logger });
  const defaults = chatRunDefaults(config);
  const real: BenchExecutor = executor ?? {
    execute: (request, hooks) => service.execute({ ...defaults, ...request }, hooks),
  };
  // With Redis configured, runs go to BullMQ queues served by `tensorduel worker` processes (docs/scaling.md).
  const queue: BenchQueueApi = config.TENSORDUEL_REDIS_URL
    ? new BullBenchQueue({
        url: config.TENSORDUEL_REDIS_URL,
        policy: benchPolicy(config),
        clock: systemClock,
        logger,
        defaults,
        routes: queueRoutes(config.TENSORDUEL_BENCH_QUEUES),
      })
    : new BenchQueue({
        store,
        executor: real,
        policy: benchPolicy(config),
        clock: systemClock,
        logger,
        progressIntervalMs: progress.progressIntervalMs,
      });
  return {
    queue,
    workloadIds: async () => (await service.workloads()).map((w) => w.id),
    chartPng: async (doc) => {
      try {
        return await renderChartPng(doc);
      } catch (err) {
        logger.warn('could not draw the benchmark chart', { result: doc.id, error: err });
        return undefined;
      }
    },
  };
}
