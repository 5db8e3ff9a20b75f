/** Shared helpers of the benchmark tests: tiny real workloads, synthetic rows, and a /proc scan for orphans. */
import { readdirSync, readFileSync } from 'node:fs';
import type { RunnerId } from '../../src/core/bench/engines.ts';
import type { BenchJob, JobOutcome } from '../../src/core/bench/port.ts';
import {
  type RawMeasurements,
  type RunnerHello,
  rawMeasurementsSchema,
} from '../../src/core/bench/protocol.ts';
import type { BenchEnvironment, BenchResultDoc, BenchRow } from '../../src/core/bench/result.ts';
import { buildRow } from '../../src/core/bench/run.ts';
import type { WorkloadSpec } from '../../src/core/bench/workload.ts';
import { loadWorkloads } from '../../src/infra/bench/workloads.ts';

/**
 * The shipped workloads shrunk for CPU tests: few digits, small batches and a small GEMM. The model shapes stay
 * those of benchmarks/*.yaml, so the runners execute the real code paths.
 */
export async function tinyWorkloads(): Promise<WorkloadSpec[]> {
  const shipped = await loadWorkloads('benchmarks');
  return shipped.map((w) => {
    const copy = structuredClone(w);
    copy.run = { steps: 3, warmup: 1, repeats: 1 };
    if (copy.kind === 'matmul') copy.size = { cpu: 64, cuda: 256 };
    else {
      copy.train.batch = 32;
      copy.infer = { largeBatch: 64, throughputIters: 2 };
      copy.data.samples = copy.kind === 'transformer' ? 128 : 256;
    }
    return copy;
  });
}

/** A fixed host, so synthetic documents do not depend on the machine. */
export const TEST_ENV: BenchEnvironment = {
  host: { os: 'linux', release: '6.1', arch: 'x64', hostname: 'test-host' },
  cpu: {
    model: 'Test CPU @ 2.00GHz',
    cores: 2,
    mhz: 2000,
    simd: ['avx2', 'fma'],
    vendor: 'GenuineIntel',
    family: 6,
    modelNumber: 85,
    maxMhz: null,
  },
  memoryGb: 8,
  gpus: [],
  versions: { node: '20.0.0' },
  loadMax: null,
};

const HELLO: Record<RunnerId, RunnerHello> = {
  tfjs: hello('4.22.0', 'wasm (SIMD, single-threaded)'),
  'tf-python': hello('2.21.0', 'cpu (Eigen + oneDNN)'),
  'tf-xla': hello('2.21.0', 'cpu (Eigen + oneDNN)'),
  torch: hello('2.13.0', 'cpu (mkl, oneDNN, ATen AVX512)'),
  'torch-compile': hello('2.13.0', 'cpu (inductor)'),
  onnxruntime: hello('1.20.0', 'cpu (CPUExecutionProvider)'),
};

function hello(engineVersion: string, backend: string): RunnerHello {
  return {
    type: 'hello',
    engineVersion,
    backend,
    device: 'cpu',
    deviceName: 'Test CPU',
    threads: 1,
    tf32: false,
    mode: 'eager',
    driver: null,
    cuda: null,
    versions: {},
    blas: null,
  };
}

/** A job for `runner` on `workload` with the given repetition settings. */
export function jobFor(
  runner: RunnerId,
  workload: WorkloadSpec,
  overrides: Partial<BenchJob> = {},
): BenchJob {
  return {
    runner,
    workload,
    device: 'cpu',
    precision: 'fp32',
    threads: 1,
    repeats: 5,
    steps: 10,
    warmup: 1,
    inferBatch: workload.kind === 'matmul' ? 1 : workload.infer.largeBatch,
    matmulSize: null,
    tfjsBackend: 'auto',
    timeoutS: 60,
    fault: 'none',
    ...overrides,
  };
}

/**
 * Raw timings shaped like a runner's: every training step takes `stepMs` (± jitter across repetitions), every
 * batch-1 call `latencyMs`, every large-batch call `largeMs`.
 */
