/**
 * The one JSON-lines protocol between the orchestrator and every runner process (TF.js, Python TensorFlow,
 * PyTorch, ONNX Runtime): one request line in on stdin; hello, progress and one final line out on stdout.
 */
import { z } from 'zod';
import { RUNNERS } from './engines.ts';
import { PRECISIONS, workloadSchema } from './workload.ts';

/** Protocol version written in every request. */
export const PROTOCOL_VERSION = 1 as const;

/** A tensor inside a shared binary file: byte offset, dtype and shape. */
export const tensorRefSchema = z.strictObject({
  name: z.string(),
  dtype: z.enum(['float32', 'int32']),
  shape: z.array(z.number().int().min(0)),
  offset: z.number().int().min(0),
});

/** A tensor reference. */
export type TensorRef = z.infer<typeof tensorRefSchema>;

/** The request line a runner reads from stdin. */
export const runnerRequestSchema = z.strictObject({
  protocol: z.literal(PROTOCOL_VERSION),
  /** probe: report versions/backends/devices; run: benchmark; export: write the ONNX model; harness: run + torch.utils.benchmark. */
  op: z.enum(['probe', 'run', 'export', 'harness']),
  runner: z.enum(RUNNERS),
  workload: workloadSchema.nullable(),
  device: z.enum(['auto', 'cpu', 'cuda']),
  precision: z.enum(PRECISIONS),
  threads: z.number().int().positive(),
  repeats: z.number().int().positive(),
  steps: z.number().int().positive(),
  warmup: z.number().int().min(0),
  /** Batch for inference throughput (overrides the workload's largeBatch). */
  inferBatch: z.number().int().positive(),
  /** N for matmul (already chosen for the device). */
  matmulSize: z.number().int().positive().nullable(),
  /** Each timed inference/matmul repetition lasts at least this long (more calls), so short ones are not noise. */
  minRepeatMs: z.number().min(0).default(100),
  /** TF.js backend preference: auto picks the best importable one. */
  backend: z.string().default('auto'),
  files: z.strictObject({
    weights: z.string().nullable(),
    weightTensors: z.array(tensorRefSchema),
    data: z.string().nullable(),
    dataTensors: z.array(tensorRefSchema),
    onnx: z.string().nullable(),
  }),
  /** Fault injection for tests of the supervisor path on real runners. */
  fault: z.enum(['none', 'crash', 'hang', 'hang-ignore-sigterm']).default('none'),
});

/** A request line. */
export type RunnerRequest = z.infer<typeof runnerRequestSchema>;
/** A request before defaults are applied. */
export type RunnerRequestInput = z.input<typeof runnerRequestSchema>;

/** The BLAS behind an engine's CPU matmuls: reported as found, never changed by the runner. */
export const blasInfoSchema = z.object({
  /** e.g. "mkl", "openblas", "blas". */
  library: z.string().nullable(),
  version: z.string().nullable(),
  /** OpenBLAS: openblas_get_corename() (the kernels it picked for this CPU); MKL: how it picks them. */
  core: z.string().nullable(),
  /** PyTorch's own vectorised kernels (ATen CPU capability: DEFAULT, AVX2, AVX512). */
  cpuCapability: z.string().nullable(),
  libraries: z.array(z.string()).default([]),
  /** OPENBLAS_CORETYPE as set in the environment (null: unset; OpenBLAS detected the CPU itself). */
  coretypeEnv: z.string().nullable().default(null),
});

/** BLAS facts. */
export type BlasInfo = z.infer<typeof blasInfoSchema>;

/** What a runner says about itself once its runtime has loaded. */
export const helloSchema = z.object({
  type: z.literal('hello'),
  engineVersion: z.string().nullable(),
  backend: z.string().nullable(),
  device: z.enum(['cpu', 'cuda']).nullable(),
  deviceName: z.string().nullable(),
  threads: z.number().int().nullable(),
  tf32: z.boolean().nullable(),
  mode: z.string().nullable(),
  driver: z.string().nullable().default(null),
  cuda: z.string().nullable().default(null),
  /** Extra versions (python, numpy, …) merged into the environment. */
  versions: z.record(z.string(), z.string()).default({}),
  /** The BLAS the engine's CPU matmuls use, as the host has it (PyTorch reports it). */
  blas: blasInfoSchema.nullable().default(null),
});

/** A hello message. */
export type RunnerHello = z.infer<typeof helloSchema>;

const progressSchema = z.object({
  type: z.literal('progress'),
  phase: z.string(),
  done: z.number().min(0),
  total: z.number().min(0),
});

/** Raw measurements; the orchestrator computes every statistic from them. */
export const rawMeasurementsSchema = z.object({
  first_step_ms: z.number().nullable().default(null),
  /** Every timed training step, in ms (repeats × steps). */
  train_step_ms: z.array(z.number()).default([]),
  /** Wall time of each training repetition, in ms. */
  train_repeat_ms: z.array(z.number()).default([]),
  first_infer_ms: z.number().nullable().default(null),
  infer_latency_ms: z.array(z.number()).default([]),
  /** Wall time of each large-batch inference repetition, in ms. */
  infer_repeat_ms: z.array(z.number()).default([]),
  /** Large-batch calls per repetition. */
  infer_iters: z.number().int().min(0).default(0),
  /** matmul: each timed multiplication, in ms, and per-repetition medians. */
  matmul_ms: z.array(z.number()).default([]),
  matmul_repeat_ms: z.array(z.number()).default([]),
  first_loss: z.number().nullable().default(null),
  final_loss: z.number().nullable().default(null),
  steps_trained: z.number().int().nullable().default(null),
  peak_memory_mb: z.number().nullable().default(null),
  memory_kind: z.enum(['rss', 'cuda-allocated']).nullable().default(null),
  /** The loss of every training step in order (step 0, warm-up, timed steps): the equivalence check's trace. */
  losses: z.array(z.number()).default([]),
  /** ‖final weights − initial weights‖₂ over every parameter after training: a checksum of the whole update. */
  weight_delta_norm: z.number().nullable().default(null),
  /** Compiled modes (torch.compile, XLA): time of step 0, which traces and compiles. */
  compile_ms: z.number().nullable().default(null),
  /** matmul: multiplications per timed repetition (0: the request's steps). */
  matmul_iters: z.number().int().min(0).default(0),
  /** Method notes on this run, e.g. a kernel the backend lacks and how the runner worked around it. */
  notes: z.array(z.string()).default([]),
  /** harness op: torch.utils.benchmark's measurement of the same step. */
  harness: z
    .object({
      timer_median_ms: z.number(),
      timer_iqr_ms: z.number(),
      timer_runs: z.number(),
      description: z.string(),
    })
    .nullable()
    .default(null),
});

/** Raw measurements of one run. */
export type RawMeasurements = z.infer<typeof rawMeasurementsSchema>;

/** Every message a runner may write to stdout. */
export const runnerMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  progressSchema,
  z.object({ type: z.literal('result'), raw: rawMeasurementsSchema }),
  z.object({ type: z.literal('probe'), info: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('exported'), path: z.string() }),
  z.object({ type: z.literal('unavailable'), reason: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);

/** One message from a runner. */
export type RunnerMessage = z.infer<typeof runnerMessageSchema>;

/** Parses one stdout line; null for lines that are not protocol messages (stray library output). */
export function parseRunnerLine(line: string): RunnerMessage | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return null;
  }
  const parsed = runnerMessageSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Serialises a request as the single line a runner reads. */
export function encodeRequest(request: RunnerRequestInput): string {
  return `${JSON.stringify(runnerRequestSchema.parse(request))}\n`;
}
