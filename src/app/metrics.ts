/**
 * Prometheus metrics of a bot replica or a benchmark worker (prom-client, one registry per process): answers by
 * intent and outcome with their latency, benchmark queue depth per queue, run durations, worker liveness and the
 * Redis connection state. Served on `/metrics` by src/app/health.ts when TENSORDUEL_METRICS_PORT is set.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AdvisorApi } from '../core/types.ts';

/**
 * Named Redis clients, read again at each scrape (a component may create its clients after the metrics exist:
 * the distributed queue's event clients appear when it starts).
 */
export type RedisClients = () => Iterable<readonly [name: string, client: Redis]>;

/** The metrics of one process. */
export class Metrics {
  readonly registry = new Registry();
  readonly answers: Counter<'intent' | 'outcome'>;
  readonly answerSeconds: Histogram<'intent'>;
  readonly runs: Counter<'queue' | 'status'>;
  readonly runSeconds: Histogram<'queue' | 'status'>;
  readonly workerBusy: Gauge<'queue'>;
  readonly #redis = new Map<string, Redis>();
  readonly #redisSources: RedisClients[] = [];
  readonly #queues = new Map<string, Queue>();

  constructor(role: 'bot' | 'worker') {
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry, prefix: 'tensorduel_process_' });
    const registers = [this.registry];
    this.answers = new Counter({
      name: 'tensorduel_answers_total',
      help: 'Messages answered, by intent and outcome (the reply kind, or error)',
      labelNames: ['intent', 'outcome'],
      registers,
    });
    this.answerSeconds = new Histogram({
      name: 'tensorduel_answer_seconds',
      help: 'Time to compute an answer (the core, not the chat API)',
      labelNames: ['intent'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.runs = new Counter({
      name: 'tensorduel_bench_runs_total',
      help: 'Benchmark runs finished on this worker, by queue and status',
      labelNames: ['queue', 'status'],
      registers,
    });
    this.runSeconds = new Histogram({
      name: 'tensorduel_bench_run_seconds',
      help: 'Benchmark run durations on this worker',
      labelNames: ['queue', 'status'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800],
      registers,
    });
    this.workerBusy = new Gauge({
      name: 'tensorduel_worker_busy',
      help: '1 while this worker runs a benchmark',
      labelNames: ['queue'],
      registers,
    });
    const redis = this.#redis;
    const sources = this.#redisSources;
    new Gauge({
      name: 'tensorduel_redis_up',
      help: '1 while the Redis connection is ready, by client',
      labelNames: ['client'],
      registers,
      collect() {
        const clients = new Map(redis);
        for (const source of sources) for (const [name, client] of source()) clients.set(name, client);
        for (const [name, client] of clients) this.set({ client: name }, client.status === 'ready' ? 1 : 0);
      },
    });
    const queues = this.#queues;
    new Gauge({
      name: 'tensorduel_bench_queue_jobs',
      help: 'Benchmark jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        for (const [label, queue] of queues) {
          const counts = await queue
            .getJobCounts('waiting', 'active', 'prioritized', 'delayed')
            .catch(() => undefined);
          for (const [state, n] of Object.entries(counts ?? {})) this.set({ queue: label, state }, n);
        }
      },
    });
    new Gauge({
      name: 'tensorduel_bench_workers',
      help: 'Workers connected to each benchmark queue (liveness, as Redis sees them)',
      labelNames: ['queue'],
      registers,
      async collect() {
        for (const [label, queue] of queues) {
          const n = await queue.getWorkersCount().catch(() => undefined);
          if (n !== undefined) this.set({ queue: label }, n);
        }
      },
    });
  }

  /** Reports `client`'s connection state as `tensorduel_redis_up{client=name}`. */
  watchRedis(name: string, client: Redis): void {
    this.#redis.set(name, client);
  }

  /** Reports the state of each client `clients` names at a scrape, as `tensorduel_redis_up{client=name}`. */
  watchRedisClients(clients: RedisClients): void {
    this.#redisSources.push(clients);
  }

  /** Reports `queue`'s depth and worker count under `label`. */
  watchQueue(label: string, queue: Queue): void {
    this.#queues.set(label, queue);
  }
}

/**
 * The advisor, counting answers by intent and outcome and timing them.
 * @example const advisor = instrumentAdvisor(handle.advisor, metrics);
 */
export function instrumentAdvisor(advisor: AdvisorApi, metrics: Metrics): AdvisorApi {
  return {
    async handle(message) {
      const stop = metrics.answerSeconds.startTimer();
      try {
        const reply = await advisor.handle(message);
        stop({ intent: reply.intent });
        metrics.answers.inc({ intent: reply.intent, outcome: reply.kind ?? 'answer' });
        return reply;
      } catch (err) {
        stop({ intent: 'unknown' });
        metrics.answers.inc({ intent: 'unknown', outcome: 'error' });
        throw err;
      }
    },
    recordFeedback: (feedback) => advisor.recordFeedback(feedback),
  };
}
