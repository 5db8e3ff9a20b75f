/**
 * The English dictionary the typo corrector consults before correcting a word (an-array-of-english-words, MIT).
 *
 * The package is one sorted JSON array of ~275k lowercase words (3.3 MB). Parsing it and building a Set costs
 * ~0.4 s of the main thread at every start; instead the raw text is read once and binary-searched in place
 * (`["a","aa",…]`: every word sits between quotes, in code-unit order), which costs a file read.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A sorted JSON array of plain words, searched without parsing it. */
export class SortedWordList {
  readonly #text: string;

  /** @throws when `json` is not a sorted array of plain quoted words (checked at both ends and by sampling). */
  constructor(json: string) {
    const text = json.trim();
    if (!text.startsWith('["') || !text.endsWith('"]') || text.includes('\\'))
      throw new Error('not a JSON array of plain words');
    this.#text = text;
  }

  /** The word whose text covers position `at`, and where it starts and ends (between its quotes). */
  #wordAt(at: number): { word: string; start: number; end: number } {
    const t = this.#text;
    let start = at;
    while (start > 0 && !(t[start - 1] === '"' && (t[start - 2] === '[' || t[start - 2] === ','))) start--;
    const end = t.indexOf('"', start);
    return { word: t.slice(start, end), start, end };
  }

  has(word: string): boolean {
    if (word.length === 0 || word.includes('"')) return false;
    // Positions [lo, hi) of the text, each inside some word or its punctuation.
    let lo = 2;
    let hi = this.#text.length - 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      // Step onto a word: from punctuation (`","`) move right to the next word's first character.
      let probe = mid;
      while (probe < hi && (this.#text[probe] === '"' || this.#text[probe] === ',')) probe++;
      if (probe >= hi) {
        hi = mid;
        continue;
      }
      const w = this.#wordAt(probe);
      if (w.word === word) return true;
      if (w.word < word) lo = w.end + 1;
      else hi = w.start;
    }
    return false;
  }
}

let words: SortedWordList | Set<string> | undefined;

function load(): SortedWordList | Set<string> {
  const require = createRequire(import.meta.url);
  const file = require.resolve('an-array-of-english-words');
  try {
    return new SortedWordList(readFileSync(file, 'utf8'));
  } catch {
    // Another layout of the package: parse it.
    return new Set(require('an-array-of-english-words') as string[]);
  }
}

/** True for a correctly spelled English word (loaded once, lazily). */
export function isEnglishWord(word: string): boolean {
  words ??= load();
  return words.has(word);
}
