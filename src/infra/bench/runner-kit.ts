/** Shared plumbing for the Node runners (TF.js, ONNX Runtime): the protocol on stdio, timing loops, shared files. */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type RawMeasurements,
  type RunnerHello,
  type RunnerMessage,
  type RunnerRequest,
  runnerRequestSchema,
  type TensorRef,
} from '../../core/bench/protocol.ts';

// Protocol lines go to the real stdout; libraries that print (TF.js greets on console.log) are sent to stderr.
const protocolOut = process.stdout.write.bind(process.stdout);
/** Sends console output to stderr so that stdout carries protocol lines only. */
export function redirectConsole(): void {
  const toErr = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
  console.log = toErr;
  console.info = toErr;
  console.warn = toErr;
  console.debug = toErr;
}

/** Writes one protocol message. */
export function send(
  message:
    | RunnerMessage
    | (Omit<RunnerHello, 'driver' | 'cuda' | 'versions' | 'blas'> & Partial<RunnerHello>),
): void {
  protocolOut(`${JSON.stringify(message)}\n`);
}

/** Reads and validates the single request line from stdin. */
export async function readRequest(): Promise<RunnerRequest> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    rl.close();
    return runnerRequestSchema.parse(JSON.parse(line));
  }
  throw new Error('no request line on stdin');
}

/** Milliseconds from a monotonic clock. */
export const nowMs = (): number => performance.now();

/** Process peak resident set size in MiB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Honours the request's fault injection: crash (throw), hang, or hang while ignoring SIGTERM. */
export async function applyFault(request: RunnerRequest): Promise<void> {
  if (request.fault === 'crash') {
    process.stderr.write('fault injection: crashing on purpose\n');
    throw new Error('fault injection: crash requested');
  }
  if (request.fault === 'hang' || request.fault === 'hang-ignore-sigterm') {
    if (request.fault === 'hang-ignore-sigterm') process.on('SIGTERM', () => {});
    process.stderr.write(`fault injection: ${request.fault}\n`);
    await new Promise(() => setInterval(() => {}, 1000));
  }
}

/** Reads tensors from a shared binary file written by the orchestrator. */
export function readTensors(
  file: string,
  refs: readonly TensorRef[],
): Map<string, { data: Float32Array | Int32Array; shape: number[] }> {
  const buf = readFileSync(file);
  const out = new Map<string, { data: Float32Array | Int32Array; shape: number[] }>();
  for (const ref of refs) {
    const size = ref.shape.reduce((a, b) => a * b, 1);
    const bytes = buf.subarray(ref.offset, ref.offset + size * 4);
    // Copy into an aligned buffer: the file buffer's offset may not be a multiple of 4.
    const aligned = new Uint8Array(bytes.byteLength);
    aligned.set(bytes);
    const data = ref.dtype === 'float32' ? new Float32Array(aligned.buffer) : new Int32Array(aligned.buffer);
    out.set(ref.name, { data, shape: ref.shape });
  }
  return out;
}

/** Timing results of the training loop. */
export type TrainTimings = Pick<
  RawMeasurements,
  | 'first_step_ms'
  | 'train_step_ms'
  | 'train_repeat_ms'
  | 'first_loss'
  | 'final_loss'
  | 'steps_trained'
  | 'losses'
>;

/**
 * The training protocol shared by every engine: step 0 timed alone (first_step_ms, first_loss), `warmup`
 * untimed steps, then `repeats` × `steps` steps each timed; `step(i)` must return only once the step is done
 * on the device, with the loss of batch i.
 */
