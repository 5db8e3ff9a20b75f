/**
 * A regularised multinomial logistic regression (a SetFit-style classification head on frozen sentence vectors
 * plus sparse features), trained with mini-batch Adam. Deterministic: zero initialisation (or a given head to
 * continue from), a seeded shuffle.
 */
import { type Features, SPARSE_WIDTH } from './features.ts';

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

/** Serialised head (JSON-safe), stored in the model cache. */
export interface HeadJson {
  labels: string[];
  dense: number;
  weights: number[];
  bias: number[];
}

/** A trained head. */
export class SoftmaxHead {
  readonly labels: readonly string[];
  readonly #dense: number;
  readonly #w: Float32Array;
  readonly #b: Float32Array;

  private constructor(labels: readonly string[], dense: number, w: Float32Array, b: Float32Array) {
    this.labels = labels;
    this.#dense = dense;
    this.#w = w;
    this.#b = b;
  }

  get #width(): number {
    return this.#dense + SPARSE_WIDTH;
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
    const width = dense + SPARSE_WIDTH;
    if (init && (init.#w.length !== C * width || init.labels.join() !== labels.join()))
      throw new Error('the head to start from differs in labels or layout');
    const w = init ? Float32Array.from(init.#w) : new Float32Array(C * width);
    const b = init ? Float32Array.from(init.#b) : new Float32Array(C);
    const y = targets.map((t) => {
      const i = labels.indexOf(t);
      if (i < 0) throw new Error(`unknown label ${t}`);
      return i;
    });
    const counts = new Array<number>(C).fill(0);
    for (const i of y) counts[i] = (counts[i] ?? 0) + 1;
    const classWeight = counts.map((n) => (options.balance && n > 0 ? 1 / Math.sqrt(n) : 1));
    const norm = y.reduce((s, i) => s + (classWeight[i] ?? 1), 0);
    const head = new SoftmaxHead(labels, dense, w, b);
    const gw = new Float32Array(w.length);
    const gb = new Float32Array(C);
    const mw = new Float32Array(w.length);
    const vw = new Float32Array(w.length);
    const mb = new Float32Array(C);
    const vb = new Float32Array(C);
    const probs = new Float32Array(C);
    const beta1 = 0.9;
    const beta2 = 0.999;
    // A fixed pseudo-random order (xorshift), so the same data always trains the same weights.
    const order = examples.map((_, i) => i);
    let seed = 0x9e3779b9;
    const rand = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    const batch = Math.max(1, options.batchSize);
    let step = 0;
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      for (let start = 0; start < order.length; start += batch) {
        gw.fill(0);
        gb.fill(0);
        const end = Math.min(order.length, start + batch);
        // Each batch's gradient is scaled to the whole set's class-weighted mean, as full-batch training would be.
        const scale = order.length / (end - start) / norm;
        for (let o = start; o < end; o++) {
          const n = order[o] as number;
          const x = examples[n] as Features;
          head.#logits(x, probs);
          softmaxInPlace(probs);
          const cw = (classWeight[y[n] as number] ?? 1) * scale;
          for (let c = 0; c < C; c++) {
            const err = (probs[c] as number) - (c === y[n] ? 1 : 0);
            // A class the example already gets right to within SKIP_ERROR contributes next to nothing: no pass
            // over its vector (most of an epoch, once the heads are trained, for the slot heads' "none" texts).
            if (Math.abs(err) < SKIP_ERROR) continue;
            const g = err * cw;
            gb[c] = (gb[c] as number) + g;
            const row = c * width;
            const xd = x.dense;
            for (let j = 0; j < dense; j++) gw[row + j] = (gw[row + j] as number) + g * (xd[j] as number);
            for (let k = 0; k < x.sparseIndex.length; k++) {
              const j = row + dense + (x.sparseIndex[k] as number);
              gw[j] = (gw[j] as number) + g * (x.sparseValue[k] as number);
            }
          }
        }
        step++;
        const lr = options.learningRate;
        const c1 = 1 - beta1 ** step;
        const c2 = 1 - beta2 ** step;
        for (let j = 0; j < w.length; j++) {
          const g = (gw[j] as number) + options.l2 * (w[j] as number);
          if (g === 0 && mw[j] === 0) continue;
          mw[j] = beta1 * (mw[j] as number) + (1 - beta1) * g;
          vw[j] = beta2 * (vw[j] as number) + (1 - beta2) * g * g;
          w[j] =
            (w[j] as number) - (lr * ((mw[j] as number) / c1)) / (Math.sqrt((vw[j] as number) / c2) + 1e-8);
        }
        for (let c = 0; c < C; c++) {
          const g = gb[c] as number;
          mb[c] = beta1 * (mb[c] as number) + (1 - beta1) * g;
          vb[c] = beta2 * (vb[c] as number) + (1 - beta2) * g * g;
          b[c] =
            (b[c] as number) - (lr * ((mb[c] as number) / c1)) / (Math.sqrt((vb[c] as number) / c2) + 1e-8);
        }
      }
    }
    return head;
  }

  #logits(x: Features, out: Float32Array): void {
    const width = this.#width;
    const dense = this.#dense;
    for (let c = 0; c < this.labels.length; c++) {
      const row = c * width;
      let s = this.#b[c] as number;
      const xd = x.dense;
      for (let j = 0; j < dense; j++) s += (this.#w[row + j] as number) * (xd[j] as number);
      for (let k = 0; k < x.sparseIndex.length; k++)
        s += (this.#w[row + dense + (x.sparseIndex[k] as number)] as number) * (x.sparseValue[k] as number);
      out[c] = s;
    }
  }

  /** Class probabilities for one example, in `labels` order. */
  predict(x: Features): Float32Array {
    if (x.dense.length !== this.#dense)
      throw new Error(`head expects ${this.#dense}-d vectors, got ${x.dense.length}`);
    const out = new Float32Array(this.labels.length);
    this.#logits(x, out);
    softmaxInPlace(out);
    return out;
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
      if (h.#w.length !== w.length || h.labels.join() !== first.labels.join())
        throw new Error('heads to average differ in labels or layout');
      for (let j = 0; j < w.length; j++) w[j] = (w[j] as number) + (h.#w[j] as number) / heads.length;
      for (let c = 0; c < b.length; c++) b[c] = (b[c] as number) + (h.#b[c] as number) / heads.length;
    }
    return new SoftmaxHead(first.labels, first.#dense, w, b);
  }

  static fromJSON(j: HeadJson): SoftmaxHead {
    if (j.weights.length !== j.labels.length * (j.dense + SPARSE_WIDTH))
      throw new Error('stored head does not match the feature layout');
    return new SoftmaxHead(j.labels, j.dense, Float32Array.from(j.weights), Float32Array.from(j.bias));
  }
}

function softmaxInPlace(v: Float32Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of v) if (x > max) max = x;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const e = Math.exp((v[i] as number) - max);
    v[i] = e;
    sum += e;
  }
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / sum;
}
