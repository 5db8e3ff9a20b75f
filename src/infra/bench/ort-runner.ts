/**
 * The ONNX Runtime runner (child process; `node --import tsx ort-runner.ts`): inference rows for the PyTorch
 * models exported to ONNX with the shared initial weights, plus the GEMM; CUDA execution provider when it loads.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import {
  type RawMeasurements,
  type RunnerRequest,
  rawMeasurementsSchema,
} from '../../core/bench/protocol.ts';
import { isTrained, type TrainedWorkload } from '../../core/bench/workload.ts';
import {
  applyFault,
  peakRssMb,
  readTensors,
  runMain,
  send,
  timeInference,
  timeMatmul,
} from './runner-kit.ts';

type OrtModule = typeof Ort;

async function openSession(
  ort: OrtModule,
  request: RunnerRequest,
  path: string,
): Promise<{ session: Ort.InferenceSession; device: 'cpu' | 'cuda'; tried: string[] }> {
  const tried: string[] = [];
  const base: Ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: request.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  if (request.device !== 'cpu') {
    try {
      const session = await ort.InferenceSession.create(path, { ...base, executionProviders: ['cuda'] });
      return { session, device: 'cuda', tried };
    } catch (err) {
      tried.push(
        `CUDA execution provider: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
      if (request.device === 'cuda')
        throw new UnavailableError(`ONNX Runtime cannot use CUDA here (${tried.join('; ')})`);
    }
  }
  const session = await ort.InferenceSession.create(path, { ...base, executionProviders: ['cpu'] });
  return { session, device: 'cpu', tried };
}

class UnavailableError extends Error {}

/** Mean softmax cross-entropy of logits [n, classes] against labels, in float64. */
function crossEntropy(logits: Float32Array, labels: Int32Array, classes: number): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    const max = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    total += Math.log(sum) + max - (row[labels[i] as number] as number);
  }
  return total / labels.length;
}

async function runTrained(
  ort: OrtModule,
  session: Ort.InferenceSession,
  request: RunnerRequest,
  w: TrainedWorkload,
  raw: RawMeasurements,
): Promise<void> {
  const files = request.files;
  if (!files.data) throw new Error('request has no data file');
  const data = readTensors(files.data, files.dataTensors);
  const xs = data.get('x');
  const ys = data.get('y');
  if (!xs || !ys) throw new Error('data file has no x/y tensors');
  const n = ys.shape[0] as number;
  const sampleShape = xs.shape.slice(1);
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const dtype = w.kind === 'transformer' ? 'int32' : 'float32';
  const make = (start: number, count: number) => {
    const out = dtype === 'int32' ? new Int32Array(count * sampleSize) : new Float32Array(count * sampleSize);
    for (let i = 0; i < count; i++) {
      const s = (start + i) % n;
      out.set(xs.data.subarray(s * sampleSize, (s + 1) * sampleSize), i * sampleSize);
    }
    return out;
  };
  const call = async (input: Float32Array | Int32Array, count: number): Promise<Float32Array> => {
    const feeds = { x: new ort.Tensor(dtype, input, [count, ...sampleShape]) };
    const out = await session.run(feeds);
    const logits = out.logits;
    if (!logits) throw new Error('model has no "logits" output');
    return logits.data as Float32Array;
  };

  // Equivalence: the loss of the first training batch under the shared initial weights.
  const B = w.train.batch;
  const logits = await call(make(0, B), B);
  raw.first_loss = crossEntropy(logits, (ys.data as Int32Array).subarray(0, B), logits.length / B);

  const large = make(0, request.inferBatch);
  send({ type: 'progress', phase: 'infer', done: 0, total: request.repeats });
  Object.assign(
    raw,
    await timeInference(
      request,
      Math.min(w.infer.throughputIters, request.steps),
      async (i) => {
        await call(make(i, 1), 1);
      },
      async () => {
        await call(large, request.inferBatch);
      },
      (done, total) => send({ type: 'progress', phase: 'infer', done, total }),
    ),
  );
}

