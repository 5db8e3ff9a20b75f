/** Okapi BM25 over small documents (one per knowledge entry). */
import { tokenize } from './text.ts';

/** A BM25 index; scores are raw BM25 sums (use `normalized` for 0..1). */
export class Bm25Index {
  readonly #docs: Array<Map<string, number>>;
  readonly #lengths: number[];
  readonly #idf = new Map<string, number>();
  readonly #avgLength: number;
  readonly #k1: number;
  readonly #b: number;

  /** `docs[i]` is the text of document i. */
  constructor(docs: readonly string[], options: { k1?: number; b?: number } = {}) {
    this.#k1 = options.k1 ?? 1.2;
    this.#b = options.b ?? 0.75;
    this.#docs = docs.map((d) => {
      const tf = new Map<string, number>();
      for (const t of tokenize(d)) tf.set(t, (tf.get(t) ?? 0) + 1);
      return tf;
    });
    this.#lengths = this.#docs.map((tf) => [...tf.values()].reduce((a, b) => a + b, 0));
    this.#avgLength = this.#lengths.reduce((a, b) => a + b, 0) / Math.max(1, docs.length);
    const df = new Map<string, number>();
    for (const tf of this.#docs) for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    const n = docs.length;
    for (const [t, f] of df) this.#idf.set(t, Math.log(1 + (n - f + 0.5) / (f + 0.5)));
  }

  /** Raw BM25 score of every document for `query`. */
  scores(query: string): number[] {
    const terms = [...new Set(tokenize(query))];
    return this.#docs.map((tf, i) => {
      let score = 0;
      const len = this.#lengths[i] ?? 0;
      for (const t of terms) {
        const f = tf.get(t);
        if (!f) continue;
        const idf = this.#idf.get(t) ?? 0;
        score +=
          (idf * (f * (this.#k1 + 1))) / (f + this.#k1 * (1 - this.#b + (this.#b * len) / this.#avgLength));
      }
      return score;
    });
  }

  /**
   * Scores divided by the best score the query could reach (each of its terms matched once at the
   * average length), so 0..1 and comparable across queries. Words the corpus has never seen count in the
   * ceiling at the idf of an unseen term: a query that is mostly foreign words scores low everywhere.
   */
  normalized(query: string): number[] {
    const terms = [...new Set(tokenize(query))];
    const unseen = Math.log(1 + (this.#docs.length + 0.5) / 0.5);
    const ceiling = terms.reduce((s, t) => s + (this.#idf.get(t) ?? unseen), 0);
    const raw = this.scores(query);
    return ceiling > 0 ? raw.map((s) => Math.min(1, s / ceiling)) : raw.map(() => 0);
  }

  /** Fraction of the query's content words that appear anywhere in the corpus (0 when it has none). */
  coverage(query: string): number {
    const terms = [...new Set(tokenize(query))];
    if (terms.length === 0) return 0;
    return terms.filter((t) => this.#idf.has(t)).length / terms.length;
  }

  /** The query's content words (stemmed) that no document contains. */
  unknownTerms(query: string): string[] {
    return [...new Set(tokenize(query))].filter((t) => !this.#idf.has(t));
  }
}
