/**
 * Real runs on this machine's CPU with tiny settings: TensorFlow.js (wasm and cpu backends), Python TensorFlow,
 * PyTorch 2 (the project's .venv) and ONNX Runtime, each in its own process, through the real orchestrator.
 * Nothing here asserts a timing value.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_INFO } from '../../../src/core/bench/engines.ts';
import { flagLossMismatches } from '../../../src/core/bench/equivalence.ts';
import { type BenchResultDoc, type BenchRow, benchResultSchema } from '../../../src/core/bench/result.ts';
import { type BenchProgress, buildRow, runBenchmark } from '../../../src/core/bench/run.ts';
import { relativeDifference } from '../../../src/core/bench/stats.ts';
import type { WorkloadSpec } from '../../../src/core/bench/workload.ts';
import { ProcessBenchmarkRunner } from '../../../src/infra/bench/ProcessBenchmarkRunner.ts';
import { jobFor, processesWithMarker, tinyWorkloads } from '../../helpers/bench.ts';

const marker = randomUUID();
let workloads: WorkloadSpec[];
let workDir: string;
let wasm: BenchResultDoc;
let cpu: BenchResultDoc;
const events: BenchProgress[] = [];

const row = (doc: BenchResultDoc, workload: string, runner: BenchRow['runner']): BenchRow => {
  const found = doc.rows.find((r) => r.workload === workload && r.runner === runner);
  if (!found) throw new Error(`no ${workload}/${runner} row`);
  return found;
};

/** The metrics the issue names, with units in their names. */
const TRAIN_KEYS = [
  'train_samples_per_s',
  'train_step_ms_p50',
  'train_step_ms_p90',
  'first_step_ms',
] as const;
const INFER_KEYS = ['infer_latency_ms_p50', 'infer_latency_ms_p99', 'infer_samples_per_s'] as const;

beforeAll(async () => {
  workloads = await tinyWorkloads();
  workDir = await mkdtemp(join(tmpdir(), 'td-bench-engines-'));
  const runner = new ProcessBenchmarkRunner({ workDir, env: { ...process.env, TD_TEST_MARK: marker } });
  // Everything but the slow pure-JS backend on wasm: mlp, the CNN (im2col filter gradient), and the GEMM.
  wasm = await runBenchmark(
    {
      workloads: ['mlp', 'cnn', 'transformer', 'matmul'],
      repeats: 2,
      processes: 1,
      tfjsBackend: 'wasm',
      timeoutS: 120,
    },
    { runner, workloads, onProgress: (e) => events.push(e) },
  );
  cpu = await runBenchmark(
    {
      workloads: ['mlp'],
      engines: ['tensorflow'],
      repeats: 1,
      processes: 1,
      tfjsBackend: 'cpu',
      timeoutS: 120,
    },
    { runner, workloads },
  );
}, 600_000);

