/**
 * The TensorFlow.js runner (child process; `node --import tsx tfjs-runner.ts`): picks the best importable
 * backend (tfjs-node-gpu, tfjs-node, wasm, cpu), trains and infers the shared models, and reports raw timings.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import type * as TF from '@tensorflow/tfjs';
import {
  type RawMeasurements,
  type RunnerRequest,
  rawMeasurementsSchema,
} from '../../core/bench/protocol.ts';
import { classCount, isTrained, type TrainedWorkload } from '../../core/bench/workload.ts';
import {
  applyFault,
  peakRssMb,
  readTensors,
  runMain,
  send,
  timeInference,
  timeMatmul,
  timeTraining,
} from './runner-kit.ts';

type Tf = typeof TF;

interface Candidate {
  /** The tfjs backend name it registers. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** What rows show. */
  label: string;
  pkg: string | null;
}

/** Backends from best to slowest; the native ones register the "tensorflow" backend when imported. */
const CANDIDATES: readonly Candidate[] = [
  { name: 'tensorflow', label: 'tfjs-node-gpu', pkg: '@tensorflow/tfjs-node-gpu' },
  { name: 'tensorflow', label: 'tfjs-node', pkg: '@tensorflow/tfjs-node' },
  { name: 'wasm', label: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm' },
  { name: 'cpu', label: 'cpu', pkg: null },
];

/** Kernels a workload's training needs that some backends lack (wasm has no Conv2DBackpropFilter). */
function requiredKernels(w: RunnerRequest['workload']): string[] {
  // Conv2DBackpropFilter (missing on wasm) and UnsortedSegmentSum (gather gradient) have fallbacks below.
  if (w?.kind === 'cnn') return ['Conv2D', 'Conv2DBackpropInput', 'MaxPoolGrad'];
  return ['BatchMatMul'];
}

/**
 * Imports @tensorflow/tfjs and at most one native package: the first of tfjs-node-gpu, tfjs-node that loads
 * (importing both would load two libtensorflow builds into one process). A native package re-exports the tfjs
 * instance it registered its backend on; that instance is the one used, so setBackend reaches that backend.
 */
async function loadTf(): Promise<{ tf: Tf; importable: Candidate[]; skipped: string[] }> {
  const importable: Candidate[] = [];
  const skipped: string[] = [];
  let tf = (await import('@tensorflow/tfjs')) as Tf;
  let native = false;
  for (const c of CANDIDATES) {
    if (!c.pkg) {
      importable.push(c);
      continue;
    }
    if (native && c.name === 'tensorflow') {
      skipped.push(`${c.label}: not loaded (one native libtensorflow per process)`);
      continue;
    }
    try {
      const mod = (await import(c.pkg)) as Partial<Tf> & { default?: Partial<Tf> };
      importable.push(c);
      if (c.name === 'tensorflow') {
        native = true;
        const instance = (mod.setBackend ? mod : mod.default) as Tf | undefined;
        if (instance?.setBackend) tf = instance;
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      skipped.push(
        code === 'ERR_MODULE_NOT_FOUND'
          ? `${c.label}: not installed (npm install ${c.pkg})`
          : `${c.label}: cannot load (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
      );
    }
  }
  return { tf, importable, skipped };
}

async function chooseBackend(
  tf: Tf,
  importable: Candidate[],
  request: RunnerRequest,
): Promise<{ chosen: Candidate | null; notes: string[] }> {
  const notes: string[] = [];
  const wanted = request.backend;
  const pool = importable.filter((c) => wanted === 'auto' || c.name === wanted || c.label === wanted);
  for (const c of pool) {
    if (request.device === 'cuda' && c.label !== 'tfjs-node-gpu') {
      notes.push(`${c.label}: no CUDA`);
      continue;
    }
    try {
      if (!(await tf.setBackend(c.name))) throw new Error('setBackend returned false');
      await tf.ready();
    } catch (err) {
      notes.push(`${c.label}: failed to initialise (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    const missing = requiredKernels(request.workload).filter((k) => !tf.getKernel(k, c.name));
    if (missing.length > 0) {
      notes.push(`${c.label} has no ${missing.join(', ')} kernel`);
      continue;
    }
    return { chosen: c, notes };
  }
  return { chosen: null, notes };
}

function describeBackend(
  tf: Tf,
  c: Candidate,
): { backend: string; device: 'cpu' | 'cuda'; threads: number | null } {
  if (c.name === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const mt = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    return {
      backend: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${mt ? 'threaded' : 'single-threaded'})`,
      device: 'cpu',
      threads: 1,
    };
  }
  if (c.name === 'cpu') return { backend: 'cpu (pure JavaScript kernels)', device: 'cpu', threads: 1 };
  const gpu = Boolean((tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice);
  // libtensorflow sizes its own pools; the orchestrator sets TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS.
  const threads = Number(process.env.TF_NUM_INTRAOP_THREADS);
  return {
    backend: `${c.label} (libtensorflow 2.9.1${c.label === 'tfjs-node-gpu' ? ', CUDA 11.2 build: no sm_90 kernels' : ''})`,
    device: gpu ? 'cuda' : 'cpu',
    threads: Number.isInteger(threads) && threads > 0 && !gpu ? threads : null,
  };
}

/** The GPU's name as nvidia-smi reports it (TF.js does not say), or null. */
function nvidiaSmiName(): string | null {
  const r = spawnSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.status === 0 ? (r.stdout.split('\n')[0]?.trim() ?? null) || null : null;
}

/** conv2d whose filter gradient is computed as im2col patches × dy (for backends without Conv2DBackpropFilter). */
function convWithIm2colFilterGrad(
  tf: Tf,
  x: TF.Tensor4D,
  k: TF.Tensor4D,
  pad: 'same' | 'valid',
): TF.Tensor4D {
  const f = tf.customGrad<TF.Tensor4D>((...inputs) => {
    const [xi, ki, save] = inputs as [TF.Tensor4D, TF.Tensor4D, TF.GradSaveFunc];
    save([xi, ki]);
    const value = tf.conv2d(xi, ki, 1, pad);
    const gradFunc = (dy: TF.Tensor, saved: TF.Tensor[]) => {
      const [xs, ks] = saved as [TF.Tensor4D, TF.Tensor4D];
      const [kh, kw, c, out] = ks.shape;
      const [n, ho, wo] = dy.shape as [number, number, number, number];
      const p = pad === 'same' ? (kh - 1) / 2 : 0;
      const xp =
        p > 0
          ? tf.pad(xs, [
              [0, 0],
              [p, p],
              [p, p],
              [0, 0],
            ])
          : xs;
      const cols: TF.Tensor[] = [];
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) cols.push(tf.slice(xp, [0, i, j, 0], [n, ho, wo, c]));
      // Columns ordered (i, j, c) to match the [kh, kw, in, out] kernel layout.
      const patches = tf.reshape(tf.stack(cols, 3), [n * ho * wo, kh * kw * c]) as TF.Tensor2D;
      const dk = tf.reshape(
        tf.matMul(patches, tf.reshape(dy, [n * ho * wo, out]) as TF.Tensor2D, true, false),
        ks.shape,
      );
      const dx = tf.conv2dTranspose(dy as TF.Tensor4D, ks, xs.shape, 1, pad);
      return [dx, dk];
    };
    return { value, gradFunc };
  });
  return f(x, k) as TF.Tensor4D;
}

/** Row lookup whose gradient is a ScatterNd sum (for backends without UnsortedSegmentSum). */
function gatherWithScatterGrad(tf: Tf, table: TF.Tensor, indices: TF.Tensor1D, rows: number): TF.Tensor {
  const f = tf.customGrad((...inputs) => {
    const t = inputs[0] as TF.Tensor;
    return {
      value: tf.gather(t, indices),
      // ScatterNd adds the updates of repeated indices, which is exactly the gradient of a gather.
      gradFunc: (dy: TF.Tensor) =>
        tf.scatterND(tf.reshape(indices, [-1, 1]), dy, [rows, t.shape[1] as number]),
    };
  });
  return f(table);
}

interface Model {
  vars: TF.Variable[];
  forward: (x: TF.Tensor) => TF.Tensor2D;
  notes: string[];
}

function buildModel(
  tf: Tf,
  w: TrainedWorkload,
  weights: Map<string, { data: Float32Array | Int32Array; shape: number[] }>,
): Model {
  const vars = new Map<string, TF.Variable>();
  const v = (name: string): TF.Variable => {
    const existing = vars.get(name);
    if (existing) return existing;
    const t = weights.get(name);
    if (!t) throw new Error(`weights file has no tensor "${name}"`);
    const variable = tf.variable(tf.tensor(t.data as Float32Array, t.shape, 'float32'), true, name);
    vars.set(name, variable);
    return variable;
  };
  const dense = (x: TF.Tensor, name: string) =>
    tf.add(tf.matMul(x as TF.Tensor2D, v(`${name}.kernel`)), v(`${name}.bias`));
  const notes: string[] = [];
  const backend = tf.getBackend();
  let forward: Model['forward'];
  if (w.kind === 'mlp') {
    forward = (x) => dense(tf.relu(dense(x, 'fc1')), 'fc2') as TF.Tensor2D;
  } else if (w.kind === 'cnn') {
    const native = Boolean(tf.getKernel('Conv2DBackpropFilter', backend));
    if (!native)
      notes.push(
        `conv filter gradient as im2col × matmul: the ${backend} backend has no Conv2DBackpropFilter kernel`,
      );
    const conv = (x: TF.Tensor4D, k: TF.Tensor4D, pad: 'same' | 'valid'): TF.Tensor4D =>
      native ? tf.conv2d(x, k, 1, pad) : convWithIm2colFilterGrad(tf, x, k, pad);
    forward = (x) => {
      let h = tf.relu(
        tf.add(conv(x as TF.Tensor4D, v('conv1.kernel') as TF.Tensor4D, 'same'), v('conv1.bias')),
      ) as TF.Tensor4D;
      h = tf.maxPool(h, 2, 2, 'valid');
      h = tf.relu(tf.add(conv(h, v('conv2.kernel') as TF.Tensor4D, 'valid'), v('conv2.bias'))) as TF.Tensor4D;
      h = tf.maxPool(h, 2, 2, 'valid');
      const flat = tf.reshape(h, [h.shape[0], -1]); // NHWC flatten: PyTorch permutes to match.
      return dense(tf.relu(dense(tf.relu(dense(flat, 'fc1')), 'fc2')), 'fc3') as TF.Tensor2D;
    };
  } else {
    const { vocab, dModel: d, heads, seqLen: L } = w.model;
    const dh = d / heads;
    const native = Boolean(tf.getKernel('UnsortedSegmentSum', backend));
    if (!native)
      notes.push(
        `embedding gradient via ScatterNd: the ${backend} backend has no UnsortedSegmentSum (gather gradient)`,
      );
    const ln = (t: TF.Tensor, name: string) => {
      const { mean, variance } = tf.moments(t, -1, true);
      return tf.add(
        tf.mul(tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5))), v(`${name}.gamma`)),
        v(`${name}.beta`),
      );
    };
    forward = (tokens) => {
      const n = tokens.shape[0] as number;
      const flatTok = tf.reshape(tokens, [n * L]) as TF.Tensor1D;
      const table = v('embed.tokens');
      const emb = native ? tf.gather(table, flatTok) : gatherWithScatterGrad(tf, table, flatTok, vocab);
      let h = tf.add(tf.reshape(emb, [n, L, d]), v('embed.positions'));
      const a = tf.reshape(ln(h, 'ln1'), [n * L, d]);
      const split = (t: TF.Tensor) => tf.transpose(tf.reshape(t, [n, L, heads, dh]), [0, 2, 1, 3]);
      const q = split(dense(a, 'attn.q'));
      const k = split(dense(a, 'attn.k'));
      const val = split(dense(a, 'attn.v'));
      const scores = tf.mul(tf.matMul(q as TF.Tensor4D, k as TF.Tensor4D, false, true), 1 / Math.sqrt(dh));
      const ctx = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), val as TF.Tensor4D), [0, 2, 1, 3]), [
        n * L,
        d,
      ]);
      h = tf.add(h, tf.reshape(dense(ctx, 'attn.out'), [n, L, d]));
      const f = tf.reshape(ln(h, 'ln2'), [n * L, d]);
      h = tf.add(h, tf.reshape(dense(tf.relu(dense(f, 'ffn.1')), 'ffn.2'), [n, L, d]));
      return dense(tf.mean(h, 1), 'head') as TF.Tensor2D;
    };
  }
  // Touch every parameter once so `vars` lists all of them, in file order.
  for (const name of weights.keys()) v(name);
  return { vars: [...vars.values()], forward, notes };
}

/** ‖final − initial‖₂ over every parameter: the equivalence check's weight checksum. */
function weightDeltaNorm(
  vars: readonly TF.Variable[],
  initial: Map<string, { data: Float32Array | Int32Array; shape: number[] }>,
): number {
  let sum = 0;
  for (const v of vars) {
    const start = initial.get(v.name)?.data;
    if (!start) continue;
    const now = v.dataSync();
    for (let i = 0; i < now.length; i++) sum += ((now[i] as number) - (start[i] as number)) ** 2;
  }
  return Math.sqrt(sum);
}

async function runTrained(
  tf: Tf,
  request: RunnerRequest,
  w: TrainedWorkload,
  raw: RawMeasurements,
): Promise<string[]> {
  const files = request.files;
  if (!files.weights || !files.data) throw new Error('request has no weights/data files');
  const weights = readTensors(files.weights, files.weightTensors);
  const data = readTensors(files.data, files.dataTensors);
  const xs = data.get('x');
  const ys = data.get('y');
  if (!xs || !ys) throw new Error('data file has no x/y tensors');
  const model = buildModel(tf, w, weights);
  const n = ys.shape[0] as number;
  const sampleShape = w.kind === 'cnn' ? [28, 28, 1] : w.kind === 'mlp' ? [784] : [w.model.seqLen];
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const xDtype = w.kind === 'transformer' ? 'int32' : 'float32';
  const B = w.train.batch;
  const batches = Math.floor(n / B);
  const classes = classCount(w);
  // The dataset lives on the device for training, pre-split into batches (a prefetched input pipeline):
  // slicing one large tensor per step costs tens of ms on the wasm backend and would dominate the step.
  const xBatches: TF.Tensor[] = [];
  const yBatches: TF.Tensor[] = [];
  for (let b = 0; b < batches; b++) {
    xBatches.push(
      tf.tensor(xs.data.subarray(b * B * sampleSize, (b + 1) * B * sampleSize), [B, ...sampleShape], xDtype),
    );
    const labels = tf.tensor1d((ys.data as Int32Array).subarray(b * B, (b + 1) * B), 'int32');
    yBatches.push(tf.oneHot(labels, classes).toFloat());
    labels.dispose();
  }
  const { lr, beta1, beta2, epsilon } = w.train.optimizer;
  const optimizer = tf.train.adam(lr, beta1, beta2, epsilon);
  const lossOf = (logits: TF.Tensor2D, y: TF.Tensor) => tf.losses.softmaxCrossEntropy(y, logits) as TF.Scalar;

  send({ type: 'progress', phase: 'train', done: 0, total: request.repeats });
  const train = await timeTraining(
    request,
    async (i) => {
      const b = i % batches;
      const loss = tf.tidy(() => {
        const x = xBatches[b] as TF.Tensor;
        const y = yBatches[b] as TF.Tensor;
        return optimizer.minimize(() => lossOf(model.forward(x), y), true, model.vars) as TF.Scalar;
      });
      const value = (await loss.data())[0] as number;
      loss.dispose();
      return value;
    },
    (done, total) => send({ type: 'progress', phase: 'train', done, total }),
  );
  Object.assign(raw, train);
  raw.weight_delta_norm = weightDeltaNorm(model.vars, weights);

  // Inference: host input in, host output back, like a serving call.
  const host = xs.data;
  const make = (start: number, count: number) => {
    const out =
      xDtype === 'int32' ? new Int32Array(count * sampleSize) : new Float32Array(count * sampleSize);
    for (let i = 0; i < count; i++) {
      const s = (start + i) % n;
      out.set(host.subarray(s * sampleSize, (s + 1) * sampleSize), i * sampleSize);
    }
    return out;
  };
  const large = make(0, request.inferBatch);
  const infer = async (input: Float32Array | Int32Array, count: number) => {
    const out = tf.tidy(() => model.forward(tf.tensor(input, [count, ...sampleShape], xDtype)));
    await out.data();
    out.dispose();
  };
  send({ type: 'progress', phase: 'infer', done: 0, total: request.repeats });
  const inf = await timeInference(
    request,
    Math.min(w.infer.throughputIters, request.steps),
    (i) => infer(make(i, 1), 1),
    () => infer(large, request.inferBatch),
    (done, total) => send({ type: 'progress', phase: 'infer', done, total }),
  );
  Object.assign(raw, inf);
  tf.dispose([...xBatches, ...yBatches]);
  return model.notes;
}

async function runMatmul(
  tf: Tf,
  request: RunnerRequest,
  device: 'cpu' | 'cuda',
  raw: RawMeasurements,
): Promise<void> {
  const w = request.workload;
  if (w?.kind !== 'matmul') throw new Error('not a matmul workload');
  const size = request.matmulSize ?? w.size[device];
  const a = tf.randomUniform([size, size], -1, 1, 'float32', w.seed);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', w.seed + 1);
  // Reducing to a scalar before reading back syncs the device without copying N² values to the host.
  const once = async () => {
    const s = tf.tidy(() => tf.sum(tf.matMul(a, b)));
    await s.data();
    s.dispose();
  };
  await timeMatmul(request, once, raw, (done, total) =>
    send({ type: 'progress', phase: 'matmul', done, total }),
  );
}

runMain(async (request) => {
  const { tf, importable, skipped } = await loadTf();
  if (request.op === 'probe') {
    send({
      type: 'probe',
      info: {
        version: tf.version.tfjs,
        backends: importable.map((c) => c.label),
        missing: skipped,
        node: process.versions.node,
      },
    });
    return;
  }
  if (request.op !== 'run') throw new Error(`the TF.js runner does not support op "${request.op}"`);
  const { chosen, notes } = await chooseBackend(tf, importable, request);
  if (!chosen) {
    send({
      type: 'unavailable',
      reason: `no usable TF.js backend for ${request.workload?.id ?? 'this workload'}${request.backend !== 'auto' ? ` (asked for ${request.backend})` : ''}${request.device === 'cuda' ? ' on CUDA' : ''}: ${[...notes, ...skipped].join('; ')}`,
    });
    return;
  }
  const info = describeBackend(tf, chosen);
  if (request.device === 'cuda' && info.device !== 'cuda') {
    send({
      type: 'unavailable',
      reason: `${chosen.label} loaded but libtensorflow is not using a GPU (isUsingGpuDevice is false): no CUDA row`,
    });
    return;
  }
  const fallback = notes.length > 0 ? `; skipped ${notes.join('; ')}` : '';
  send({
    type: 'hello',
    engineVersion: tf.version.tfjs,
    backend: `${info.backend}${fallback}`,
    device: info.device,
    deviceName: info.device === 'cpu' ? (cpus()[0]?.model ?? null) : nvidiaSmiName(),
    threads: info.threads,
    // wasm/cpu never use tensor cores; libtensorflow decides TF32 itself and TF.js exposes no switch.
    tf32: chosen.name === 'tensorflow' ? null : false,
    mode: 'eager',
    versions: { node: process.versions.node, tfjs: tf.version.tfjs },
  });
  if (request.precision !== 'fp32') {
    send({
      type: 'unavailable',
      reason: `TF.js runs fp32 only: it has no ${request.precision === 'tf32' ? 'TF32 switch' : 'bf16 kernels'}`,
    });
    return;
  }
  await applyFault(request);
  const raw: RawMeasurements = { ...rawMeasurementsSchema.parse({}), memory_kind: 'rss' };
  const w = request.workload;
  if (!w) throw new Error('run request without workload');
  if (isTrained(w)) {
    raw.notes.push(...(await runTrained(tf, request, w, raw)));
  } else await runMatmul(tf, request, info.device, raw);
  raw.peak_memory_mb = peakRssMb();
  send({ type: 'result', raw });
});
