/** The English dictionary the typo corrector consults before correcting a word (an-array-of-english-words, MIT). */
import { createRequire } from 'node:module';

let words: Set<string> | undefined;

/** True for a correctly spelled English word (loaded once, lazily: ~275k words). */
export function isEnglishWord(word: string): boolean {
  if (!words) {
    const require = createRequire(import.meta.url);
    words = new Set(require('an-array-of-english-words') as string[]);
  }
  return words.has(word);
}
