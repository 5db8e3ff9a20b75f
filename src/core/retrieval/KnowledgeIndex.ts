/** Hybrid retrieval over the knowledge base: embedding cosine on every phrasing fused with BM25. */
import type { KnowledgeEntry } from '../knowledge/schema.ts';
import type { Embedder } from '../ports.ts';
import { Bm25Index } from './bm25.ts';
import { expandForEmbedding, frameworksNamed } from './text.ts';
import { dot } from './vectors.ts';

/** Which signals rank entries: the hybrid in production; the single signals for evaluation. */
export type RetrievalMode = 'hybrid' | 'embedding' | 'bm25';

/** One ranked entry with its component scores. */
export interface ScoredEntry {
  entry: KnowledgeEntry;
  /** Fused score used for ranking and thresholds, 0..1. */
  score: number;
  /** Best cosine between the query and the entry's questions (or a damped answer cosine). */
  cosine: number;
  /** Normalised BM25, 0..1. */
  lexical: number;
}

/** Weights and shape of the fusion. */
export interface FusionOptions {
  /** Weight of the embedding score in the hybrid (the rest is BM25). */
  embeddingWeight: number;
  /** Damping of the answer-text cosine against the question cosines. */
  answerWeight: number;
  /** Subtracted from entries about the other framework when a question names only one. */
  focusPenalty: number;
}

/** The tuned defaults (see `npm run eval`). */
export const DEFAULT_FUSION: FusionOptions = { embeddingWeight: 0.55, answerWeight: 0.85, focusPenalty: 0.1 };

/** Every text of an entry that the embedder sees: phrasings first, the answer last. */
export function entryPhrasings(entry: KnowledgeEntry): string[] {
  return [entry.question, entry.title, ...entry.alternates];
}

/** Lexical document of an entry: all phrasings plus the answer. */
function lexicalDocument(entry: KnowledgeEntry): string {
  return [...entryPhrasings(entry), entry.answer].join('\n');
}

/** A built index; `search` needs the query's embedding from the same embedder. */
export class KnowledgeIndex {
  readonly entries: readonly KnowledgeEntry[];
  /** Every phrasing vector, row after row, entry after entry; entry i's rows are `#rows[i]..#rows[i+1]`. */
  readonly #matrix: Float32Array;
  readonly #rows: Int32Array;
  readonly #dims: number;
  readonly #answers: Float32Array[];
  readonly #bm25: Bm25Index;
  readonly #fusion: FusionOptions;

  private constructor(
    entries: readonly KnowledgeEntry[],
    phrasings: Float32Array[][],
    answers: Float32Array[],
    fusion: FusionOptions,
  ) {
    this.entries = entries;
    this.#dims = phrasings.flat()[0]?.length ?? 0;
    this.#rows = new Int32Array(phrasings.length + 1);
    phrasings.forEach((p, i) => {
      this.#rows[i + 1] = (this.#rows[i] as number) + p.length;
    });
    this.#matrix = new Float32Array((this.#rows[phrasings.length] as number) * this.#dims);
    let at = 0;
    for (const v of phrasings.flat()) {
      if (v.length !== this.#dims) throw new Error('phrasing vectors differ in length');
      this.#matrix.set(v, at);
      at += this.#dims;
    }
    this.#answers = answers;
    this.#bm25 = new Bm25Index(entries.map(lexicalDocument));
    this.#fusion = fusion;
  }

  /** Embeds every phrasing and answer once (through whatever cache `embedder` has) and builds the index. */
  static async build(
    entries: readonly KnowledgeEntry[],
    embedder: Embedder,
    fusion: FusionOptions = DEFAULT_FUSION,
  ): Promise<KnowledgeIndex> {
    const texts: string[] = [];
    for (const e of entries) texts.push(...entryPhrasings(e), e.answer);
    const vectors = await embedder.embed(texts.map(expandForEmbedding));
    let i = 0;
    const phrasings: Float32Array[][] = [];
    const answers: Float32Array[] = [];
    for (const e of entries) {
      const n = entryPhrasings(e).length;
      phrasings.push(vectors.slice(i, i + n));
      i += n;
      const answer = vectors[i++];
      if (!answer) throw new Error('embedder returned fewer vectors than texts');
      answers.push(answer);
    }
    return new KnowledgeIndex(entries, phrasings, answers, fusion);
  }

  /** Fraction of the query's content words known to the corpus (a cheap on-topic signal). */
  lexicalCoverage(query: string): number {
    return this.#bm25.coverage(query);
  }

  /** The query's content words the knowledge base never uses. */
  unknownTerms(query: string): string[] {
    return this.#bm25.unknownTerms(query);
  }

  /** All entries ranked for the query, best first. */
  search(query: string, queryVector: Float32Array, mode: RetrievalMode = 'hybrid'): ScoredEntry[] {
    const lexical = this.#bm25.normalized(query);
    const { embeddingWeight, answerWeight, focusPenalty } = this.#fusion;
    // A question naming one framework only is not about an entry that covers only the other one.
    const named = frameworksNamed(query);
    const other = named.size === 1 ? (named.has('tensorflow') ? 'pytorch' : 'tensorflow') : undefined;
    const scored = this.entries.map((entry, i) => {
      const top = this.#top3(queryVector, this.#rows[i] as number, this.#rows[i + 1] as number);
      let cosine = 0.7 * (top.n > 0 ? top.a : -1) + 0.3 * (top.sum / Math.max(1, top.n));
      const answer = this.#answers[i];
      if (answer) cosine = Math.max(cosine, answerWeight * dot(queryVector, answer));
      const lex = lexical[i] ?? 0;
      const score =
        mode === 'bm25'
          ? lex
          : mode === 'embedding'
            ? Math.max(0, cosine)
            : embeddingWeight * Math.max(0, cosine) + (1 - embeddingWeight) * lex;
      const penalty = other !== undefined && entry.focus === other ? focusPenalty : 0;
      return { entry, score: Math.max(0, score - penalty), cosine, lexical: lex };
    });
    return scored.sort((a, b) => b.score - a.score);
  }

  /**
   * The query's similarity to phrasing rows `from..to`: the best, and the sum of the best three (added best first,
   * as a sorted list would be) with how many there are. Four rows at a time, each its own sum in `dot`'s order.
   */
  #top3(q: Float32Array, from: number, to: number): { a: number; sum: number; n: number } {
    const m = this.#matrix;
    const d = this.#dims;
    const n = Math.min(q.length, d);
    let a = Number.NEGATIVE_INFINITY;
    let b = Number.NEGATIVE_INFINITY;
    let c = Number.NEGATIVE_INFINITY;
    const take = (s: number) => {
      if (s > a) {
        c = b;
        b = a;
        a = s;
      } else if (s > b) {
        c = b;
        b = s;
      } else if (s > c) c = s;
    };
    let r = from;
    for (; r + 4 <= to; r += 4) {
      const o0 = r * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < n; k++) {
        const v = q[k] as number;
        s0 += v * (m[o0 + k] as number);
        s1 += v * (m[o1 + k] as number);
        s2 += v * (m[o2 + k] as number);
        s3 += v * (m[o3 + k] as number);
      }
      take(s0);
      take(s1);
      take(s2);
      take(s3);
    }
    for (; r < to; r++) {
      const o = r * d;
      let s = 0;
      for (let k = 0; k < n; k++) s += (q[k] as number) * (m[o + k] as number);
      take(s);
    }
    const count = Math.min(3, to - from);
    const sum = count === 0 ? 0 : count === 1 ? 0 + a : count === 2 ? 0 + a + b : 0 + a + b + c;
    return { a, sum, n: count };
  }
}
