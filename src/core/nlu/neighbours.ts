/**
 * Nearest neighbours of a message among two sets of training texts: project descriptions (the recommend examples
 * and the slot-labelled texts that state a fact) and off-topic examples. A linear head on sentence vectors draws
 * one boundary; the nearest neighbour sees local structure ("a helpdesk tool for 15 agents" sits next to the
 * off-topic "which project management tool should our team adopt", "fraud detection for our bank" next to ML
 * projects). The route head weighs the two similarities as features, never as rules.
 */
import { type Exports, kernels, layout, newKernels } from './kernels.ts';

/** The two similarities (cosine of unit vectors): to the nearest project description and the nearest off-topic text. */
export interface NeighbourReading {
  project: number;
  offTopic: number;
}

/**
 * Reference vectors, both sets in one matrix that lives in a kernels instance of its own (training's arena is
 * another): a reading is one SIMD pass over every row.
 */
export class Neighbours {
  readonly #dims: number;
  readonly #nProject: number;
  readonly #n: number;
  readonly #k: Exports;
  readonly #f32: Float32Array;
  /** Byte offsets in the instance's memory: the matrix, its zero biases, the query, the similarities. */
  readonly #at: { w: number; b: number; x: number; out: number };

  constructor(project: readonly Float32Array[], offTopic: readonly Float32Array[]) {
    const all = [...project, ...offTopic];
    this.#dims = all[0]?.length ?? 0;
    this.#nProject = project.length;
    this.#n = all.length;
    const d = this.#dims;
    const n = this.#n;
    this.#at = { w: 0, b: n * d * 4, x: n * d * 4 + n * 4, out: n * d * 4 + n * 4 + d * 4 };
    this.#k = newKernels();
    const need = this.#at.out + n * 4;
    const have = this.#k.memory.buffer.byteLength;
    if (need > have) this.#k.memory.grow(Math.ceil((need - have) / 65536));
    this.#f32 = new Float32Array(this.#k.memory.buffer);
    all.forEach((v, i) => {
      if (v.length !== d) throw new Error('neighbour vectors differ in length');
      this.#f32.set(v, i * d);
    });
  }

  /** How near `v` lies to each set. */
  read(v: Float32Array): NeighbourReading {
    if (this.#n === 0) return { project: -1, offTopic: -1 };
    if (v.length !== this.#dims)
      throw new Error(`neighbours expect ${this.#dims}-d vectors, got ${v.length}`);
    const f = this.#f32;
    f.set(v, this.#at.x / 4);
    this.#k.logits(this.#at.w, this.#at.b, this.#n, this.#dims, this.#dims, this.#at.x, 0, 0, this.#at.out);
    let project = -1;
    let offTopic = -1;
    const o = this.#at.out / 4;
    for (let i = 0; i < this.#n; i++) {
      const s = f[o + i] as number;
      if (i < this.#nProject) {
        if (s > project) project = s;
      } else if (s > offTopic) offTopic = s;
    }
    return { project, offTopic };
  }

  /**
   * The readings of training texts as a new message's would be: each text's own copies (the same text in a set)
   * left out, so a training text is not its own nearest neighbour. `sets[k][i]` is the text of reference i.
   * Every similarity of one query is computed at once by the WebAssembly kernels.
   */
  static heldOut(
    refs: {
      project: ReadonlyArray<{ text: string; v: Float32Array }>;
      offTopic: ReadonlyArray<{ text: string; v: Float32Array }>;
    },
    queries: ReadonlyArray<{ text: string; v: Float32Array }>,
  ): NeighbourReading[] {
    const all = [...refs.project, ...refs.offTopic];
    const nProject = refs.project.length;
    const dims = all[0]?.v.length ?? 0;
    const N = all.length;
    if (N === 0) return queries.map(() => ({ project: 0, offTopic: 0 }));
    const { at, f32 } = layout({ w: N * dims * 4, b: N * 4, x: dims * 4, out: N * 4 });
    all.forEach((r, i) => {
      if (r.v.length !== dims) throw new Error('neighbour vectors differ in length');
      f32.set(r.v, at.w / 4 + i * dims);
    });
    f32.fill(0, at.b / 4, at.b / 4 + N);
    const k = kernels();
    return queries.map((q) => {
      f32.set(q.v, at.x / 4);
      k.logits(at.w, at.b, N, dims, dims, at.x, 0, 0, at.out);
      let project = -1;
      let offTopic = -1;
      for (let i = 0; i < N; i++) {
        if ((all[i] as { text: string }).text === q.text) continue;
        const s = f32[at.out / 4 + i] as number;
        if (i < nProject) {
          if (s > project) project = s;
        } else if (s > offTopic) offTopic = s;
      }
      return { project, offTopic };
    });
  }
}
