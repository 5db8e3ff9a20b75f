/**
 * Typo correction against the knowledge base's own vocabulary, SymSpell-style: a deletes index finds candidates
 * within a bounded edit distance; a word the dictionary knows is never "corrected" into another word.
 */

/** One correction made, for the decision record. */
export interface Correction {
  from: string;
  to: string;
}

/** A corrected text and what changed. */
export interface Corrected {
  text: string;
  corrections: Correction[];
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), stopping early past `max`.
 * @example osaDistance('tensorlfow', 'tensorflow', 2) // → 1
 */
export function osaDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let j = 0; j < cols; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i < rows; i++) {
    let rowMin = Number.POSITIVE_INFINITY;
    const row = d[i] as number[];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      row[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
  }
  return at(a.length, b.length);
}

function deletes(word: string, depth: number, out: Set<string>): void {
  if (depth === 0 || word.length <= 1) return;
  for (let i = 0; i < word.length; i++) {
    const d = word.slice(0, i) + word.slice(i + 1);
    if (!out.has(d)) {
      out.add(d);
      deletes(d, depth - 1, out);
    }
  }
}

/** Words shorter than this are never corrected: too many short words are one edit apart. */
const MIN_LENGTH = 4;

/** A word the data uses is a misspelling when its correction is used this many times as often (`learnTerms`). */
const TYPO_RATIO = 3;

/** Largest edit distance allowed for a word of this length. */
function maxDistanceFor(length: number): number {
  return length >= 8 ? 2 : 1;
}

const WORD = /[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]/g;
/** The endings of English contractions and possessives. */
const CLITIC = /(?:n't|'s|'ll|'re|'ve|'d|'m|')$/;

/** A typo corrector built from a vocabulary (word → frequency) and a dictionary of known-correct words. */
export class SpellCorrector {
  readonly #vocabulary: Map<string, number>;
  readonly #known: (word: string) => boolean;
  readonly #index = new Map<string, string[]>();

  /**
   * @param vocabulary the domain words corrections may produce, with their frequencies (ties go to the more frequent)
   * @param isKnownWord true for any correctly spelled word (an English dictionary, plus the vocabulary)
   */
  constructor(vocabulary: Map<string, number>, isKnownWord: (word: string) => boolean) {
    this.#vocabulary = vocabulary;
    this.#known = (w) => vocabulary.has(w) || isKnownWord(w);
    for (const word of vocabulary.keys()) this.#indexWord(word);
  }

  #indexWord(word: string): void {
    // A correction never produces a word shorter than the shortest word it corrects.
    if (word.length < MIN_LENGTH) return;
    const keys = new Set<string>([word]);
    deletes(word, maxDistanceFor(word.length + 1), keys);
    for (const k of keys) {
      const list = this.#index.get(k);
      if (list) list.push(word);
      else this.#index.set(k, [word]);
    }
  }

  /**
   * The domain's terms among the words the data uses (`counts`: word → occurrences), with their counts: "cnn",
   * "bert", "yolo", "kubernetes". A word used at least twice that no dictionary knows is a term unless it is a misspelling, that is, unless its correction is a word the same data
   * uses `TYPO_RATIO` times as often ("reserch" beside "research").
   */
  findTerms(counts: ReadonlyMap<string, number>): Array<[string, number]> {
    const terms: Array<[string, number]> = [];
    for (const [word, n] of counts) {
      if (n < 2 || this.#known(word) || /\d/.test(word)) continue;
      const fix = this.suggest(word);
      if (fix !== undefined && (counts.get(fix) ?? 0) >= TYPO_RATIO * n) continue;
      terms.push([word, n]);
    }
    return terms;
  }

  /** Makes terms vocabulary: spelled right, and what their own misspellings are corrected to. */
  addTerms(terms: ReadonlyArray<readonly [string, number]>): void {
    for (const [word, n] of terms) {
      this.#vocabulary.set(word, n);
      this.#indexWord(word);
    }
  }

  /** The best correction for one lowercase word, or undefined when it is known or nothing is close enough. */
  suggest(word: string): string | undefined {
    if (word.length < MIN_LENGTH || this.#known(word) || /\d/.test(word)) return undefined;
    // A contraction or possessive of a known word ("we'll", "company's", "isn't") is spelled right: the dictionary
    // lists no forms with an apostrophe, and "we'll" is one edit from "well".
    // A misspelled one is corrected in its base and keeps its ending ("compnay's" → "company's").
    // The plural of a known word is spelled right ("cnns", "gpus"), though it may be one edit from another word.
    if (word.endsWith('s') && word.length >= MIN_LENGTH && this.#known(word.slice(0, -1))) return undefined;
    const base = word.replace(CLITIC, '');
    if (base !== word) {
      const fixed = base.length < MIN_LENGTH || this.#known(base) ? undefined : this.suggest(base);
      return fixed === undefined ? undefined : fixed + word.slice(base.length);
    }
    const max = maxDistanceFor(word.length);
    const keys = new Set<string>([word]);
    deletes(word, max, keys);
    let best: { word: string; distance: number; freq: number } | undefined;
    for (const k of keys) {
      for (const candidate of this.#index.get(k) ?? []) {
        const distance = osaDistance(word, candidate, max);
        if (distance > max) continue;
        const freq = this.#vocabulary.get(candidate) ?? 0;
        if (
          !best ||
          distance < best.distance ||
          (distance === best.distance && (freq > best.freq || (freq === best.freq && candidate < best.word)))
        )
          best = { word: candidate, distance, freq };
      }
    }
    return best?.word;
  }

  /**
   * Corrects every unknown word of `text` that is close to a vocabulary word; everything else is left as written.
   * @example corrector.correct('is pytorh easier?') // → { text: 'is pytorch easier?', corrections: [{ from: 'pytorh', to: 'pytorch' }] }
   */
  correct(text: string): Corrected {
    const corrections: Correction[] = [];
    const out = text.replace(WORD, (raw) => {
      const lower = raw.toLowerCase();
      const fixed = this.suggest(lower);
      if (!fixed) return raw;
      corrections.push({ from: lower, to: fixed });
      return fixed;
    });
    return { text: out, corrections };
  }
}

/** Word frequencies of a corpus (lowercase words of at least 2 letters). */
export function vocabularyOf(texts: Iterable<string>): Map<string, number> {
  const vocab = new Map<string, number>();
  for (const t of texts)
    for (const w of t.toLowerCase().match(WORD) ?? [])
      if (w.length >= 2 && !w.includes("'")) vocab.set(w, (vocab.get(w) ?? 0) + 1);
  return vocab;
}
