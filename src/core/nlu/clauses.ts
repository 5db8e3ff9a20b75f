/**
 * The clauses of a message that states several things at once ("we're building a product image classifier, team
 * of 4 experienced ML engineers"). A sentence vector of the whole message blends its facts, so a slot head reading
 * it can miss one that it reads plainly in the clause alone; the slot model fills the slots the whole message left
 * open from its clauses (NluModel.analyze).
 */

import { FRAMEWORK_NAMES } from '../retrieval/text.ts';

/** Where a message splits: punctuation between clauses, dashes, and the conjunctions that join clauses. */
const BOUNDARY =
  /[,;:!?()]+|\.(?:\s|$)+|\s[-–—]+\s|\b(?:but|and|so|while|though|although|plus|because|whereas)\b/i;
/**
 * A choice between the two frameworks ("tf or torch", "pytorch vs tensorflow"): in "tf or torch for a large-scale
 * recommender with distributed training?" the framework names fill the sentence vector and the facts sit in the
 * rest, so the rest is read as a clause of its own (a choice alone, "tf or pt?", leaves nothing to read).
 */
const FRAMEWORK = `(?:${FRAMEWORK_NAMES.tensorflow}|${FRAMEWORK_NAMES.pytorch})`;
const CHOICE = new RegExp(`\\b${FRAMEWORK}\\s*(?:,?\\s*or|vs\\.?|versus|/)\\s*${FRAMEWORK}\\b`, 'i');
/** A clause needs this many words to be read on its own ("and" alone, "ok" alone are not clauses). */
const MIN_WORDS = 2;
/** At most this many clauses are read (a long message's first ones; each costs one more sentence vector). */
const MAX_CLAUSES = 4;

/**
 * The message's clauses, in order, when it has two or more, or when a choice between the frameworks leaves one
 * (its rest); an empty list when it is one clause.
 * @example clausesOf('image classifier, experienced team') // ['image classifier', 'experienced team']
 */
export function clausesOf(text: string): string[] {
  const choice = CHOICE.test(text);
  const parts = text
    .replace(new RegExp(CHOICE.source, 'gi'), ',')
    .split(new RegExp(BOUNDARY.source, 'gi'))
    .map((p) => p?.trim() ?? '')
    .filter((p) => p.split(/\s+/).filter((w) => /\w/.test(w)).length >= MIN_WORDS);
  return parts.length >= 2 || (choice && parts.length === 1) ? parts.slice(0, MAX_CLAUSES) : [];
}
