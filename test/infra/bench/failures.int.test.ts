/**
 * Failure behaviour on the real runners: a missing engine, a crash, a hang past the time limit, and Ctrl-C
 * (AbortSignal, and SIGINT to the real CLI). After each, no process the runner started may remain.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_INFO } from '../../../src/core/bench/engines.ts';
import { encodeRequest } from '../../../src/core/bench/protocol.ts';
import type { BenchResultDoc, BenchRow } from '../../../src/core/bench/result.ts';
import { type BenchRequest, runBenchmark } from '../../../src/core/bench/run.ts';
import type { WorkloadSpec } from '../../../src/core/bench/workload.ts';
import {
  PROJECT_PYTHON,
  ProcessBenchmarkRunner,
  type ProcessRunnerOptions,
  RUNNER_SCRIPTS,
} from '../../../src/infra/bench/ProcessBenchmarkRunner.ts';
import { runChild } from '../../../src/infra/bench/supervisor.ts';
import {
  commandLine,
  eventually,
  groupAlive,
  processesWithMarker,
  tinyWorkloads,
} from '../../helpers/bench.ts';

let workloads: WorkloadSpec[];
let workDir: string;

beforeAll(async () => {
  workloads = await tinyWorkloads();
  workDir = await mkdtemp(join(tmpdir(), 'td-bench-fail-'));
});

/** A runner whose children carry a unique marker in their environment, so leftovers can be found in /proc. */
function markedRunner(options: Partial<ProcessRunnerOptions> = {}): {
  runner: ProcessBenchmarkRunner;
  marker: string;
} {
  const marker = randomUUID();
  const runner = new ProcessBenchmarkRunner({
    workDir,
    env: { ...process.env, TD_TEST_MARK: marker },
    killGraceMs: 500,
    ...options,
  });
  return { runner, marker };
}

async function bench(runner: ProcessBenchmarkRunner, request: BenchRequest, signal?: AbortSignal) {
  const deps: Parameters<typeof runBenchmark>[1] = { runner, workloads };
  if (signal) deps.signal = signal;
  return runBenchmark({ repeats: 1, processes: 1, tfjsBackend: 'wasm', timeoutS: 120, ...request }, deps);
}

const find = (doc: BenchResultDoc, workload: string, runner: BenchRow['runner']) => {
  const r = doc.rows.find((x) => x.workload === workload && x.runner === runner);
  if (!r) throw new Error(`no ${workload}/${runner} row`);
  return r;
};

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(100);
  }
}

