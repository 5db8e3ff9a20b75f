import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../../src/core/retrieval/bm25.ts';
import { stem, tokenize } from '../../../src/core/retrieval/text.ts';

describe('tokenize', () => {
  it('folds framework nicknames into the article words and drops stopwords', () => {
    expect(tokenize('Is TF quicker than torch?')).toEqual(['tensorflow', 'fast', 'pytorch']);
  });
  it('drops evaluative words, which name no topic ("is pytorch good for production" is not about docs)', () => {
    expect(tokenize('Is PyTorch good for production? Which is better, the best?')).toEqual([
      'pytorch',
      stem('production'),
    ]);
  });
  it('stems inflections to one form', () => {
    expect(stem('training')).toBe(stem('trains'));
    expect(stem('running')).toBe('run');
  });
});

describe('Bm25Index', () => {
  const index = new Bm25Index([
    'training speed: which framework trains faster',
    'inference latency: which framework serves predictions faster',
    'community size and documentation',
  ]);
  it('ranks the document that shares the rare words first', () => {
    const s = index.normalized('how fast is inference');
    expect(s.indexOf(Math.max(...s))).toBe(1);
  });
  it('scores a query of words the corpus never saw near zero', () => {
    expect(Math.max(...index.normalized('postgres jsonb gin index'))).toBe(0);
  });
  it('keeps normalised scores within 0..1', () => {
    for (const v of index.normalized('training training faster faster framework')) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });
});
