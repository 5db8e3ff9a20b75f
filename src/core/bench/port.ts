/** The port through which the benchmark core runs one engine job; src/infra/bench implements it with child processes. */
import type { RunnerId } from './engines.ts';
import type { RawMeasurements, RunnerHello } from './protocol.ts';
import type { BenchEnvironment } from './result.ts';
import type { Precision, WorkloadSpec } from './workload.ts';

/** One (workload, runner, precision) run, fully resolved. */
export interface BenchJob {
  runner: RunnerId;
  workload: WorkloadSpec;
  device: 'auto' | 'cpu' | 'cuda';
  precision: Precision;
  threads: number;
  repeats: number;
  steps: number;
  warmup: number;
  inferBatch: number;
  /** Overrides the workload's matmul N for every device; null uses the workload's size for the device. */
  matmulSize: number | null;
  /** TF.js backend preference ("auto", "wasm", "cpu", "tensorflow"). */
  tfjsBackend: string;
  timeoutS: number;
  /** Fault injection (tests): makes the real runner crash or hang. */
  fault: 'none' | 'crash' | 'hang' | 'hang-ignore-sigterm';
}

/** Progress reported by a runner while a job runs. */
export interface JobProgress {
  phase: string;
  done: number;
  total: number;
}

/** How one job ended. */
export type JobOutcome =
  | { status: 'ok'; hello: RunnerHello; raw: RawMeasurements }
  | { status: 'unavailable'; reason: string; hello: RunnerHello | null }
  | { status: 'failed'; reason: string; stderrTail: string; hello: RunnerHello | null };

/** Runs benchmark jobs one at a time, each isolated in its own process. */
export interface BenchmarkRunner {
  /** Host facts: OS, CPU, GPUs, runtime versions. */
  environment(): Promise<BenchEnvironment>;
  /** The host's 1-minute load average now (null where unknown): runs on a busy host cannot decide a claim. */
  hostLoad?(): number | null;
  /** Runs one job; never throws for engine problems (returns failed/unavailable), rejects only on abort bugs. */
  run(
    job: BenchJob,
    hooks: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void },
  ): Promise<JobOutcome>;
}
