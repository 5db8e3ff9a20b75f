import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isEnglishWord, SortedWordList } from '../../../src/infra/nlu/dictionary.ts';

describe('SortedWordList: binary search over the raw JSON text', () => {
  const list = new SortedWordList(JSON.stringify(['a', 'ab', 'abc', 'b', 'ba', 'cat', 'dog', 'z']));

  it('finds every word of the list, first and last included, and nothing else', () => {
    for (const w of ['a', 'ab', 'abc', 'b', 'ba', 'cat', 'dog', 'z']) expect(list.has(w), w).toBe(true);
    for (const w of ['', 'aa', 'abcd', 'c', 'ca', 'do', 'dogs', 'y', 'zz', '"', 'a","ab'])
      expect(list.has(w), w).toBe(false);
  });

  it('refuses text that is not an array of plain quoted words', () => {
    expect(() => new SortedWordList('{"a":1}')).toThrow(/plain words/);
    expect(() => new SortedWordList('["a\\"b"]')).toThrow(/plain words/);
  });

  it('agrees with a Set of the shipped dictionary on its words and on near-misses', () => {
    const file = createRequire(import.meta.url).resolve('an-array-of-english-words');
    const raw = readFileSync(file, 'utf8');
    const words: string[] = JSON.parse(raw);
    const set = new Set(words);
    const shipped = new SortedWordList(raw);
    for (let i = 0; i < words.length; i += 97) {
      const w = words[i] as string;
      expect(shipped.has(w), w).toBe(true);
      const near = `${w.slice(0, -1)}q`;
      expect(shipped.has(near), near).toBe(set.has(near));
    }
    expect(isEnglishWord('community')).toBe(true);
    expect(isEnglishWord('comunity')).toBe(false);
  });
});