describe('missing engines', () => {
  it('gives PyTorch and ONNX Runtime "unavailable" rows with install hints when the Python does not exist', async () => {
    const { runner } = markedRunner({ python: '/nonexistent/python3' });
    const doc = await bench(runner, { workloads: ['mlp'], engines: ['pytorch', 'onnxruntime'] });
    const torch = find(doc, 'mlp', 'torch');
    expect(torch.status).toBe('unavailable');
    expect(torch.reason).toMatch(/no Python can import torch \(TENSORDUEL_PYTHON=\/nonexistent\/python3: /);
    expect(torch.installHint).toBe(RUNNER_INFO.torch.installHint);
    const ort = find(doc, 'mlp', 'onnxruntime');
    expect(ort.status).toBe('unavailable');
    expect(ort.reason).toMatch(/exported by PyTorch/);
    expect(ort.installHint).toBe(RUNNER_INFO.onnxruntime.installHint);
  });

  it('names the import error when the configured Python has no torch', async () => {
    // The system interpreter with site-packages switched off: a real Python that cannot import torch.
    const python = join(workDir, 'python-without-torch');
    await writeFile(python, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    await chmod(python, 0o755);
    const { runner } = markedRunner({ python });
    const doc = await bench(runner, { workloads: ['matmul'], engines: ['pytorch'] });
    const torch = find(doc, 'matmul', 'torch');
    expect(torch.status).toBe('unavailable');
    expect(torch.reason).toMatch(/No module named 'torch'/);
    expect(torch.installHint).toMatch(/pip install torch/);
    const probe = await runner.probe('torch');
    expect(probe.available).toBe(false);
    expect(probe.installHint).toBe(RUNNER_INFO.torch.installHint);
  });
});

describe('crashes and time limits', () => {
  it('turns a crashed runner into a "failed" row with its stderr tail, and the other runs continue', async () => {
    const { runner, marker } = markedRunner();
    const doc = await bench(runner, {
      workloads: ['mlp', 'matmul'],
      engines: ['tensorflow', 'pytorch'],
      faults: { torch: 'crash' },
    });
    for (const w of ['mlp', 'matmul']) {
      const torch = find(doc, w, 'torch');
      expect(torch.status).toBe('failed');
      expect(torch.reason).toMatch(/runner was killed by SIGABRT before reporting a result/);
      expect(torch.stderrTail).toMatch(/fault injection: crashing on purpose/);
      const tfjs = find(doc, w, 'tfjs');
      expect(tfjs.status, `${tfjs.reason}`).toBe('ok');
    }
    expect(doc.completed).toBe(true);
    expect(processesWithMarker(marker)).toEqual([]);
  }, 180_000);

  it('kills a hung runner at the time limit, reports it failed, and leaves no process behind', async () => {
    const { runner, marker } = markedRunner();
    const doc = await bench(runner, {
      workloads: ['matmul'],
      engines: ['tensorflow', 'pytorch'],
      faults: { tfjs: 'hang', torch: 'hang-ignore-sigterm' },
      // The limit counts from spawn, and the row must name the engine from the runner's hello: the limit is
      // generous so that importing torch on a loaded 2-core machine never decides the outcome.
      timeoutS: 30,
    });
    for (const r of ['tfjs', 'torch'] as const) {
      const row = find(doc, 'matmul', r);
      expect(row.status).toBe('failed');
      expect(row.reason).toBe("timed out after 30 s; the runner's process group was killed");
      expect(row.stderrTail).toMatch(/fault injection: hang/);
      // The runner said hello before it hung, so the row still names the engine.
      expect(row.engineVersion).toMatch(/^\d+\./);
    }
    expect(processesWithMarker(marker)).toEqual([]);
  }, 180_000);

  it('kills the whole process group, grandchildren included, and the group id is gone afterwards', async () => {
    const marker = randomUUID();
    // A "runner" that starts a grandchild and then hangs, ignoring SIGTERM.
    const result = await runChild({
      command: '/bin/sh',
      args: ['-c', "trap '' TERM; sleep 300 & sleep 300; wait"],
      request: '{}\n',
      env: { ...process.env, TD_TEST_MARK: marker },
      timeoutMs: 500,
      killGraceMs: 300,
    });
    expect(result.timedOut).toBe(true);
    expect(result.pid).toBeGreaterThan(0);
    // SIGKILL is delivered asynchronously: allow the kernel a moment to finish the group off.
    expect(await eventually(() => !groupAlive(result.pid as number))).toBe(true);
    expect(processesWithMarker(marker)).toEqual([]);
  });

  it('kills the real PyTorch runner group on timeout (pid checked)', async () => {
    const marker = randomUUID();
    const matmul = workloads.find((w) => w.id === 'matmul') as WorkloadSpec;
    const result = await runChild({
      command: PROJECT_PYTHON,
      args: [RUNNER_SCRIPTS.torch],
      request: encodeRequest({
        protocol: 1,
        op: 'run',
        runner: 'torch',
        workload: matmul,
        device: 'cpu',
        precision: 'fp32',
        threads: 1,
        repeats: 1,
        steps: 1,
        warmup: 0,
        inferBatch: 1,
        matmulSize: 32,
        files: { weights: null, weightTensors: [], data: null, dataTensors: [], onnx: null },
        fault: 'hang',
      }),
      env: { ...process.env, TD_TEST_MARK: marker },
      timeoutMs: 12_000,
      killGraceMs: 500,
    });
    expect(result.timedOut).toBe(true);
    expect(result.messages.some((m) => m.type === 'hello')).toBe(true);
    expect(result.stderrTail).toMatch(/fault injection: hang/);
    expect(await eventually(() => !groupAlive(result.pid as number))).toBe(true);
    expect(processesWithMarker(marker)).toEqual([]);
  });
});

describe('cancellation (Ctrl-C)', () => {
  it('aborting kills the running child and marks the remaining runs cancelled', async () => {
    const { runner, marker } = markedRunner();
    const controller = new AbortController();
    const pending = bench(
      runner,
      { workloads: ['mlp', 'matmul'], engines: ['pytorch'], faults: { torch: 'hang' } },
      controller.signal,
    );
    await waitFor(() => processesWithMarker(marker).length > 0, 30_000);
    await sleep(300);
    controller.abort();
    const doc = await pending;
    expect(doc.completed).toBe(false);
    expect(find(doc, 'mlp', 'torch')).toMatchObject({ status: 'failed', reason: 'cancelled' });
    expect(find(doc, 'matmul', 'torch')).toMatchObject({
      status: 'failed',
      reason: 'cancelled before it started',
    });
    expect(doc.notes.join(' ')).toMatch(/Cancelled/);
    expect(processesWithMarker(marker)).toEqual([]);
  });

  it('SIGINT to `tensorduel bench` stops the run, exits 130 and leaves no runner behind', async () => {
    const marker = randomUUID();
    const cache = await mkdtemp(join(tmpdir(), 'td-bench-cli-'));
    const child = spawn(
      process.execPath,
      ['bin/tensorduel.js', 'bench', '--workloads', 'matmul', '--engines', 'pytorch', '--no-save', '--quiet'],
      {
        env: {
          ...process.env,
          TD_TEST_MARK: marker,
          TENSORDUEL_BENCH_FAULT: 'torch=hang',
          TENSORDUEL_CACHE_DIR: cache,
          TENSORDUEL_DB_FILE: join(cache, 'db.json'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait for the PyTorch runner (started by the CLI in its own process group) to be running.
    const runnerPids = () =>
      processesWithMarker(marker).filter((pid) => commandLine(pid).includes('torch_runner.py'));
    await waitFor(() => runnerPids().length > 0, 60_000);
    await sleep(500);
    child.kill('SIGINT');
    const code = await exited;
    expect(code, out).toBe(130);
    expect(out).toMatch(/SIGINT: stopping the current run/);
    expect(out).toMatch(/cancelled/);
    expect(await eventually(() => runnerPids().length === 0)).toBe(true);
    // Nothing else the CLI started (the tsx/esbuild helper included) outlives it.
    expect(await eventually(() => processesWithMarker(marker).length === 0, 5000)).toBe(true);
  });
});