export function rawTimings(options: {
  repeats?: number;
  steps?: number;
  stepMs?: number;
  latencyMs?: number;
  largeMs?: number;
  iters?: number;
  loss?: [number, number];
  matmulMs?: number;
}): RawMeasurements {
  const repeats = options.repeats ?? 5;
  const steps = options.steps ?? 10;
  const jitter = (i: number) => 1 + (i - (repeats - 1) / 2) * 0.01;
  const stepMs = options.stepMs ?? 2;
  const iters = options.iters ?? 3;
  const raw: RawMeasurements = rawMeasurementsSchema.parse({});
  raw.first_step_ms = stepMs * 20;
  for (let r = 0; r < repeats; r++) {
    for (let s = 0; s < steps; s++) raw.train_step_ms.push(stepMs * jitter(r));
    raw.train_repeat_ms.push(stepMs * jitter(r) * steps);
    for (let s = 0; s < steps; s++) raw.infer_latency_ms.push((options.latencyMs ?? 0.1) * jitter(r));
    raw.infer_repeat_ms.push((options.largeMs ?? 5) * jitter(r) * iters);
    if (options.matmulMs !== undefined) raw.matmul_repeat_ms.push(options.matmulMs * jitter(r) * steps);
  }
  raw.infer_iters = iters;
  raw.first_infer_ms = (options.latencyMs ?? 0.1) * 30;
  raw.first_loss = options.loss?.[0] ?? 2.3;
  raw.final_loss = options.loss?.[1] ?? 1.1;
  raw.steps_trained = 1 + 1 + repeats * steps;
  raw.peak_memory_mb = 200;
  raw.memory_kind = 'rss';
  return raw;
}

/** A row built by the real buildRow from a synthetic outcome. */
export function syntheticRow(
  runner: RunnerId,
  workload: WorkloadSpec,
  outcome: Partial<Parameters<typeof rawTimings>[0]> | { status: 'unavailable' | 'failed'; reason: string },
  job: Partial<BenchJob> = {},
): BenchRow {
  const j = jobFor(runner, workload, job);
  let result: JobOutcome;
  if ('status' in outcome)
    result =
      outcome.status === 'unavailable'
        ? { status: 'unavailable', reason: outcome.reason, hello: null }
        : {
            status: 'failed',
            reason: outcome.reason,
            stderrTail: 'Traceback (most recent call last):\nRuntimeError: boom',
            hello: null,
          };
  else
    result = {
      status: 'ok',
      hello: HELLO[runner],
      raw: rawTimings({ repeats: j.repeats, steps: j.steps, ...outcome }),
    };
  return buildRow(j, result, TEST_ENV);
}

/** A result document around `rows`. */
export function docWith(rows: BenchRow[], overrides: Partial<BenchResultDoc> = {}): BenchResultDoc {
  return {
    version: 1,
    id: 'bench-test',
    createdAt: '2026-11-26T12:00:00.000Z',
    durationMs: 1234,
    completed: true,
    settings: {
      workloads: [...new Set(rows.map((r) => r.workload))],
      engines: ['tensorflow', 'pytorch', 'onnxruntime'],
      device: 'cpu',
      repeats: 5,
      steps: null,
      warmup: null,
      threads: 1,
      compile: false,
      timeoutS: 60,
      processes: 3,
    },
    environment: structuredClone(TEST_ENV),
    rows,
    notes: [],
    ...overrides,
  };
}

/** Pids of live processes whose environment holds `marker` (a unique TD_TEST_MARK value given to the runners). */
export function processesWithMarker(marker: string): number[] {
  const needle = `TD_TEST_MARK=${marker}`;
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'latin1');
      if (!env.split('\0').includes(needle)) continue;
      // A zombie has exited; it is only waiting for its parent to reap it.
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z') out.push(Number(name));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out;
}

/** The command line of a live process ('' when it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** True while a process group has a member that has not exited (zombies awaiting their reaper do not count). */
export function groupAlive(pgid: number): boolean {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields after the command: state, ppid, pgrp, …
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
    } catch {
      // Gone meanwhile.
    }
  }
  return false;
}

/** Polls `check` every 50 ms until it holds or `timeoutMs` passes; returns its last value. */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
