/**
 * Nearest neighbours of a message among two sets of training texts: project descriptions (the recommend examples
 * and the slot-labelled texts that state a fact) and off-topic examples. A linear head on sentence vectors draws
 * one boundary; the nearest neighbour sees local structure ("a helpdesk tool for 15 agents" sits next to the
 * off-topic "which project management tool should our team adopt", "fraud detection for our bank" next to ML
 * projects). The route head weighs the two similarities as features, never as rules.
 */
import { kernels, layout } from './kernels.ts';

/** The two similarities (cosine of unit vectors): to the nearest project description and the nearest off-topic text. */
export interface NeighbourReading {
  project: number;
  offTopic: number;
}

/** Reference vectors, one flat matrix per set. */
export class Neighbours {
  readonly #dims: number;
  readonly #project: Float32Array;
  readonly #offTopic: Float32Array;

  constructor(project: readonly Float32Array[], offTopic: readonly Float32Array[]) {
    this.#dims = project[0]?.length ?? offTopic[0]?.length ?? 0;
    this.#project = flat(project, this.#dims);
    this.#offTopic = flat(offTopic, this.#dims);
  }

  /** How near `v` lies to each set. */
  read(v: Float32Array): NeighbourReading {
    return { project: maxDot(this.#project, this.#dims, v), offTopic: maxDot(this.#offTopic, this.#dims, v) };
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

function flat(vs: readonly Float32Array[], dims: number): Float32Array {
  const m = new Float32Array(vs.length * dims);
  vs.forEach((v, i) => {
    if (v.length !== dims) throw new Error('neighbour vectors differ in length');
    m.set(v, i * dims);
  });
  return m;
}

/** The largest dot product of `v` with a row of `m` (rows of `dims`), four rows at a time; -1 for no rows. */
function maxDot(m: Float32Array, dims: number, v: Float32Array): number {
  const rows = dims > 0 ? m.length / dims : 0;
  const n = Math.min(dims, v.length);
  let best = -1;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const o0 = r * dims;
    const o1 = o0 + dims;
    const o2 = o1 + dims;
    const o3 = o2 + dims;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < n; k++) {
      const x = v[k] as number;
      s0 += x * (m[o0 + k] as number);
      s1 += x * (m[o1 + k] as number);
      s2 += x * (m[o2 + k] as number);
      s3 += x * (m[o3 + k] as number);
    }
    best = Math.max(best, s0, s1, s2, s3);
  }
  for (; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += (v[k] as number) * (m[r * dims + k] as number);
    best = Math.max(best, s);
  }
  return best;
}
