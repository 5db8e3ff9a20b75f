/** The versioned benchmark result document: what is stored in the history and what every renderer reads. */
import { z } from 'zod';
import { ENGINES, RUNNERS } from './engines.ts';
import { blasInfoSchema } from './protocol.ts';
import { PRECISIONS } from './workload.ts';

/** The result document's format version; bump on incompatible changes. */
export const BENCH_RESULT_VERSION = 1 as const;

const num = z.number().nullable();

/** Metrics of one row; null where the row does not measure it (e.g. training on ONNX Runtime). */
export const benchMetricsSchema = z.strictObject({
  /**
   * Training throughput: median over repetitions (of every process) of batch / the repetition's median step time;
   * _min/_max: the spread of the per-process medians (over repetitions with one process).
   */
  train_samples_per_s: num,
  train_samples_per_s_min: num,
  train_samples_per_s_max: num,
  /** Per-step wall time over all timed steps. */
  train_step_ms_p50: num,
  train_step_ms_p90: num,
  /** The first training step (graph build, JIT, compile, allocator warm-up): excluded from the above. */
  first_step_ms: num,
  /** Batch-1 inference latency over all timed calls. */
  infer_latency_ms_p50: num,
  infer_latency_ms_p99: num,
  /** Large-batch inference throughput: median over repetitions. */
  infer_samples_per_s: num,
  infer_samples_per_s_min: num,
  infer_samples_per_s_max: num,
  /** The first inference call, excluded from the above. */
  first_infer_ms: num,
  /** Peak memory: process peak RSS on CPU, peak allocated device memory on CUDA (see memory_kind). */
  peak_memory_mb: num,
  /** Loss on the first batch under the shared initial weights (equivalence check). */
  first_loss: num,
  /** Loss on the last training step's batch (after steps_trained steps; equivalence check). */
  final_loss: num,
  /** matmul: achieved TFLOP/s (2·N³ / median time), with spread over repetitions. */
  tflops: num,
  tflops_min: num,
  tflops_max: num,
  /** ‖final − initial weights‖₂ after stepsTrained steps: the equivalence check's weight checksum. */
  weight_delta_norm: num.default(null),
  /** Compiled modes (torch.compile, XLA): step 0, which traces and compiles; excluded from every other figure. */
  compile_ms: num.default(null),
});

/** Metric values of one row. */
export type BenchMetrics = z.infer<typeof benchMetricsSchema>;

/** Every metric key, in display order. */
export const METRIC_KEYS = Object.keys(benchMetricsSchema.shape) as Array<keyof BenchMetrics>;

/** A row with every metric null. */
export function emptyMetrics(): BenchMetrics {
  return Object.fromEntries(METRIC_KEYS.map((k) => [k, null])) as BenchMetrics;
}

/** One (workload, runner, precision) run. */
export const benchRowSchema = z.strictObject({
  workload: z.string(),
  engine: z.enum(ENGINES),
  runner: z.enum(RUNNERS),
  /** Human name of the runner, e.g. "TensorFlow.js". */
  label: z.string(),
  engineVersion: z.string().nullable(),
  /** e.g. "wasm (SIMD, 1 thread)", "cpu (OpenBLAS/oneDNN)", "cuda (cuDNN 8.9)". */
  backend: z.string().nullable(),
  device: z.enum(['cpu', 'cuda']).nullable(),
  /** e.g. "NVIDIA H100 80GB HBM3" or the CPU model. */
  deviceName: z.string().nullable(),
  precision: z.enum(PRECISIONS),
  /** Whether TF32 math was allowed for fp32 matmuls/convolutions; null when the runtime gives no control. */
  tf32: z.boolean().nullable(),
  threads: z.number().int().nullable(),
  /** eager | graph | compiled | inference-session. */
  mode: z.string().nullable(),
  driver: z.string().nullable(),
  cuda: z.string().nullable(),
  status: z.enum(['ok', 'unavailable', 'failed']),
  /** Why a row is unavailable or failed. */
  reason: z.string().nullable(),
  /** The command that installs a missing engine. */
  installHint: z.string().nullable(),
  /** The tail of the runner's stderr when it failed. */
  stderrTail: z.string().nullable(),
  repeats: z.number().int().min(0),
  stepsPerRepeat: z.number().int().min(0),
  batch: z.number().int().nullable(),
  inferBatch: z.number().int().nullable(),
  stepsTrained: z.number().int().nullable(),
  matmulSize: z.number().int().nullable(),
  /** Device peak TFLOP/s for this precision (matmul rows), and where the figure comes from. */
  peakTflops: z.number().nullable(),
  peakSource: z.string().nullable(),
  memoryKind: z.enum(['rss', 'cuda-allocated']).nullable(),
  metrics: benchMetricsSchema,
  /** Method notes from the runner, e.g. "embedding lookup as one-hot × matrix". */
  notes: z.array(z.string()),
  /** Problems found when comparing rows, e.g. losses that do not agree across engines. */
  flags: z.array(z.string()),
  /** Separate runner processes this row's figures come from (interleaved with the other engines'). */
  processes: z.number().int().min(0).default(1),
  /** Each process's own median (throughputs, TFLOP/s) and batch-1 p50: the spread claims are gated on. */
  perProcess: z
    .array(
      z.strictObject({
        train_samples_per_s: num,
        infer_latency_ms_p50: num,
        infer_samples_per_s: num,
        tflops: num,
      }),
    )
    .default([]),
  /** Losses at checkpoint steps (0, 1, 2, 4, 8, …, last) of the first process: the equivalence trace. */
  lossTrace: z.array(z.strictObject({ step: z.number().int().min(0), loss: z.number() })).default([]),
  /** The BLAS behind the engine's CPU matmuls, as found on the host (PyTorch rows). */
  blas: blasInfoSchema.nullable().default(null),
  /** Problems with the host's setup this row measured, e.g. a generic BLAS core on an AVX-512 CPU. */
  warnings: z.array(z.string()).default([]),
});

