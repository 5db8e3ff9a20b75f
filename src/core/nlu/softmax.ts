/**
 * A regularised multinomial logistic regression (a SetFit-style classification head on frozen sentence vectors
 * plus sparse features), trained with mini-batch Adam. Deterministic: zero initialisation (or a given head to
 * continue from), a seeded shuffle.
 */
import { type Features, SPARSE_WIDTH } from './features.ts';
import { kernels, layout } from './kernels.ts';

/** Training settings. */
export interface TrainOptions {
  epochs: number;
  /** Examples per Adam step (mini-batches in a seeded, fixed shuffle). */
  batchSize: number;
  learningRate: number;
  /** L2 penalty on the weights (not the biases). */
  l2: number;
  /** Per-class weights against imbalance: inverse square root of the class frequency when true. */
  balance: boolean;
  /** Extra weight per class (a cost-sensitive head: a mistake on a class weighted 3 costs three), default 1. */
  classCost?: Readonly<Record<string, number>>;
  /** A head over dense features only (no hashed n-grams or cues): a stacked head over a few scores. */
  denseOnly?: boolean;
}

/** Defaults that converge on a few thousand examples in well under a second per head on 2 cores. */
export const DEFAULT_TRAIN: TrainOptions = {
  epochs: 12,
  batchSize: 32,
  learningRate: 0.02,
  l2: 1e-4,
  balance: true,
};

/** Probability error below which an example's class is left out of a step's gradient. */
const SKIP_ERROR = 1e-3;

/**
 * The settings that finish a head started from the mean of its fold heads: a third of the epochs over all the data
 * (the intent, topic and slot models all train their served heads this way).
 */
export function finishing(options: TrainOptions): TrainOptions {
  return { ...options, epochs: Math.max(1, Math.round(options.epochs / 3)) };
}

/**
 * Heads trained on `folds` cross-validation folds (example i is held out of fold i % folds), with each example's
 * probabilities read by the fold head that never saw it: what calibration reads, and what `finish` starts from.
 */
export function crossValidate(
  examples: readonly Features[],
  targets: readonly string[],
  labels: readonly string[],
  options: TrainOptions,
  folds: number,
): { heads: SoftmaxHead[]; heldOut: Float32Array[] } {
  const heldOut: Float32Array[] = new Array(examples.length);
  const heads: SoftmaxHead[] = [];
  for (let f = 0; f < folds; f++) {
    const idx = examples.map((_, i) => i).filter((i) => i % folds !== f);
    const head = SoftmaxHead.train(
      idx.map((i) => examples[i] as Features),
      idx.map((i) => targets[i] as string),
      labels,
      options,
    );
    heads.push(head);
    examples.forEach((x, i) => {
      if (i % folds === f) heldOut[i] = head.predict(x);
    });
  }
  return { heads, heldOut };
}

/** The served head: from the mean of the fold heads, a third of the epochs over all the data (see `finishing`). */
export function finish(
  examples: readonly Features[],
  targets: readonly string[],
  labels: readonly string[],
  options: TrainOptions,
  foldHeads: readonly SoftmaxHead[],
): SoftmaxHead {
  return SoftmaxHead.train(examples, targets, labels, finishing(options), SoftmaxHead.average(foldHeads));
}

/** Serialised head (JSON-safe), stored in the model cache. */
export interface HeadJson {
  labels: string[];
  dense: number;
  /** Width of the sparse part (absent: the text heads' `SPARSE_WIDTH`; 0 for a dense-only head). */
  sparse?: number;
  weights: number[];
  bias: number[];
}

/** A trained head. */
export class SoftmaxHead {
  readonly labels: readonly string[];
  readonly #dense: number;
  readonly #sparse: number;
  readonly #w: Float32Array;
  readonly #b: Float32Array;

  private constructor(
    labels: readonly string[],
    dense: number,
    sparse: number,
    w: Float32Array,
    b: Float32Array,
  ) {
    this.labels = labels;
    this.#dense = dense;
    this.#sparse = sparse;
    this.#w = w;
    this.#b = b;
  }

