/**
 * A real Redis for tests: Debian's redis-server on a free port on 127.0.0.1, nothing saved unless a test asks for
 * a restart (which saves a snapshot first and loads it back, as a Redis with persistence would).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';

/** A running redis-server. */
export interface TestRedis {
  port: number;
  url: string;
  /** Stops it abruptly (SIGKILL), keeping nothing: Redis is down until `start()`. */
  kill(): Promise<void>;
  /** Saves a snapshot, shuts down, and starts again on the same port with that snapshot. */
  restart(): Promise<void>;
  /** Starts it again (after `kill()`), empty unless a snapshot was saved. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-400)}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts redis-server (throws when it is not installed: `apt-get install -y redis-server`).
 * @example const redis = await startRedis(); … await redis.close();
 */
export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'td-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port, dir);
  const stopNow = async () => {
    if (!child) return;
    const c = child;
    child = undefined;
    c.kill('SIGKILL');
    await exited(c);
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: stopNow,
    async start() {
      child ??= await launch(port, dir);
    },
    async restart() {
      const c = child;
      if (!c) throw new Error('redis is not running');
      const admin = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
      // SHUTDOWN SAVE writes dump.rdb even with `--save ''`; the new process loads it from the same folder.
      await admin.call('SHUTDOWN', 'SAVE').catch(() => undefined);
      admin.disconnect();
      await exited(c);
      child = await launch(port, dir);
    },
    async close() {
      await stopNow();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
