import { describe, expect, it } from 'vitest';
import { AUGMENT_PREFIXES, augment, MIN_TYPO_WORD } from '../../../src/core/nlu/augment.ts';

const SAMPLES = [
  'Which is faster for training, TensorFlow or PyTorch?',
  'fraud detection on card transactions for our bank, going live next quarter',
  'tf vs torch, speed?',
  "is tensorflow's community bigger than pytorch's?",
  '3 of us, no DL background, want to classify support tickets',
  'show me the tf.keras code',
  'run the benchmark on our gpu box 🚀',
  'and at inference time?',
  'what is PyTorch',
  'hi',
  '👍 thx',
];
const SEEDS = Array.from({ length: 50 }, (_, i) => i);

const FRAMEWORK: Record<string, string> = {
  tensorflow: 'tensorflow',
  tf: 'tensorflow',
  tf2: 'tensorflow',
  keras: 'tensorflow',
  pytorch: 'pytorch',
  torch: 'pytorch',
  pt: 'pytorch',
};
/** Meaning words: tokens holding a letter or digit, without the leading mention/greeting augment adds. */
function meaningWords(text: string, original: string): string[] {
  const words = text.split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const origWords = original.split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
  if (
    words.length === origWords.length + 1 &&
    (AUGMENT_PREFIXES as readonly string[]).includes(words[0] ?? '')
  )
    words.shift();
  return words;
}
/** A word as compared: lowercased, end punctuation dropped, framework nicknames folded together. */
function canonical(word: string): string {
  const w = word.toLowerCase().replace(/[?!.,;:]+$/u, '');
  const m = /^([\p{L}\p{N}]+)((?:'s|’s)?)$/u.exec(w);
  return m && FRAMEWORK[m[1] as string] ? `${FRAMEWORK[m[1] as string]}${m[2]}` : w;
}
/** Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions). */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  return (d[a.length] as number[])[b.length] as number;
}

describe('augment', () => {
  it('is deterministic for a seed', () => {
    const text = SAMPLES[0] as string;
    expect(augment(text, 42)).toEqual([
      '@TensorDuel Which is faster for training TensorFlow or pt',
      'Which is faster for training, TensorFlow or torch?',
      'Which is faster for training TesnorFlow or pt',
      'which is faster for training, tensorfloe or pytorch?',
    ]);
    for (const s of SAMPLES)
      for (const seed of SEEDS.slice(0, 10)) expect(augment(s, seed)).toEqual(augment(s, seed));
    expect(augment(text, 1)).not.toEqual(augment(text, 2));
  });

  it('returns distinct variants that differ from the text, at most `count`', () => {
    for (const s of SAMPLES)
      for (const seed of SEEDS) {
        const out = augment(s, seed, { count: 3 });
        expect(out.length).toBeLessThanOrEqual(3);
        expect(new Set(out).size).toBe(out.length);
        expect(out).not.toContain(s);
      }
    expect(augment('', 1)).toEqual([]);
  });

  it("never changes the meaning words' count", () => {
    for (const s of SAMPLES)
      for (const seed of SEEDS)
        for (const v of augment(s, seed))
          expect(meaningWords(v, s).length, `${s} → ${v}`).toBe(meaningWords(s, s).length);
  });

  it('puts typos only in words of at least 5 letters, one edit per word, one word per variant', () => {
    let typos = 0;
    for (const s of SAMPLES)
      for (const seed of SEEDS)
        for (const v of augment(s, seed)) {
          const a = meaningWords(s, s).map(canonical);
          const b = meaningWords(v, s).map(canonical);
          const changed = a.flatMap((w, i) => (w === b[i] ? [] : [i]));
          expect(changed.length, `${s} → ${v}`).toBeLessThanOrEqual(1);
          for (const i of changed) {
            const plain = (w: string) => w.toLowerCase().replace(/[?!.,;:]+$/u, '');
            const before = plain(meaningWords(s, s)[i] as string);
            const after = plain(meaningWords(v, s)[i] as string);
            const letters = before.replace(/(?:'s|’s)$/u, '');
            expect(letters.length, `${s} → ${v}`).toBeGreaterThanOrEqual(MIN_TYPO_WORD);
            expect(osa(before, after), `${s} → ${v}`).toBe(1);
            typos++;
          }
        }
    expect(typos).toBeGreaterThan(100);
  });

  it('leaves texts of short words free of typos', () => {
    const s = 'is tf or pt good for me?';
    for (const seed of SEEDS)
      for (const v of augment(s, seed))
        expect(meaningWords(v, s).map(canonical)).toEqual(meaningWords(s, s).map(canonical));
  });

  it('leaves mentions alone', () => {
    for (const seed of SEEDS)
      for (const v of augment('@TensorDuel which framework should we choose?', seed))
        expect(v.startsWith('@TensorDuel ')).toBe(true);
  });

  it('swaps framework nicknames both ways', () => {
    const all = SEEDS.flatMap((seed) => augment('tensorflow or pytorch', seed, { count: 8 }));
    for (const nick of ['tf', 'keras', 'TF2', 'torch', 'pt'])
      expect(all.some((v) => v.split(' ').includes(nick))).toBe(true);
    const back = SEEDS.flatMap((seed) => augment('tf or torch', seed, { count: 8 }));
    expect(back.some((v) => /^tensorflow or torch$/i.test(v))).toBe(true);
    expect(back.some((v) => /^tf or pytorch$/i.test(v))).toBe(true);
  });
});