describe('real engines on CPU (tiny settings)', () => {
  it('produces a valid version-1 result document with the environment and one row per run', () => {
    expect(() => benchResultSchema.parse(wasm)).not.toThrow();
    expect(wasm.version).toBe(1);
    expect(wasm.completed).toBe(true);
    expect(wasm.environment.cpu.cores).toBeGreaterThan(0);
    expect(wasm.environment.versions.node).toBe(process.versions.node);
    expect(wasm.environment.versions.torch).toMatch(/^\d+\.\d+/);
    expect(wasm.rows.map((r) => `${r.workload}/${r.runner}/${r.precision}`)).toEqual(
      ['mlp', 'cnn', 'transformer', 'matmul'].flatMap((w) =>
        ['tfjs', 'tf-python', 'torch', 'onnxruntime'].map((r) => `${w}/${r}/fp32`),
      ),
    );
    expect(wasm.notes.join(' ')).toMatch(/fewer than 5/);
    expect(wasm.environment.versions.torch).toMatch(/^2\./);
    expect(wasm.environment.versions.tensorflow).toMatch(/^2\./);
  });

  it('fills the training and inference metrics of TF.js (wasm), Python TensorFlow and PyTorch rows', () => {
    for (const w of ['mlp', 'cnn', 'transformer'])
      for (const runner of ['tfjs', 'tf-python', 'torch'] as const) {
        const r = row(wasm, w, runner);
        expect(r.status, `${w}/${runner}: ${r.reason} ${r.stderrTail}`).toBe('ok');
        expect(r.device).toBe('cpu');
        expect(r.precision).toBe('fp32');
        expect(r.engine).toBe(RUNNER_INFO[runner].engine);
        expect(r.engineVersion).toMatch(/^\d+\.\d+/);
        expect(r.threads).toBe(1);
        expect(r.tf32).not.toBe(true);
        for (const k of [...TRAIN_KEYS, ...INFER_KEYS, 'peak_memory_mb', 'final_loss'] as const)
          expect(r.metrics[k], `${w}/${runner} ${k}`).toBeGreaterThan(0);
        const m = r.metrics;
        expect(m.train_step_ms_p50).toBeLessThanOrEqual(m.train_step_ms_p90 as number);
        expect(m.infer_latency_ms_p50).toBeLessThanOrEqual(m.infer_latency_ms_p99 as number);
        expect(m.train_samples_per_s_min).toBeLessThanOrEqual(m.train_samples_per_s_max as number);
        expect(m.tflops).toBeNull();
        expect(r.batch).toBe(32);
        expect(r.inferBatch).toBe(64);
        expect(r.metrics.weight_delta_norm, `${w}/${runner}`).toBeGreaterThan(0);
        expect(r.lossTrace.map((p) => p.step)).toEqual([0, 1, 2, 4, 7]);
        // first step + 1 warm-up + 2 repetitions × 3 steps.
        expect(r.stepsTrained).toBe(8);
        expect(r.memoryKind).toBe('rss');
      }
    expect(row(wasm, 'mlp', 'tfjs').backend).toMatch(/^wasm/);
    expect(row(wasm, 'mlp', 'torch').backend).toMatch(/^cpu/);
    expect(row(wasm, 'mlp', 'tf-python').backend).toMatch(/^cpu \(Eigen/);
    expect(row(wasm, 'mlp', 'tf-python').mode).toBe('graph (tf.function)');
  });

  it('reports the BLAS PyTorch really uses, as the host has it', () => {
    const blas = row(wasm, 'mlp', 'torch').blas;
    expect(blas?.library).toMatch(/^(mkl|openblas|blas)$/);
    expect(blas?.cpuCapability).toMatch(/^(DEFAULT|AVX2|AVX512|ZVECTOR|NEON|SVE\d*)$/);
    // numpy's bundled OpenBLAS is mapped into the process too, but it is not torch's BLAS.
    if (blas?.library === 'mkl') expect(blas.version).toMatch(/^\d{4}/);
  });

  it('gives ONNX Runtime inference rows only, from the exported PyTorch model', () => {
    const r = row(wasm, 'mlp', 'onnxruntime');
    expect(r.status, `${r.reason} ${r.stderrTail}`).toBe('ok');
    for (const k of INFER_KEYS) expect(r.metrics[k]).toBeGreaterThan(0);
    for (const k of TRAIN_KEYS) expect(r.metrics[k]).toBeNull();
    expect(r.metrics.final_loss).toBeNull();
    expect(r.batch).toBeNull();
  });

  it('reports matmul TFLOP/s with a labelled peak and no training metrics', () => {
    for (const runner of ['tfjs', 'torch', 'onnxruntime'] as const) {
      const r = row(wasm, 'matmul', runner);
      expect(r.status, `${runner}: ${r.reason} ${r.stderrTail}`).toBe('ok');
      expect(r.matmulSize).toBe(64);
      expect(r.metrics.tflops).toBeGreaterThan(0);
      expect(r.metrics.tflops_min).toBeLessThanOrEqual(r.metrics.tflops_max as number);
      expect(r.peakTflops).toBeGreaterThan(0);
      expect(r.peakSource).toMatch(/estimate/);
      expect(r.metrics.train_samples_per_s).toBeNull();
    }
  });

  it('passes the equivalence check between Python TensorFlow, TF.js and PyTorch on every trained workload', () => {
    for (const w of ['mlp', 'cnn', 'transformer']) {
      const pt = row(wasm, w, 'torch').metrics;
      for (const runner of ['tfjs', 'tf-python'] as const) {
        const tf = row(wasm, w, runner);
        expect(tf.flags, `${w}/${runner}`).toEqual([]);
        expect(relativeDifference(tf.metrics.first_loss as number, pt.first_loss as number)).toBeLessThan(
          1e-4,
        );
        expect(
          relativeDifference(tf.metrics.weight_delta_norm as number, pt.weight_delta_norm as number),
        ).toBeLessThan(2e-3);
      }
      // Untrained softmax over the classes: close to ln 10.
      expect(Math.abs((pt.first_loss as number) - Math.log(10)), w).toBeLessThan(0.5);
    }
    const tfCpu = row(cpu, 'mlp', 'tfjs');
    expect(tfCpu.status, `${tfCpu.reason} ${tfCpu.stderrTail}`).toBe('ok');
    expect(tfCpu.backend).toMatch(/^cpu/);
    expect(
      relativeDifference(
        tfCpu.metrics.first_loss as number,
        row(wasm, 'mlp', 'torch').metrics.first_loss as number,
      ),
    ).toBeLessThan(1e-3);
  });

  it('flags a PyTorch run whose optimizer was changed (lr × 1.1, Adam epsilon 1e-4) against unmodified TensorFlow', async () => {
    const runner = new ProcessBenchmarkRunner({ workDir, env: { ...process.env, TD_TEST_MARK: marker } });
    const mlp = workloads.find((w) => w.id === 'mlp') as WorkloadSpec & { kind: 'mlp' };
    const tf = row(wasm, 'mlp', 'tf-python');
    for (const change of [{ lr: mlp.train.optimizer.lr * 1.1 }, { epsilon: 1e-4 }]) {
      const mutated = structuredClone(mlp);
      Object.assign(mutated.train.optimizer, change);
      const job = { ...jobFor('torch', mutated), repeats: 2, steps: 3, warmup: 1, inferBatch: 64 };
      const outcome = await runner.run(job, {});
      expect(outcome.status).toBe('ok');
      // The mutated row is labelled with the real workload id, so the check compares it with the real TF row.
      const torchRow = buildRow(job, outcome, wasm.environment);
      const tfRow = { ...structuredClone(tf), flags: [] };
      flagLossMismatches([tfRow, torchRow], [mlp]);
      expect(tfRow.flags.join(' '), JSON.stringify(change)).toMatch(/weight checksum|loss after step/);
    }
  }, 120_000);

  it('reports progress from start to done, never going backwards', () => {
    expect(events[0]?.kind).toBe('start');
    expect(events.at(-1)?.kind).toBe('done');
    expect(events.at(-1)?.fraction).toBe(1);
    const fractions = events.map((e) => e.fraction);
    for (let i = 1; i < fractions.length; i++)
      expect(fractions[i] as number).toBeGreaterThanOrEqual((fractions[i - 1] as number) - 1e-9);
    expect(events.filter((e) => e.kind === 'job-done')).toHaveLength(wasm.rows.length);
    expect(events.some((e) => e.kind === 'job-progress' && e.phase === 'train')).toBe(true);
  });

  it('harness op: torch.utils.benchmark measures the same training step in the same process', async () => {
    const runner = new ProcessBenchmarkRunner({ workDir, env: { ...process.env, TD_TEST_MARK: marker } });
    const mlp = workloads.find((w) => w.id === 'mlp') as WorkloadSpec;
    const outcome = await runner.harness({
      runner: 'torch',
      workload: mlp,
      device: 'cpu',
      precision: 'fp32',
      threads: 1,
      repeats: 2,
      steps: 3,
      warmup: 1,
      inferBatch: 64,
      matmulSize: null,
      tfjsBackend: 'auto',
      timeoutS: 120,
      fault: 'none',
    });
    if (outcome.status !== 'ok') throw new Error(`harness ${outcome.status}: ${outcome.reason}`);
    expect(outcome.raw.train_step_ms).toHaveLength(6);
    const h = outcome.raw.harness;
    expect(h?.timer_median_ms).toBeGreaterThan(0);
    expect(h?.timer_runs).toBeGreaterThan(0);
    expect(h?.description).toMatch(/blocked_autorange after each of 2 repetitions/);
    // The harness measures training only.
    expect(outcome.raw.infer_latency_ms).toEqual([]);
  });

  it('leaves no runner process behind', () => {
    expect(processesWithMarker(marker)).toEqual([]);
  });
});
