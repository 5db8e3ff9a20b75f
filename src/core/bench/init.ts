/** Seeded initial weights and data order shared by every engine, so runs start from the same point. */
import { mulberry32 } from '../seeded.ts';
import type { ParamSpec, TrainedWorkload } from './workload.ts';

function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 2) return [shape[0] ?? 1, shape[1] ?? 1];
  // conv [kh, kw, in, out]: receptive field times channels (Keras/PyTorch convention).
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [receptive * (shape.at(-2) ?? 1), receptive * (shape.at(-1) ?? 1)];
}

/** Initial values for every parameter, drawn in order from one seeded stream (Glorot-uniform kernels, zero biases). */
export function initialWeights(params: readonly ParamSpec[], seed: number): Map<string, Float32Array> {
  const rand = mulberry32(seed);
  const out = new Map<string, Float32Array>();
  for (const p of params) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (p.init === 'ones') values.fill(1);
    else if (p.init === 'glorot-uniform' || p.init === 'embedding-uniform') {
      const [fanIn, fanOut] = fans(p.shape);
      const limit = p.init === 'glorot-uniform' ? Math.sqrt(6 / (fanIn + fanOut)) : 0.05;
      for (let i = 0; i < size; i++) values[i] = (rand() * 2 - 1) * limit;
    }
    out.set(p.name, values);
  }
  return out;
}

/** A seeded Fisher–Yates permutation of 0..n-1. */
export function shuffledOrder(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rand = mulberry32(seed ^ 0x5eed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/** Synthetic token sequences and labels: the label is the first token modulo the class count (learnable). */
export function syntheticTokens(
  w: Extract<TrainedWorkload, { kind: 'transformer' }>,
  samples: number,
): { tokens: Int32Array; labels: Int32Array } {
  const rand = mulberry32(w.seed ^ 0x70ce);
  const { seqLen, vocab, classes } = w.model;
  const tokens = new Int32Array(samples * seqLen);
  const labels = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    for (let t = 0; t < seqLen; t++) tokens[s * seqLen + t] = Math.floor(rand() * vocab);
    labels[s] = (tokens[s * seqLen] as number) % classes;
  }
  return { tokens, labels };
}