/** One result row. */
export type BenchRow = z.infer<typeof benchRowSchema>;

/** The host the benchmark ran on. */
export const benchEnvironmentSchema = z.strictObject({
  host: z.strictObject({ os: z.string(), release: z.string(), arch: z.string(), hostname: z.string() }),
  cpu: z.strictObject({
    model: z.string(),
    cores: z.number().int(),
    mhz: z.number().nullable(),
    /** SIMD extensions relevant to the peak estimate, e.g. ["avx2", "fma"]. */
    simd: z.array(z.string()),
    /** From /proc/cpuinfo: vendor_id, cpu family and model (the microarchitecture for the peak estimate). */
    vendor: z.string().nullable().default(null),
    family: z.number().int().nullable().default(null),
    modelNumber: z.number().int().nullable().default(null),
    /** cpufreq's cpuinfo_max_freq (the boost clock) where the host exposes it; VMs often do not. */
    maxMhz: z.number().nullable().default(null),
  }),
  memoryGb: z.number(),
  gpus: z.array(
    z.strictObject({
      name: z.string(),
      driver: z.string().nullable(),
      cuda: z.string().nullable(),
      memoryMb: z.number().nullable(),
    }),
  ),
  /** Runtime versions, e.g. { node: "20.20.2", python: "3.11.2", torch: "1.13.0" }. */
  versions: z.record(z.string(), z.string()),
  /** The highest 1-minute load average seen before any run of this benchmark (null: not measured). */
  loadMax: z.number().nullable().default(null),
});

/** Host facts. */
export type BenchEnvironment = z.infer<typeof benchEnvironmentSchema>;

/** What was asked for. */
export const benchSettingsSchema = z.strictObject({
  workloads: z.array(z.string()),
  engines: z.array(z.enum(ENGINES)),
  device: z.enum(['auto', 'cpu', 'cuda']),
  repeats: z.number().int().positive(),
  steps: z.number().int().positive().nullable(),
  warmup: z.number().int().min(0).nullable(),
  threads: z.number().int().positive(),
  compile: z.boolean(),
  timeoutS: z.number().positive(),
  /** Runner processes per engine, run interleaved (A B, B A, A B, …). */
  processes: z.number().int().positive().default(1),
});

/** Settings of one benchmark. */
export type BenchSettings = z.infer<typeof benchSettingsSchema>;

/** The whole result document (version 1). */
export const benchResultSchema = z.strictObject({
  version: z.literal(BENCH_RESULT_VERSION),
  id: z.string().min(1),
  /** ISO 8601 start time. */
  createdAt: z.string(),
  durationMs: z.number().min(0),
  /** False when the run was cancelled or stopped early. */
  completed: z.boolean(),
  settings: benchSettingsSchema,
  environment: benchEnvironmentSchema,
  rows: z.array(benchRowSchema),
  /** Method notes shown under the table (e.g. "bf16 skipped on CPU"). */
  notes: z.array(z.string()),
});

/** A benchmark result document. */
export type BenchResultDoc = z.infer<typeof benchResultSchema>;

/** Validates an unknown value (e.g. read back from the history) as a result document. */
export function parseBenchResult(value: unknown): BenchResultDoc {
  return benchResultSchema.parse(value);
}