export async function timeTraining(
  request: RunnerRequest,
  step: (index: number) => Promise<number>,
  progress: (done: number, total: number) => void,
): Promise<TrainTimings> {
  let index = 0;
  let t = nowMs();
  const firstLoss = await step(index++);
  const firstMs = nowMs() - t;
  const losses = [firstLoss];
  for (let i = 0; i < request.warmup; i++) losses.push(await step(index++));
  const stepMs: number[] = [];
  const repeatMs: number[] = [];
  let lastLoss = firstLoss;
  for (let r = 0; r < request.repeats; r++) {
    const start = nowMs();
    for (let s = 0; s < request.steps; s++) {
      t = nowMs();
      lastLoss = await step(index++);
      stepMs.push(nowMs() - t);
      losses.push(lastLoss);
    }
    repeatMs.push(nowMs() - start);
    progress(r + 1, request.repeats);
  }
  return {
    first_step_ms: firstMs,
    train_step_ms: stepMs,
    train_repeat_ms: repeatMs,
    first_loss: firstLoss,
    final_loss: lastLoss,
    steps_trained: index,
    losses,
  };
}

/** Calls per timed repetition: at least `base`, and enough to last `minRepeatMs` (short repetitions are noise). */
export function callsFor(request: Pick<RunnerRequest, 'minRepeatMs'>, base: number, callMs: number): number {
  const wanted = Math.ceil(request.minRepeatMs / Math.max(callMs, 1e-3));
  return Math.min(10_000, Math.max(base, wanted));
}

/** Timing results of the inference loops. */
export type InferTimings = Pick<
  RawMeasurements,
  'first_infer_ms' | 'infer_latency_ms' | 'infer_repeat_ms' | 'infer_iters'
>;

/**
 * Inference protocol: one untimed-in-stats first call, `repeats` × `steps` batch-1 calls each timed (latency),
 * then `repeats` × iters large-batch calls timed per repetition (throughput). Calls take host input and
 * return once the output is back on the host.
 */
export async function timeInference(
  request: RunnerRequest,
  iters: number,
  one: (index: number) => Promise<void>,
  large: () => Promise<void>,
  progress: (done: number, total: number) => void,
): Promise<InferTimings> {
  let t = nowMs();
  await one(0);
  const firstMs = nowMs() - t;
  await large();
  t = nowMs();
  await large();
  iters = callsFor(request, iters, nowMs() - t);
  const latency: number[] = [];
  const repeatMs: number[] = [];
  for (let r = 0; r < request.repeats; r++) {
    for (let s = 0; s < request.steps; s++) {
      t = nowMs();
      await one(s + 1);
      latency.push(nowMs() - t);
    }
    const start = nowMs();
    for (let i = 0; i < iters; i++) await large();
    repeatMs.push(nowMs() - start);
    progress(r + 1, request.repeats);
  }
  return {
    first_infer_ms: firstMs,
    infer_latency_ms: latency,
    infer_repeat_ms: repeatMs,
    infer_iters: iters,
  };
}

/**
 * The GEMM protocol: the first multiplication alone (first_step_ms), `warmup` untimed, then `repeats`
 * repetitions of at least `steps` multiplications lasting at least `minRepeatMs`, each timed.
 */
export async function timeMatmul(
  request: RunnerRequest,
  once: () => Promise<void>,
  raw: RawMeasurements,
  progress: (done: number, total: number) => void,
): Promise<void> {
  let t = nowMs();
  await once();
  raw.first_step_ms = nowMs() - t;
  for (let i = 0; i < request.warmup; i++) await once();
  t = nowMs();
  await once();
  const count = callsFor(request, request.steps, nowMs() - t);
  raw.matmul_iters = count;
  for (let r = 0; r < request.repeats; r++) {
    const start = nowMs();
    for (let s = 0; s < count; s++) {
      t = nowMs();
      await once();
      raw.matmul_ms.push(nowMs() - t);
    }
    raw.matmul_repeat_ms.push(nowMs() - start);
    progress(r + 1, request.repeats);
  }
}

/** Runs a runner's main function: reports errors as an `error` line and exits non-zero. */
export function runMain(main: (request: RunnerRequest) => Promise<void>): void {
  redirectConsole();
  readRequest()
    .then(async (request) => {
      await main(request);
      process.exit(0);
    })
    .catch((err: unknown) => {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`${message}\n`);
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    });
}
