/** Intent routing by nearest examples: each intent scores the mean cosine of its k closest example utterances. */
import type { IntentDefinition, KnowledgeEntry } from '../knowledge/schema.ts';
import type { Embedder } from '../ports.ts';
import { entryPhrasings } from '../retrieval/KnowledgeIndex.ts';
import { expandForEmbedding } from '../retrieval/text.ts';
import { dot } from '../retrieval/vectors.ts';
import type { Intent } from '../types.ts';

/** Intent scores for one utterance, best first. */
export type IntentScores = Array<{ intent: Intent; score: number }>;

/** k-nearest-examples intent classifier. */
export class IntentRouter {
  readonly #examples: Array<{ intent: Intent; vector: Float32Array }>;
  readonly #k: number;

  private constructor(examples: Array<{ intent: Intent; vector: Float32Array }>, k: number) {
    this.#examples = examples;
    this.#k = k;
  }

  /** Embeds the intent examples, plus every knowledge-base phrasing as a `faq` example. */
  static async build(
    intents: readonly IntentDefinition[],
    knowledge: readonly KnowledgeEntry[],
    embedder: Embedder,
    k = 3,
  ): Promise<IntentRouter> {
    const labelled: Array<{ intent: Intent; text: string }> = [];
    for (const def of intents) for (const text of def.examples) labelled.push({ intent: def.intent, text });
    for (const entry of knowledge)
      for (const text of entryPhrasings(entry)) labelled.push({ intent: 'faq', text });
    const vectors = await embedder.embed(labelled.map((l) => expandForEmbedding(l.text)));
    return new IntentRouter(
      labelled.map((l, i) => ({ intent: l.intent, vector: vectors[i] ?? new Float32Array() })),
      k,
    );
  }

  /** Every intent that has examples, scored for `vector`, best first. */
  route(vector: Float32Array): IntentScores {
    const byIntent = new Map<Intent, number[]>();
    for (const ex of this.#examples) {
      const list = byIntent.get(ex.intent) ?? [];
      list.push(dot(vector, ex.vector));
      byIntent.set(ex.intent, list);
    }
    const scores: IntentScores = [];
    for (const [intent, sims] of byIntent) {
      const top = sims.sort((a, b) => b - a).slice(0, this.#k);
      scores.push({ intent, score: top.reduce((a, b) => a + b, 0) / top.length });
    }
    return scores.sort((a, b) => b.score - a.score);
  }
}
