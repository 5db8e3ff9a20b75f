/** Wires the benchmark from configuration: workloads from benchmarks/, child-process runners, config defaults. */
import { join } from 'node:path';
import type { Config } from '../../config.ts';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import { type BenchProgress, type BenchRequest, runBenchmark } from '../../core/bench/run.ts';
import type { WorkloadSpec } from '../../core/bench/workload.ts';
import type { Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { ProcessBenchmarkRunner } from './ProcessBenchmarkRunner.ts';
import { loadWorkloads } from './workloads.ts';

/** The settings the benchmark reads. */
export type BenchConfig = Pick<
  Config,
  'TENSORDUEL_PYTHON' | 'TENSORDUEL_CACHE_DIR' | 'TENSORDUEL_BENCH_TIMEOUT_S' | 'TENSORDUEL_TFJS_BACKEND'
>;

/** A ready-to-use benchmark: what the CLI and the chat queue call. */
export interface BenchService {
  runner: ProcessBenchmarkRunner;
  /** The validated workloads (loaded once). */
  workloads(): Promise<WorkloadSpec[]>;
  /** Runs a benchmark with config defaults (time limit, TF.js backend); never saves it. */
  execute(
    request: BenchRequest,
    hooks?: { signal?: AbortSignal; onProgress?: (event: BenchProgress) => void },
  ): Promise<BenchResultDoc>;
}

/**
 * Creates the service from configuration.
 * @example
 * const bench = createBenchService(loadConfig());
 * const doc = await bench.execute({ workloads: ['mlp'] }, { signal: controller.signal, onProgress: (e) => console.log(e.message) });
 */
export function createBenchService(
  config: BenchConfig,
  options: { logger?: Logger; benchmarksDir?: string; workDir?: string } = {},
): BenchService {
  const runner = new ProcessBenchmarkRunner({
    workDir: options.workDir ?? join(config.TENSORDUEL_CACHE_DIR, 'bench'),
    python: config.TENSORDUEL_PYTHON,
    logger: options.logger ?? silentLogger,
  });
  let loaded: Promise<WorkloadSpec[]> | undefined;
  const workloads = () => {
    loaded ??= loadWorkloads(options.benchmarksDir ?? 'benchmarks');
    return loaded;
  };
  return {
    runner,
    workloads,
    async execute(request, hooks = {}) {
      const deps: Parameters<typeof runBenchmark>[1] = { runner, workloads: await workloads() };
      if (hooks.signal) deps.signal = hooks.signal;
      if (hooks.onProgress) deps.onProgress = hooks.onProgress;
      return runBenchmark(
        {
          timeoutS: config.TENSORDUEL_BENCH_TIMEOUT_S,
          tfjsBackend: config.TENSORDUEL_TFJS_BACKEND,
          ...request,
        },
        deps,
      );
    },
  };
}
