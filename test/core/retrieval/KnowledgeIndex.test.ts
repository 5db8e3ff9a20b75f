import { describe, expect, it } from 'vitest';
import { type KnowledgeEntry, knowledgeEntrySchema } from '../../../src/core/knowledge/schema.ts';
import {
  DEFAULT_FUSION,
  entryPhrasings,
  KnowledgeIndex,
} from '../../../src/core/retrieval/KnowledgeIndex.ts';
import { expandForEmbedding } from '../../../src/core/retrieval/text.ts';
import { dot } from '../../../src/core/retrieval/vectors.ts';
import { FakeEmbedder } from '../../helpers/fake-embedder.ts';

const entry = (id: string, alternates: string[], answer: string): KnowledgeEntry =>
  knowledgeEntrySchema.parse({
    id,
    title: `${id} title`,
    section: 'Section',
    question: `what about ${id}?`,
    alternates,
    answer,
  });

const six = (stem: string) =>
  Array.from({ length: 6 }, (_, i) => `${stem} phrasing ${i} ${'word '.repeat(i)}`);
const entries = [
  entry(
    'speed',
    [...six('training speed gpu'), 'is tf faster', 'pytorch trains quick'],
    'TensorFlow is fast.',
  ),
  entry('graphs', six('static dynamic graph'), 'PyTorch builds graphs on the fly.'),
  // As a training fold's index holds it: fewer phrasings than three (the question and the title only).
  { ...entry('tiny', six('eager mode'), 'Eager is the default.'), alternates: [] },
  entry(
    'community',
    [...six('community docs forum'), 'stack overflow answers', 'who has more users', 'hub'],
    'Both have big communities.',
  ),
];

/** The formula as a sorted list states it: 0.7 × the best phrasing + 0.3 × the mean of the best three, or the answer. */
async function reference(query: string, embedder: FakeEmbedder) {
  const [q] = await embedder.embed([expandForEmbedding(query)]);
  return Promise.all(
    entries.map(async (e) => {
      const vs = await embedder.embed(entryPhrasings(e).map(expandForEmbedding));
      const [a] = await embedder.embed([expandForEmbedding(e.answer)]);
      const sims = vs.map((v) => dot(q as Float32Array, v)).sort((x, y) => y - x);
      const top3 = sims.slice(0, 3);
      const cosine = 0.7 * (sims[0] ?? -1) + 0.3 * (top3.reduce((x, y) => x + y, 0) / top3.length);
      return {
        id: e.id,
        cosine: Math.max(cosine, DEFAULT_FUSION.answerWeight * dot(q as Float32Array, a as Float32Array)),
      };
    }),
  );
}

describe('KnowledgeIndex', () => {
  it.each([
    'is tensorflow faster at training on a gpu',
    'static or dynamic graph',
    'community forum and docs',
    'nothing in common at all',
    'what about tiny',
  ])(
    'scores "%s" by the best phrasing and the best three, exactly as the sorted-list formula',
    async (query) => {
      const embedder = new FakeEmbedder();
      const index = await KnowledgeIndex.build(entries, embedder);
      const [q] = await embedder.embed([expandForEmbedding(query)]);
      const got = index.search(query, q as Float32Array, 'embedding');
      const want = await reference(query, embedder);
      for (const w of want) expect(got.find((g) => g.entry.id === w.id)?.cosine).toBe(w.cosine);
      expect(got.map((g) => g.score)).toEqual([...got.map((g) => g.score)].sort((x, y) => y - x));
    },
  );

  it('refuses phrasing vectors of different lengths', async () => {
    let n = 0;
    const ragged = Object.assign(new FakeEmbedder('ragged'), {
      async embed(texts: readonly string[]) {
        return texts.map(() => new Float32Array(n++ === 1 ? 3 : 4).fill(0.5));
      },
    });
    await expect(KnowledgeIndex.build(entries.slice(0, 1), ragged)).rejects.toThrow(/differ in length/);
  });
});
