/**
 * The operations endpoint of a bot replica or a worker: `GET /healthz` for load balancers and systemd, `GET
 * /metrics` for Prometheus. Started only when TENSORDUEL_METRICS_PORT is set, never for the terminal chat.
 */
import { createServer, type Server } from 'node:http';
import type { Config } from '../config.ts';
import type { BenchQueueApi } from '../core/jobs/BenchQueue.ts';
import type { Logger } from '../core/ports.ts';
import type { AdvisorApi } from '../core/types.ts';
import { BullBenchQueue } from '../infra/queue/BullBenchQueue.ts';
import { instrumentAdvisor, Metrics, type RedisClients } from './metrics.ts';

/** What `/healthz` reports: `ok` false answers 503. */
export interface Health {
  ok: boolean;
  checks: Record<string, string>;
}

/** A started operations server. */
export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` and `/metrics` on `host:port` (port 0 picks a free one).
 * @example const ops = await serveOps({ port: 9464, host: '0.0.0.0', metrics, health: async () => ({ ok: true, checks: {} }), logger });
 * // curl :9464/healthz → {"status":"ok","checks":{"redis":"up"}}
 */
export async function serveOps(options: {
  port: number;
  host: string;
  metrics: Metrics;
  health: () => Promise<Health>;
  logger: Logger;
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/healthz') {
      options.health().then(
        (h) => {
          res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: h.ok ? 'ok' : 'unavailable', checks: h.checks }));
        },
        () => res.writeHead(503).end(),
      );
      return;
    }
    if (path === '/metrics') {
      options.metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          options.logger.warn('metrics collection failed', {
            error: err instanceof Error ? err.message : String(err),
          });
          res.writeHead(500).end();
        },
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info('ops endpoint listening', {
    host: options.host,
    port,
    paths: ['/healthz', '/metrics'],
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A bot replica's ops endpoint when TENSORDUEL_METRICS_PORT is set: the advisor wrapped to count answers, and
 * the distributed queue's depth, workers and Redis state: each of the queue's clients, and each of `clients`
 * (the replica's others: its advisor's, its shared state's). A replica without Redis is still healthy (it answers
 * questions); `/healthz` says `redis: down` so an operator sees benchmarks are off. Undefined when not configured.
 */
export async function startBotOps(
  config: Pick<Config, 'TENSORDUEL_METRICS_PORT' | 'TENSORDUEL_METRICS_HOST'>,
  advisor: AdvisorApi,
  logger: Logger,
  queue: BenchQueueApi | undefined,
  clients: RedisClients = () => [],
): Promise<{ advisor: AdvisorApi; port: number; stop(): Promise<void> } | undefined> {
  if (config.TENSORDUEL_METRICS_PORT === undefined) return undefined;
  const metrics = new Metrics('bot');
  const bull = queue instanceof BullBenchQueue ? queue : undefined;
  if (bull) {
    metrics.watchRedisClients(() => bull.redisClients());
    for (const [label, q] of bull.queues) metrics.watchQueue(label, q);
  }
  metrics.watchRedisClients(clients);
  const ops = await serveOps({
    port: config.TENSORDUEL_METRICS_PORT,
    host: config.TENSORDUEL_METRICS_HOST,
    metrics,
    logger,
    health: async () => ({
      ok: true,
      checks: bull ? { redis: bull.redis.status === 'ready' ? 'up' : 'down' } : { redis: 'not configured' },
    }),
  });
  return { advisor: instrumentAdvisor(advisor, metrics), port: ops.port, stop: () => ops.close() };
}
