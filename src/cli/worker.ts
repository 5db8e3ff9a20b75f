/** `tensorduel worker`: runs chat-started benchmarks from a BullMQ queue on this host (docs/scaling.md). */
import { hostname } from 'node:os';
import { chatRunDefaults } from '../app/bench-queue.ts';
import { serveOps } from '../app/health.ts';
import { Metrics } from '../app/metrics.ts';
import { loadConfig, secretValues } from '../config.ts';
import { systemClock } from '../core/ports.ts';
import { createBenchService } from '../infra/bench/service.ts';
import { createLogger } from '../infra/logger.ts';
import { BenchWorker } from '../infra/queue/BenchWorker.ts';
import { queueName } from '../infra/queue/BullBenchQueue.ts';
import { type OptionSpecs, parseCommandArgs, requireValue, UsageError } from './args.ts';

/** `tensorduel worker --help`. */
export const usage = `Usage: tensorduel worker [--queue NAME] [--device cpu|cuda|cuda:N] [--name NAME]

  Takes benchmark runs started from chat off a Redis queue (TENSORDUEL_REDIS_URL) and runs them on this host,
  one at a time, with the same runners as \`tensorduel bench\`. Run one worker per device.
  --queue NAME     queue label: cpu, cuda, or one of your own such as h100 (default: from --device, else cpu)
  --device DEV     cpu, cuda, or cuda:N to pin one GPU (sets CUDA_VISIBLE_DEVICES); default: what the chat asked
  --name NAME      how statuses and results name this worker (default: TENSORDUEL_WORKER_NAME, else host/queue)
  -h, --help       this help
  TENSORDUEL_METRICS_PORT serves /healthz and /metrics; SIGTERM stops it (a running benchmark is reported
  interrupted).`;

const OPTIONS: OptionSpecs = {
  queue: { type: 'string' },
  device: { type: 'string' },
  name: { type: 'string' },
};

/** The device a `--device` value forces, and the CUDA_VISIBLE_DEVICES it sets. */
export function parseDevice(value: string | undefined): { device?: 'cpu' | 'cuda'; visible?: string } {
  if (value === undefined) return {};
  if (value === 'cpu' || value === 'cuda') return { device: value };
  const m = /^cuda:(\d+(?:,\d+)*)$/.exec(value);
  if (m?.[1]) return { device: 'cuda', visible: m[1] };
  throw new UsageError(`--device must be cpu, cuda or cuda:N, not "${value}".`);
}

/** Runs until SIGTERM/SIGINT. */
export async function run(args: string[]): Promise<number> {
  const { values, help } = parseCommandArgs(args, OPTIONS);
  if (help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const { device, visible } = parseDevice(requireValue(values, 'device'));
  const label = requireValue(values, 'queue') ?? (device === 'cuda' ? 'cuda' : 'cpu');
  if (!/^[a-z0-9_-]+$/i.test(label))
    throw new UsageError(`--queue must be letters, digits, - or _, not "${label}".`);
  const config = loadConfig();
  if (!config.TENSORDUEL_REDIS_URL)
    throw new UsageError('tensorduel worker needs TENSORDUEL_REDIS_URL (the Redis the bots use).');
  // The runners are child processes: they inherit the pinned GPU.
  if (visible !== undefined) process.env.CUDA_VISIBLE_DEVICES = visible;
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config) });
  const name =
    requireValue(values, 'name') ??
    config.TENSORDUEL_WORKER_NAME ??
    `${hostname()}/${values.device ?? label}`;
  const service = createBenchService(config, { logger });
  const defaults = chatRunDefaults(config);
  const metrics = new Metrics('worker');
  const worker = new BenchWorker({
    url: config.TENSORDUEL_REDIS_URL,
    label,
    host: name,
    executor: { execute: (request, hooks) => service.execute({ ...defaults, ...request }, hooks) },
    ...(device ? { device } : {}),
    clock: systemClock,
    logger,
    stall: {
      lockMs: config.TENSORDUEL_WORKER_LOCK_S * 1000,
      stalledIntervalMs: config.TENSORDUEL_WORKER_STALLED_CHECK_S * 1000,
    },
    hooks: {
      onRunStart: () => metrics.workerBusy.set({ queue: label }, 1),
      onRunEnd: (_id, status, seconds) => {
        metrics.workerBusy.set({ queue: label }, 0);
        metrics.runs.inc({ queue: label, status });
        metrics.runSeconds.observe({ queue: label, status }, seconds);
      },
    },
  });
  metrics.watchRedisClients(() => worker.redisClients());
  metrics.workerBusy.set({ queue: label }, 0);
  const ops =
    config.TENSORDUEL_METRICS_PORT !== undefined
      ? await serveOps({
          port: config.TENSORDUEL_METRICS_PORT,
          host: config.TENSORDUEL_METRICS_HOST,
          metrics,
          logger,
          health: async () => {
            const up = worker.redis.status === 'ready';
            return { ok: up, checks: { redis: up ? 'up' : 'down', busy: worker.busy ? 'yes' : 'no' } };
          },
        })
      : undefined;
  await worker.start();
  logger.info('worker started', { queue: queueName(label), name, device: values.device ?? 'as requested' });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('worker stopping', { signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await worker.stop();
  await ops?.close();
  // Like `start`: a Redis client caught mid-reconnect could otherwise keep the process alive.
  process.exit(0);
}