async function runMatmul(
  ort: OrtModule,
  session: Ort.InferenceSession,
  request: RunnerRequest,
  device: 'cpu' | 'cuda',
  raw: RawMeasurements,
): Promise<void> {
  const w = request.workload;
  if (w?.kind !== 'matmul') throw new Error('not a matmul workload');
  const size = request.matmulSize ?? w.size[device];
  const values = new Float32Array(size * size);
  for (let i = 0; i < values.length; i++) values[i] = Math.sin(i) * 0.5;
  const a = new ort.Tensor('float32', values, [size, size]);
  const b = new ort.Tensor('float32', values.slice().reverse(), [size, size]);
  const once = async () => {
    await session.run({ a, b });
  };
  await timeMatmul(request, once, raw, (done, total) =>
    send({ type: 'progress', phase: 'matmul', done, total }),
  );
}

/** The GPU's name as nvidia-smi reports it (ONNX Runtime does not say), or null. */
function nvidiaSmiName(): string | null {
  const r = spawnSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.status === 0 ? (r.stdout.split('\n')[0]?.trim() ?? null) || null : null;
}

runMain(async (request) => {
  let ort: OrtModule;
  try {
    ort = (await import('onnxruntime-node')) as OrtModule;
  } catch (err) {
    send({
      type: 'unavailable',
      reason: `cannot import onnxruntime-node: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    });
    return;
  }
  const version = ort.env.versions.node ?? ort.env.versions.common ?? null;
  if (request.op === 'probe') {
    send({
      type: 'probe',
      info: { version, backends: ort.listSupportedBackends?.() ?? [], node: process.versions.node },
    });
    return;
  }
  if (request.op !== 'run') throw new Error(`the ONNX Runtime runner does not support op "${request.op}"`);
  const w = request.workload;
  if (!w) throw new Error('run request without workload');
  if (!request.files.onnx) throw new Error('request has no ONNX model file');
  let opened: Awaited<ReturnType<typeof openSession>>;
  try {
    opened = await openSession(ort, request, request.files.onnx);
  } catch (err) {
    if (err instanceof UnavailableError) {
      send({ type: 'unavailable', reason: err.message });
      return;
    }
    throw err;
  }
  const { session, device, tried } = opened;
  // NVIDIA_TF32_OVERRIDE=0 (set by the orchestrator for fp32 rows) stops the CUDA EP's default use_tf32=1.
  const tf32Off = process.env.NVIDIA_TF32_OVERRIDE === '0';
  send({
    type: 'hello',
    engineVersion: version,
    backend: device === 'cuda' ? 'CUDA execution provider' : 'CPU execution provider (MLAS)',
    device,
    deviceName: device === 'cpu' ? (cpus()[0]?.model ?? null) : nvidiaSmiName(),
    threads: request.threads,
    // The CUDA EP defaults to use_tf32=1 and onnxruntime-node has no option for it; MLAS on CPU has no TF32.
    tf32: device === 'cuda' ? !tf32Off : false,
    mode: 'inference-session (graph optimisation: all)',
    versions: { 'onnxruntime-node': version ?? 'unknown' },
  });
  if (request.precision !== 'fp32') {
    send({ type: 'unavailable', reason: `the exported ONNX models are fp32; no ${request.precision} row` });
    return;
  }
  if (!isTrained(w) && device === 'cuda') {
    // onnxruntime-node binds host tensors only (no CUDA IO binding): N = 8192 moves ~768 MB over PCIe per
    // multiplication, which is not a GEMM figure to set against a datasheet peak.
    send({
      type: 'unavailable',
      reason:
        'no CUDA GEMM row: onnxruntime-node cannot keep the inputs on the GPU (no IO binding), so it would time PCIe copies',
    });
    return;
  }
  await applyFault(request);
  const raw: RawMeasurements = { ...rawMeasurementsSchema.parse({}), memory_kind: 'rss' };
  if (tried.length > 0) raw.notes.push(...tried);
  if (isTrained(w)) await runTrained(ort, session, request, w, raw);
  else {
    raw.notes = [];
    await runMatmul(ort, session, request, device, raw);
  }
  await session.release();
  raw.peak_memory_mb = peakRssMb();
  send({ type: 'result', raw });
});