  /** Trains a head on featurised examples with labels (strings from `labels`). */
  static train(
    examples: readonly Features[],
    targets: readonly string[],
    labels: readonly string[],
    options: TrainOptions = DEFAULT_TRAIN,
    /** Weights to start from (a head of the same labels and layout), instead of zeros. */
    init?: SoftmaxHead,
  ): SoftmaxHead {
    const first = examples[0];
    if (!first) throw new Error('cannot train a head on no examples');
    const dense = first.dense.length;
    const C = labels.length;
    const sparse = options.denseOnly ? 0 : SPARSE_WIDTH;
    if (sparse === 0 && examples.some((x) => x.sparseIndex.length > 0))
      throw new Error('a dense-only head cannot train on sparse features');
    const width = dense + sparse;
    if (init && (init.#w.length !== C * width || init.labels.join() !== labels.join()))
      throw new Error('the head to start from differs in labels or layout');
    const y = targets.map((t) => {
      const i = labels.indexOf(t);
      if (i < 0) throw new Error(`unknown label ${t}`);
      return i;
    });
    const counts = new Array<number>(C).fill(0);
    for (const i of y) counts[i] = (counts[i] ?? 0) + 1;
    const classWeight = counts.map(
      (n, c) =>
        (options.balance && n > 0 ? 1 / Math.sqrt(n) : 1) * (options.classCost?.[labels[c] as string] ?? 1),
    );
    const norm = y.reduce((s, i) => s + (classWeight[i] ?? 1), 0);
    const batch = Math.max(1, options.batchSize);
    // The run's blocks in the kernels' memory: weights, gradient and Adam moments, biases, every example's dense
    // vector and sparse (index, value) pairs, one batch's probabilities, and one example's active classes.
    const N = examples.length;
    const pairsAt = new Int32Array(N + 1);
    examples.forEach((x, n) => {
      if (x.dense.length !== dense) throw new Error(`head expects ${dense}-d vectors, got ${x.dense.length}`);
      pairsAt[n + 1] = (pairsAt[n] as number) + x.sparseIndex.length;
    });
    const W = C * width;
    const { at, f32, i32 } = layout({
      w: W * 4,
      gw: W * 4,
      mw: W * 4,
      vw: W * 4,
      b: C * 4,
      x: N * dense * 4,
      pairs: (pairsAt[N] as number) * 8,
      probs: batch * C * 4,
      active: C * 4,
      scales: C * 4,
    });
    const w4 = at.w / 4;
    const b4 = at.b / 4;
    const probs4 = at.probs / 4;
    f32.set(init ? init.#w : new Float32Array(W), w4);
    f32.fill(0, at.gw / 4, at.vw / 4 + W);
    f32.set(init ? init.#b : new Float32Array(C), b4);
    examples.forEach((x, n) => {
      f32.set(x.dense, at.x / 4 + n * dense);
      const p = at.pairs / 4 + 2 * (pairsAt[n] as number);
      x.sparseIndex.forEach((j, k) => {
        if (j < 0 || j >= sparse) throw new Error(`sparse feature ${j} outside the head's ${sparse}`);
        i32[p + 2 * k] = j;
        f32[p + 2 * k + 1] = x.sparseValue[k] as number;
      });
    });
    const K = kernels();
    const gb = new Float64Array(C);
    const mb = new Float64Array(C);
    const vb = new Float64Array(C);
    const beta1 = 0.9;
    const beta2 = 0.999;
    const lr = options.learningRate;
    const l2 = options.l2;
    // A fixed pseudo-random order (xorshift), so the same data always trains the same weights.
    const order = examples.map((_, i) => i);
    let seed = 0x9e3779b9;
    const rand = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    const xAt = (n: number) => at.x + n * dense * 4;
    const pairsOf = (n: number) => at.pairs + (pairsAt[n] as number) * 8;
    const nsOf = (n: number) => (pairsAt[n + 1] as number) - (pairsAt[n] as number);
    let step = 0;
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      for (let start = 0; start < order.length; start += batch) {
        gb.fill(0);
        const end = Math.min(order.length, start + batch);
        // The weights hold still within a batch: every example's probabilities first, then the gradient.
        for (let o = start; o < end; o++) {
          const n = order[o] as number;
          const out = at.probs + (o - start) * C * 4;
          K.logits(at.w, at.b, C, width, dense, xAt(n), pairsOf(n), nsOf(n), out);
          softmaxInPlace(f32, out / 4, C);
        }
        // Each batch's gradient is scaled to the whole set's class-weighted mean, as full-batch training would be.
        const scale = order.length / (end - start) / norm;
        for (let o = start; o < end; o++) {
          const n = order[o] as number;
          const p = probs4 + (o - start) * C;
          const yn = y[n] as number;
          const cw = (classWeight[yn] ?? 1) * scale;
          let na = 0;
          for (let c = 0; c < C; c++) {
            const err = (f32[p + c] as number) - (c === yn ? 1 : 0);
            // A class the example already gets right to within SKIP_ERROR contributes next to nothing: no pass
            // over its vector (most of an epoch, once the heads are trained, for the slot heads' "none" texts).
            if (Math.abs(err) < SKIP_ERROR) continue;
            const g = err * cw;
            gb[c] = (gb[c] as number) + g;
            i32[at.active / 4 + na] = c;
            f32[at.scales / 4 + na++] = g;
          }
          if (na > 0)
            K.accumulate(at.gw, width, dense, xAt(n), pairsOf(n), nsOf(n), at.active, at.scales, na);
        }
        step++;
        const c1 = 1 - beta1 ** step;
        const c2 = 1 - beta2 ** step;
        // lr·(m/c1) / (√(v/c2) + ε) with the bias corrections folded into two factors; the step clears gw.
        K.adam(at.w, at.gw, at.mw, at.vw, W, l2, beta1, beta2, lr / c1, 1 / Math.sqrt(c2));
        for (let c = 0; c < C; c++) {
          const g = gb[c] as number;
          mb[c] = beta1 * (mb[c] as number) + (1 - beta1) * g;
          vb[c] = beta2 * (vb[c] as number) + (1 - beta2) * g * g;
          f32[b4 + c] =
            (f32[b4 + c] as number) -
            (lr * ((mb[c] as number) / c1)) / (Math.sqrt((vb[c] as number) / c2) + 1e-8);
        }
      }
    }
    return new SoftmaxHead(labels, dense, sparse, f32.slice(w4, w4 + W), f32.slice(b4, b4 + C));
  }

  /** Class probabilities for one example, in `labels` order. */
  predict(x: Features): Float32Array {
    if (x.dense.length !== this.#dense)
      throw new Error(`head expects ${this.#dense}-d vectors, got ${x.dense.length}`);
    const out = new Float32Array(this.labels.length);
    if (this.#sparse === 0 && x.sparseIndex.length > 0)
      throw new Error('a dense-only head cannot read sparse features');
    logitsInto(this.#w, this.#b, this.labels.length, this.#dense, this.#dense + this.#sparse, x, out, 0);
    softmaxInPlace(out, 0, out.length);
    return out;
  }

  /** The weight of dense feature `k` for class `c` (the decision record reads what moved a decision). */
  weight(c: number, k: number): number | undefined {
    if (c < 0 || c >= this.labels.length || k < 0 || k >= this.#dense) return undefined;
    return this.#w[c * (this.#dense + this.#sparse) + k];
  }

  /** Labels with probabilities, best first. */
  rank(x: Features): Array<{ label: string; p: number }> {
    const p = this.predict(x);
    return this.labels.map((label, i) => ({ label, p: p[i] ?? 0 })).sort((a, b) => b.p - a.p);
  }

  toJSON(): HeadJson {
    return {
      labels: [...this.labels],
      dense: this.#dense,
      ...(this.#sparse === SPARSE_WIDTH ? {} : { sparse: this.#sparse }),
      weights: Array.from(this.#w, (v) => Math.round(v * 1e6) / 1e6),
      bias: Array.from(this.#b),
    };
  }

  /**
   * The mean of heads trained on the cross-validation folds of one data set (same labels, same layout): every
   * example was seen by all folds but one, so the mean stands in for a head trained on all of it, at no cost
   * (a bagged ensemble whose members share one linear form; calibration already read those same fold heads).
   */
  static average(heads: readonly SoftmaxHead[]): SoftmaxHead {
    const [first] = heads;
    if (!first) throw new Error('cannot average no heads');
    const w = new Float32Array(first.#w.length);
    const b = new Float32Array(first.#b.length);
    for (const h of heads) {
      if (h.#w.length !== w.length || h.#sparse !== first.#sparse || h.labels.join() !== first.labels.join())
        throw new Error('heads to average differ in labels or layout');
      for (let j = 0; j < w.length; j++) w[j] = (w[j] as number) + (h.#w[j] as number) / heads.length;
      for (let c = 0; c < b.length; c++) b[c] = (b[c] as number) + (h.#b[c] as number) / heads.length;
    }
    return new SoftmaxHead(first.labels, first.#dense, first.#sparse, w, b);
  }

  /** A stored head that must have `labels`, in order (a cache written for other labels is refused with `refusal`). */
  static fromStored(j: HeadJson, labels: readonly string[], refusal: string): SoftmaxHead {
    const head = SoftmaxHead.fromJSON(j);
    if (head.labels.join() !== labels.join()) throw new Error(refusal);
    return head;
  }

  static fromJSON(j: HeadJson): SoftmaxHead {
    const sparse = j.sparse ?? SPARSE_WIDTH;
    if (
      (sparse !== 0 && sparse !== SPARSE_WIDTH) ||
      j.weights.length !== j.labels.length * (j.dense + sparse)
    )
      throw new Error('stored head does not match the feature layout');
    return new SoftmaxHead(
      j.labels,
      j.dense,
      sparse,
      Float32Array.from(j.weights),
      Float32Array.from(j.bias),
    );
  }
}

/**
 * The logits of `x` into `out[at..at+C)`: per class the bias, the dense part in order, then the sparse part. Four
 * (or three) classes at a time, each its own sum in that same order (independent sums overlap; one alone waits on each add).
 */
function logitsInto(
  w: Float32Array,
  b: Float32Array,
  C: number,
  dense: number,
  width: number,
  x: Features,
  out: Float32Array,
  at: number,
): void {
  const xd = x.dense;
  const si = x.sparseIndex;
  const sv = x.sparseValue;
  const ns = si.length;
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const r0 = c * width;
    const r1 = r0 + width;
    const r2 = r1 + width;
    const r3 = r2 + width;
    let s0 = b[c] as number;
    let s1 = b[c + 1] as number;
    let s2 = b[c + 2] as number;
    let s3 = b[c + 3] as number;
    for (let j = 0; j < dense; j++) {
      const v = xd[j] as number;
      s0 += (w[r0 + j] as number) * v;
      s1 += (w[r1 + j] as number) * v;
      s2 += (w[r2 + j] as number) * v;
      s3 += (w[r3 + j] as number) * v;
    }
    for (let k = 0; k < ns; k++) {
      const j = dense + (si[k] as number);
      const v = sv[k] as number;
      s0 += (w[r0 + j] as number) * v;
      s1 += (w[r1 + j] as number) * v;
      s2 += (w[r2 + j] as number) * v;
      s3 += (w[r3 + j] as number) * v;
    }
    out[at + c] = s0;
    out[at + c + 1] = s1;
    out[at + c + 2] = s2;
    out[at + c + 3] = s3;
  }
  if (c + 3 === C) {
    const r0 = c * width;
    const r1 = r0 + width;
    const r2 = r1 + width;
    let s0 = b[c] as number;
    let s1 = b[c + 1] as number;
    let s2 = b[c + 2] as number;
    for (let j = 0; j < dense; j++) {
      const v = xd[j] as number;
      s0 += (w[r0 + j] as number) * v;
      s1 += (w[r1 + j] as number) * v;
      s2 += (w[r2 + j] as number) * v;
    }
    for (let k = 0; k < ns; k++) {
      const j = dense + (si[k] as number);
      const v = sv[k] as number;
      s0 += (w[r0 + j] as number) * v;
      s1 += (w[r1 + j] as number) * v;
      s2 += (w[r2 + j] as number) * v;
    }
    out[at + c] = s0;
    out[at + c + 1] = s1;
    out[at + c + 2] = s2;
    return;
  }
  for (; c + 2 <= C; c += 2) {
    const r0 = c * width;
    const r1 = r0 + width;
    let s0 = b[c] as number;
    let s1 = b[c + 1] as number;
    for (let j = 0; j < dense; j++) {
      const v = xd[j] as number;
      s0 += (w[r0 + j] as number) * v;
      s1 += (w[r1 + j] as number) * v;
    }
    for (let k = 0; k < ns; k++) {
      const j = dense + (si[k] as number);
      const v = sv[k] as number;
      s0 += (w[r0 + j] as number) * v;
      s1 += (w[r1 + j] as number) * v;
    }
    out[at + c] = s0;
    out[at + c + 1] = s1;
  }
  for (; c < C; c++) {
    const r0 = c * width;
    let s0 = b[c] as number;
    for (let j = 0; j < dense; j++) s0 += (w[r0 + j] as number) * (xd[j] as number);
    for (let k = 0; k < ns; k++) s0 += (w[r0 + dense + (si[k] as number)] as number) * (sv[k] as number);
    out[at + c] = s0;
  }
}

/** Softmax of `v[at..at+n)` in place. */
function softmaxInPlace(v: Float32Array, at: number, n: number): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = at; i < at + n; i++) if ((v[i] as number) > max) max = v[i] as number;
  let sum = 0;
  for (let i = at; i < at + n; i++) {
    const e = Math.exp((v[i] as number) - max);
    v[i] = e;
    sum += e;
  }
  for (let i = at; i < at + n; i++) v[i] = (v[i] as number) / sum;
}
