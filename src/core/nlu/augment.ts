/**
 * Deterministic augmentation of training utterances: the sloppiness of real chat messages.
 *
 * `augment(text, seed)` returns a few variants of `text`, each made by some of:
 * - one realistic typo (adjacent-key substitution, deletion, transposition or doubled letter) in one word
 *   of the text of at least 5 letters, never in a shorter word (nor in a nickname it swaps in);
 * - framework nicknames (tensorflow ↔ tf / keras / TF2, pytorch ↔ torch / pt);
 * - lowercasing, and dropping punctuation at the ends of words;
 * - a leading "@TensorDuel " or "hey " now and then.
 *
 * No transform adds, removes or merges words of the text itself (the only word added is the leading
 * mention or "hey"), so a variant keeps its meaning words' count. Pure: no I/O, nothing outside the core; the same
 * text and seed always give the same variants.
 */
import { fnv1a, mulberry32 } from '../seeded.ts';

/** Words a typo may hit: only letters, at least this many. */
export const MIN_TYPO_WORD = 5;
/** Leading words `augment` may add. */
export const AUGMENT_PREFIXES = ['@TensorDuel', 'hey'] as const;

/** Options of `augment`. */
export interface AugmentOptions {
  /** How many variants to aim for (fewer come back when the text allows fewer distinct ones). */
  count?: number;
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** QWERTY neighbours of each letter (same row and the rows above and below). */
const NEIGHBOURS: Record<string, string> = {
  q: 'wa',
  w: 'qeas',
  e: 'wrsd',
  r: 'etdf',
  t: 'ryfg',
  y: 'tugh',
  u: 'yihj',
  i: 'uojk',
  o: 'ipkl',
  p: 'ol',
  a: 'qwsz',
  s: 'awedxz',
  d: 'serfcx',
  f: 'drtgvc',
  g: 'ftyhbv',
  h: 'gyujnb',
  j: 'huikmn',
  k: 'jiolm',
  l: 'kop',
  z: 'asx',
  x: 'zsdc',
  c: 'xdfv',
  v: 'cfgb',
  b: 'vghn',
  n: 'bhjm',
  m: 'njk',
};

/** A word split into leading punctuation, its first run of letters/digits, and the rest. */
interface Token {
  lead: string;
  core: string;
  tail: string;
}
const TOKEN = /^([^\p{L}\p{N}]*)([\p{L}\p{N}]*)(.*)$/u;
function split(word: string): Token {
  const m = TOKEN.exec(word);
  return { lead: m?.[1] ?? '', core: m?.[2] ?? '', tail: m?.[3] ?? '' };
}
const join = (t: Token) => t.lead + t.core + t.tail;

/** The tail may hold a possessive or punctuation, but no further word ("tf.keras" is left alone). */
const plainTail = (tail: string) => /^(?:'s|’s)?[^\p{L}\p{N}]*$/u.test(tail);

const TF_NICKS = ['tf', 'TF', 'keras', 'TF2'] as const;
const PT_NICKS = ['torch', 'pt'] as const;

/** The nickname swap for a word core, or undefined when the word is not a framework name. */
function nickname(core: string, r: Rand): string | undefined {
  const w = core.toLowerCase();
  if (w === 'tensorflow') return pick(r, TF_NICKS);
  if (w === 'tf' || w === 'tf2') return pick(r, ['tensorflow', 'TensorFlow'] as const);
  if (w === 'pytorch') return pick(r, PT_NICKS);
  if (w === 'torch' || w === 'pt') return pick(r, ['pytorch', 'PyTorch'] as const);
  return undefined;
}

/** Swaps one framework name (chosen at random among those present) for a nickname or the full name. */
function swapNickname(words: string[], r: Rand): boolean {
  const at = words.flatMap((w, i) => {
    const t = split(w);
    return t.core && plainTail(t.tail) && nickname(t.core, () => 0) !== undefined ? [i] : [];
  });
  if (at.length === 0) return false;
  const i = pick(r, at);
  const t = split(words[i] as string);
  words[i] = join({ ...t, core: nickname(t.core, r) as string });
  return true;
}

const isLetters = (s: string) => /^[A-Za-z]+$/.test(s);
const sameCase = (model: string, c: string) => (model === model.toUpperCase() ? c.toUpperCase() : c);

/** One typo in the letters of `core` (at least MIN_TYPO_WORD long); the first letter is kept. */
export function typo(core: string, r: Rand): string {
  const n = core.length;
  const op = Math.floor(r() * 4);
  const i = 1 + Math.floor(r() * (n - 1)); // 1..n-1
  const c = core[i] as string;
  if (op === 1) return core.slice(0, i) + core.slice(i + 1); // deletion
  if (op === 2 && i < n - 1 && core[i + 1]?.toLowerCase() !== c.toLowerCase())
    return core.slice(0, i) + core[i + 1] + c + core.slice(i + 2); // transposition
  if (op === 3) return core.slice(0, i + 1) + c + core.slice(i + 1); // doubled letter
  const near = NEIGHBOURS[c.toLowerCase()] ?? 'e';
  return core.slice(0, i) + sameCase(c, pick(r, [...near])) + core.slice(i + 1); // adjacent key
}

/** Puts one typo into one word of at least MIN_TYPO_WORD letters. */
function addTypo(words: string[], r: Rand): boolean {
  const at = words.flatMap((w, i) => {
    const t = split(w);
    const mention = /[@<#]/.test(t.lead); // mentions and channels are autocompleted, never mistyped
    return !mention && isLetters(t.core) && t.core.length >= MIN_TYPO_WORD && plainTail(t.tail) ? [i] : [];
  });
  if (at.length === 0) return false;
  const i = pick(r, at);
  const t = split(words[i] as string);
  words[i] = join({ ...t, core: typo(t.core, r) });
  return true;
}

/** Drops sentence punctuation at the ends of words; words that were only punctuation stay as they are. */
function dropPunctuation(words: string[]): boolean {
  let changed = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const stripped = w.replace(/[?!.,;:]+$/u, '');
    if (stripped !== w && /[\p{L}\p{N}]/u.test(stripped)) {
      words[i] = stripped;
      changed = true;
    }
  }
  return changed;
}

/** Whether `text` already opens with a mention or a greeting (then no prefix is added). */
const opensWithPrefix = (text: string) => /^(?:@|<@|hey\b|hi\b|hello\b|yo\b)/i.test(text);

/** One variant of `text`, drawn from `r`; may equal `text` when nothing applied. */
function variant(text: string, r: Rand): string {
  const words = text.trim().split(/\s+/u);
  let applied = false;
  // The typo comes first, so it only ever hits a word of the text itself, never a nickname put in.
  if (r() < 0.55) applied = addTypo(words, r);
  if (r() < 0.5) applied = swapNickname(words, r) || applied;
  if (!applied && r() < 0.5) applied = addTypo(words, r) || swapNickname(words, r);
  let out = words.join(' ');
  if (r() < 0.4)
    out = out
      .split(' ')
      .map((w) => (/^[@<#]/.test(w) ? w : w.toLowerCase()))
      .join(' ');
  if (r() < 0.4) {
    const ws = out.split(' ');
    if (dropPunctuation(ws)) out = ws.join(' ');
  }
  const p = r();
  if (!opensWithPrefix(out) && p < 0.2) out = `${p < 0.1 ? AUGMENT_PREFIXES[0] : AUGMENT_PREFIXES[1]} ${out}`;
  return out;
}

/**
 * Up to `count` (default 4) distinct variants of `text`, none equal to it. Deterministic: the same text,
 * seed and count give the same list.
 */
export function augment(text: string, seed: number, options: AugmentOptions = {}): string[] {
  const count = options.count ?? 4;
  const source = text.trim();
  if (source === '' || count <= 0) return [];
  const r = mulberry32((seed ^ fnv1a(source)) >>> 0);
  const out: string[] = [];
  for (let tries = 0; out.length < count && tries < count * 8; tries++) {
    const v = variant(source, r);
    if (v !== source && !out.includes(v)) out.push(v);
  }
  return out;
}
