/**
 * Nearest neighbours of a message among two sets of training texts: project descriptions (the recommend examples
 * and the slot-labelled texts that state a fact) and off-topic examples. A linear head on sentence vectors draws
 * one boundary; the nearest neighbour sees local structure ("a helpdesk tool for 15 agents" sits next to the
 * off-topic "which project management tool should our team adopt", "fraud detection for our bank" next to ML
 * projects). The route head weighs the two similarities as features, never as rules.
 */
import { type Exports, layout, newKernels } from './kernels.ts';

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
    const d = all[0]?.length ?? 0;
    const n = all.length;
    this.#dims = d;
    this.#nProject = project.length;
    this.#n = n;
    this.#k = newKernels();
    // A fresh memory is zeros: the biases need no filling.
    const { at, f32 } = layout({ w: n * d * 4, b: n * 4, x: d * 4, out: n * 4 }, this.#k);
    this.#at = at;
    this.#f32 = f32;
    all.forEach((v, i) => {
      if (v.length !== d) throw new Error('neighbour vectors differ in length');
      f32.set(v, at.w / 4 + i * d);
    });
  }

  /** How near `v` lies to each set. */
  read(v: Float32Array): NeighbourReading {
    return this.#read(v);
  }

  /** As `read`, with the reference rows `skip` names left out. */
  #read(v: Float32Array, skip?: (row: number) => boolean): NeighbourReading {
    if (this.#n === 0) return { project: -1, offTopic: -1 };
    if (v.length !== this.#dims)
      throw new Error(`neighbours expect ${this.#dims}-d vectors, got ${v.length}`);
    const f = this.#f32;
    const at = this.#at;
    f.set(v, at.x / 4);
    this.#k.logits(at.w, at.b, this.#n, this.#dims, this.#dims, at.x, 0, 0, at.out);
    let project = -1;
    let offTopic = -1;
    for (let i = 0; i < this.#n; i++) {
      if (skip?.(i)) continue;
      const s = f[at.out / 4 + i] as number;
      if (i < this.#nProject) {
        if (s > project) project = s;
      } else if (s > offTopic) offTopic = s;
    }
    return { project, offTopic };
  }

  /**
   * The readings of training texts as a new message's would be: each text's own copies (the same text in a set)
   * left out, so a training text is not its own nearest neighbour.
   */
  static heldOut(
    refs: {
      project: ReadonlyArray<{ text: string; v: Float32Array }>;
      offTopic: ReadonlyArray<{ text: string; v: Float32Array }>;
    },
    queries: ReadonlyArray<{ text: string; v: Float32Array }>,
  ): NeighbourReading[] {
    const all = [...refs.project, ...refs.offTopic];
    if (all.length === 0) return queries.map(() => ({ project: 0, offTopic: 0 }));
    const nn = new Neighbours(
      refs.project.map((r) => r.v),
      refs.offTopic.map((r) => r.v),
    );
    return queries.map((q) => nn.#read(q.v, (i) => (all[i] as { text: string }).text === q.text));
  }
}
