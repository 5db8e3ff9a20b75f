/** Text normalisation shared by the lexical index and the input checks. */

/** Short forms users type for the two frameworks and common topics, folded into the article's words. */
export const ALIASES: Record<string, string> = {
  tf: 'tensorflow',
  tf2: 'tensorflow',
  keras: 'tensorflow',
  torch: 'pytorch',
  pt: 'pytorch',
  cv: 'vision',
  nlp: 'language',
  rl: 'reinforcement',
  docs: 'documentation',
  doc: 'documentation',
  perf: 'performance',
  quicker: 'faster',
  speedier: 'faster',
  easier: 'easy',
  simpler: 'simple',
};

const STOPWORDS = new Set(
  (
    'a an the and or but if then of to in on for with by at from as is are was were be been being do does did ' +
    'i me my we our you your it its this that these those there here what which who whom how why when where ' +
    'can could should would will shall may might must have has had not no so than too very just also about ' +
    'into over under again more most some any each other such only own same s t don isn aren vs versus ' +
    'please hey hi tell know want need get got one ones really like good better best great bad worse'
  ).split(' '),
);

/** Lowercased word tokens with aliases folded, stopwords dropped and a light suffix stemmer applied. */
export function tokenize(text: string): string[] {
  const words = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .match(/[a-z0-9]+(?:[.+#][a-z0-9]+)*/g);
  if (!words) return [];
  const out: string[] = [];
  for (const raw of words) {
    const word = ALIASES[raw] ?? raw;
    if (STOPWORDS.has(word) || word.length < 2) continue;
    out.push(stem(word));
  }
  return out;
}

/** A small suffix-stripping stemmer: enough to match train/training/trains, model/models, faster/fast. */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  for (const [suffix, min] of [
    ['ational', 5],
    ['ization', 5],
    ['ations', 5],
    ['ation', 5],
    ['ities', 4],
    ['ness', 4],
    ['ments', 4],
    ['ment', 4],
    ['ings', 4],
    ['ing', 4],
    ['iest', 4],
    ['ies', 4],
    ['ers', 4],
    ['est', 4],
    ['ed', 4],
    ['er', 4],
    ['ly', 4],
    ['es', 4],
    ['s', 4],
  ] as const) {
    if (word.endsWith(suffix) && word.length - suffix.length >= min) {
      const base = word.slice(0, -suffix.length);
      // "running" -> "runn" -> "run": undo a doubled final consonant left by the suffix.
      return /([^aeiou])\1$/.test(base) && !/(ll|ss|zz)$/.test(base) ? base.slice(0, -1) : base;
    }
  }
  return word;
}

/** The names users give each framework, full and nicknames (regex alternatives). */
export const FRAMEWORK_NAMES = { tensorflow: 'tensorflow|tf2?|keras', pytorch: 'pytorch|torch|pt' } as const;
const NAMES_TF = new RegExp(`\\b(${FRAMEWORK_NAMES.tensorflow})\\b`, 'i');
const NAMES_PT = new RegExp(`\\b(${FRAMEWORK_NAMES.pytorch})\\b`, 'i');

/** The frameworks a text names, from full names and the nicknames users type. */
export function frameworksNamed(text: string): Set<'tensorflow' | 'pytorch'> {
  const found = new Set<'tensorflow' | 'pytorch'>();
  if (NAMES_TF.test(text)) found.add('tensorflow');
  if (NAMES_PT.test(text)) found.add('pytorch');
  return found;
}

/**
 * Spells out framework nicknames before embedding: the sentence encoder knows "TensorFlow" far better than "tf".
 * @example expandForEmbedding('tf or torch?') // → 'TensorFlow or PyTorch?'
 */
export function expandForEmbedding(text: string): string {
  return text.replace(/\btf2?\b/gi, 'TensorFlow').replace(/\b(torch|pt)\b/gi, 'PyTorch');
}
