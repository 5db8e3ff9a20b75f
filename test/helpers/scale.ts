/**
 * The pieces of a distributed TensorDuel on one machine, for the scale e2e test and `npm run bench:scale`: a real
 * redis-server, `tensorduel worker` child processes (real runners), and bot replicas (BullBenchQueue) whose chat
 * is a recorder standing in for an adapter (creates one status message, then edits it; records result posts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { BenchResultDoc } from '../../src/core/bench/result.ts';
import type { BenchRequest } from '../../src/core/bench/run.ts';
import type { BenchPolicy } from '../../src/core/jobs/BenchQueue.ts';
import type { BenchRun } from '../../src/core/jobs/bench-run.ts';
import { silentLogger, systemClock } from '../../src/core/ports.ts';
import { BullBenchQueue } from '../../src/infra/queue/BullBenchQueue.ts';

/**
 * Tiny real runs: the TF.js runner (one process, one repetition of two steps). TensorFlow's Python runner, part
 * of the same engine, is left unavailable (workers get a Python without TensorFlow, see spawnWorker): importing
 * Python TensorFlow takes tens of seconds on a loaded 2-core machine and says nothing about the queue.
 */
export const TINY_RUN: Partial<BenchRequest> = { repeats: 1, steps: 2, warmup: 0, processes: 1 };

/** Debian's Python has PyTorch but not TensorFlow: the tf-python runner is found unavailable at once. */
const NO_TF_PYTHON = '/usr/bin/python3';
/** What every tiny run asks for. */
export const TINY_REQUEST: BenchRun['request'] = { workloads: ['mlp'], engines: ['tensorflow'] };

export const ADMIN = 'slack:UADMIN';
export const POLICY: BenchPolicy = {
  admins: [ADMIN],
  users: [],
  roles: [],
  channels: [],
  ratePerHour: 0,
  maxRunS: 600,
};
export const requester = { userId: ADMIN, roles: [], channelId: 'slack:C1' };
export const TARGET = { platform: 'test', data: {} };

/** A chat as an adapter sees it: status messages (created once, then edited) and result posts. */
export class RecordingChat {
  created: Array<{ run: string; at: number }> = [];
  edits: Array<{ run: string; text: string; at: number }> = [];
  results: Array<{ run: string; doc: string; by: string; at: number }> = [];
  notifier(replica: string) {
    return {
      status: async (run: BenchRun, text: string) => {
        if (!run.target.data.ts) {
          run.target.data.ts = `msg-${run.id}`;
          this.created.push({ run: run.id, at: Date.now() });
        } else this.edits.push({ run: run.id, text, at: Date.now() });
      },
      result: async (run: BenchRun, doc: BenchResultDoc) => {
        this.results.push({ run: run.id, doc: doc.id, by: replica, at: Date.now() });
      },
    };
  }
  lastText(run: string): string {
    return this.edits.filter((e) => e.run === run).at(-1)?.text ?? '';
  }
}

/** A bot replica on `url` with the tiny defaults (more may be given, e.g. a fault). */
export async function startBot(
  url: string,
  chat: RecordingChat,
  name: string,
  defaults: Partial<BenchRequest> = {},
): Promise<BullBenchQueue> {
  const queue = new BullBenchQueue({
    url,
    policy: POLICY,
    clock: systemClock,
    logger: silentLogger,
    defaults: { ...TINY_RUN, ...defaults },
  });
  queue.attach('test', chat.notifier(name));
  await queue.start();
  return queue;
}

/** A `tensorduel worker` child process and what it logged. */
export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  /** Parsed JSON log lines, in order. */
  lines: Array<Record<string, unknown>>;
  /** Resolves once the worker is taking jobs. */
  ready: Promise<void>;
  exited: Promise<void>;
}

/** Starts `tensorduel worker --name NAME` against `url` with a short lock (a dead worker is noticed in seconds). */
export function spawnWorker(url: string, name: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['bin/tensorduel.js', 'worker', '--queue', 'cpu', '--name', name], {
    env: {
      ...process.env,
      TENSORDUEL_REDIS_URL: url,
      LOG_LEVEL: 'info',
      TENSORDUEL_WORKER_LOCK_S: '4',
      TENSORDUEL_WORKER_STALLED_CHECK_S: '2',
      TENSORDUEL_PYTHON: NO_TF_PYTHON,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}) before it was ready`)));
  });
  ready.catch(() => {});
  child.stderr?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let i = buffer.indexOf('\n');
    while (i >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        if (parsed.msg === 'bench worker ready') markReady();
      } catch {
        // not a log line
      }
      i = buffer.indexOf('\n');
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { name, child, lines, ready, exited };
}

/** Run ids a worker logged as started (each once if nothing ran twice). */
export function startedRuns(worker: WorkerProcess): string[] {
  return worker.lines.filter((l) => l.msg === 'bench run started').map((l) => String(l.run));
}

/** Pids of every live descendant of `pid` (a killed worker's runner processes outlive it). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Stops a worker: SIGTERM, then SIGKILL for it and its runners if it lingers. */
export async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), 15_000);
  await worker.exited;
  clearTimeout(timer);
}
