/** The orchestrator with a fake runner: interleaved processes, spread across them, unavailable runners not retried. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BenchJob, BenchmarkRunner, JobOutcome } from '../../../src/core/bench/port.ts';
import { buildRow, runBenchmark } from '../../../src/core/bench/run.ts';
import type { WorkloadSpec } from '../../../src/core/bench/workload.ts';
import { jobFor, rawTimings, TEST_ENV, tinyWorkloads } from '../../helpers/bench.ts';

let workloads: WorkloadSpec[];
beforeAll(async () => {
  workloads = await tinyWorkloads();
});

const HELLO = {
  type: 'hello' as const,
  engineVersion: '1.0',
  backend: 'cpu',
  device: 'cpu' as const,
  deviceName: 'Test CPU',
  threads: 1,
  tf32: false,
  mode: 'eager',
  driver: null,
  cuda: null,
  versions: {},
  blas: null,
};

/** A runner whose n-th process of each engine takes `stepMs[n]` per training step; tf-python is unavailable. */
function fakeRunner(stepMs: Record<string, number[]>) {
  const calls: string[] = [];
  const seen = new Map<string, number>();
  const runner: BenchmarkRunner = {
    environment: async () => structuredClone(TEST_ENV),
    run: async (job: BenchJob): Promise<JobOutcome> => {
      calls.push(job.runner);
      if (job.runner === 'tf-python')
        return { status: 'unavailable', reason: 'no Python can import tensorflow', hello: null };
      const n = seen.get(job.runner) ?? 0;
      seen.set(job.runner, n + 1);
      const hello = {
        type: 'hello' as const,
        engineVersion: '1.0',
        backend: 'cpu',
        device: 'cpu' as const,
        deviceName: 'Test CPU',
        threads: 1,
        tf32: false,
        mode: 'eager',
        driver: null,
        cuda: null,
        versions: {},
        blas: null,
      };
      return {
        status: 'ok',
        hello,
        raw: rawTimings({ repeats: job.repeats, steps: job.steps, stepMs: stepMs[job.runner]?.[n] ?? 1 }),
      };
    },
  };
  return { runner, calls };
}

describe('runBenchmark: independent, interleaved processes', () => {
  it('runs each engine in 3 processes, alternating the order, and never retries an unavailable one', async () => {
    const { runner, calls } = fakeRunner({ tfjs: [4, 4, 4], torch: [1, 1, 1] });
    const doc = await runBenchmark(
      { workloads: ['mlp'], engines: ['tensorflow', 'pytorch'] },
      { runner, workloads },
    );
    expect(calls).toEqual(['tfjs', 'tf-python', 'torch', 'torch', 'tfjs', 'tfjs', 'torch']);
    const torch = doc.rows.find((r) => r.runner === 'torch');
    expect(torch?.processes).toBe(3);
    expect(torch?.perProcess).toHaveLength(3);
    expect(doc.rows.find((r) => r.runner === 'tf-python')?.status).toBe('unavailable');
    expect(doc.settings.processes).toBe(3);
  });

  it('reports the spread of the per-process medians, so one fast process cannot hide behind its own repetitions', async () => {
    const { runner } = fakeRunner({ torch: [1, 2, 1.5] });
    const doc = await runBenchmark({ workloads: ['mlp'], engines: ['pytorch'] }, { runner, workloads });
    const m = doc.rows[0]?.metrics;
    const samples = (ms: number) => (10 * 32) / ((ms * 10) / 1000);
    // rawTimings jitters repetitions by ±1%; the per-process medians are the un-jittered values.
    expect(m?.train_samples_per_s_max).toBeCloseTo(samples(1), 0);
    expect(m?.train_samples_per_s_min).toBeCloseTo(samples(2), 0);
  });

  it('takes training throughput from each repetition median step, so one preempted step does not move it', () => {
    const mlp = workloads.find((w) => w.id === 'mlp') as WorkloadSpec;
    const raw = rawTimings({ repeats: 1, steps: 5, stepMs: 2 });
    raw.train_step_ms = [2, 2, 2, 2, 50];
    raw.train_repeat_ms = [58];
    const job = { ...jobFor('torch', mlp), repeats: 1, steps: 5 };
    const row = buildRow(job, { status: 'ok', hello: HELLO, raw }, TEST_ENV);
    expect(row.metrics.train_samples_per_s).toBeCloseTo((32 * 1000) / 2, 6);
  });
});
