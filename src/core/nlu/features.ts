/**
 * Features of a message for the classifier heads: the sentence encoder's vector (dense) plus sparse lexical
 * features (hashed word unigrams and bigrams, stopwords kept: "we", "our", "why" and "and" carry intent) and a
 * few cue features. Cue lists are features here, never rules.
 */

import { SLOT_CUE_NAMES, slotCueReadings, slotsFromCues } from '../recommend/slots.ts';
import { frameworksNamed } from '../retrieval/text.ts';
import { fnv1a } from '../seeded.ts';

/** Hashed lexical buckets. */
export const HASH_BUCKETS = 2048;

/** Names of the cue features, in order (the decision record prints the ones that fired). */
export const CUE_NAMES = [
  'slot:domain',
  'slot:scale',
  'slot:goal',
  'slot:experience',
  'names-framework',
  'names-both-frameworks',
  'names-other-framework',
  'question-mark',
  'starts-with-question-word',
  'starts-with-and-or-what-about',
  'first-person',
  'words:1-3',
  'words:4-7',
  'words:8-15',
  'words:16+',
  // Words of the turn cue lists: features of the turn head only (what a message does to the conversation), never
  // rules; the intent, topic and slot heads don't see them (short questions would read as follow-ups).
  'content-words:0',
  'content-words:1-2',
  'content-words:3+',
  'turn:why-word',
  'turn:instead-word',
  'turn:later-word',
  'turn:also-word',
  'turn:own-verdict-words',
  // Which value each slot's cue list matched ("cue:domain=vision"): the slot model weighs them with the rest.
  ...SLOT_CUE_NAMES.map((n) => `cue:${n}`),
  ...SLOT_CUE_NAMES.map((n) => `denied:${n}`),
];

const CUE_INDEX = new Map(CUE_NAMES.map((n, i) => [n, i]));

/** A featurised message: the dense vector and the sparse (index, value) pairs after it. */
export interface Features {
  dense: Float32Array;
  /** Indices into [hash buckets, cues], relative to the end of the dense part. */
  sparseIndex: Int32Array;
  sparseValue: Float32Array;
  /** Cue names that fired (for the decision record). */
  cues: string[];
}

const OTHER_FRAMEWORK =
  /\b(jax|flax|mxnet|caffe2?|theano|cntk|chainer|paddle(paddle)?|mindspore|scikit[- ]?learn|sklearn|xgboost|lightgbm|catboost|mllib|hugging[\s-]*face|spacy|fastai|onnx)\b/i;
/** Frameworks and libraries other than TensorFlow and PyTorch that `text` names, lowercased. */
export function otherFrameworksNamed(text: string): string[] {
  return [...text.matchAll(new RegExp(OTHER_FRAMEWORK.source, 'gi'))].map((m) => m[0].toLowerCase());
}
const QUESTION_WORD =
  /^(what|which|how|why|is|are|does|do|can|could|should|would|will|when|who|where|tell|explain|compare|give|show)\b/i;
const CONTINUATION = /^(and|also|plus|so|ok(ay)?|what about|how about|same|then|but|or|hm+)\b/i;
const FIRST_PERSON = /\b(we|we're|our|us|i|i'm|my|me|team|lab|startup|company)\b/i;
/** Words asking for the reasons behind something. */
const WHY_WORD = /\b(why|how come|reasons?|says who|explain|because|really|how so|based on what)\b/i;
/** Words replacing what was said before ("scratch that", "instead"). */
const INSTEAD_WORD =
  /\b(instead|rather|scra(tch|p) that|forget (that|it)|never ?mind( that)?|correction|i meant)\b/i;
/** Words putting something in the future. */
const LATER_WORD =
  /\b(eventually|some ?day|later( on)?|down the (road|line)|in the future|long[- ]term|one day|at some point)\b/i;
/** Words adding something on top. */
const ALSO_WORD = /\b(also|too|as well|on top|in addition|besides|plus)\b/i;
/** Words that carry no topic of their own in a follow-up ("and what about torch then?"). */
const FILLER = new Set(
  'and also so ok okay what about how same for then but or the a an is it its that this one ones of in on to with vs versus thing things please pls too as well either hm hmm re regarding side version versions equivalent counterpart variant flavor flavour again now back show me give tho though'.split(
    ' ',
  ),
);
const FRAMEWORK_WORD = /^(tensorflow|tf2?|keras|pytorch|torch|pt)$/;
/** Words of a message about one's own verdict ("so still pytorch for us?", "pytorch for me then, right?"). */
const OWN_VERDICT = new Set('still us we our me my i right correct yes confirm'.split(' '));

/** The words of `text` that carry a topic: neither filler nor a framework's name. */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9']+/g) ?? []).filter(
    (w) => !FILLER.has(w) && !FRAMEWORK_WORD.test(w),
  );
}

/** Lowercase word tokens, stopwords kept. */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .match(/[a-z0-9]+(?:['.+#][a-z0-9]+)*/g) ?? []
  );
}

/** The turn cue features that fire for `text` (the turn head's own). */
export function turnCuesOf(text: string): string[] {
  const t = text.trim();
  const fired: string[] = [];
  const content = contentWords(t);
  fired.push(
    content.length === 0 ? 'content-words:0' : content.length <= 2 ? 'content-words:1-2' : 'content-words:3+',
  );
  if (WHY_WORD.test(t)) fired.push('turn:why-word');
  if (INSTEAD_WORD.test(t)) fired.push('turn:instead-word');
  if (LATER_WORD.test(t)) fired.push('turn:later-word');
  if (ALSO_WORD.test(t)) fired.push('turn:also-word');
  if (content.length > 0 && content.every((w) => OWN_VERDICT.has(w))) fired.push('turn:own-verdict-words');
  return fired;
}

/** The cue features that fire for `text`. */
export function cuesOf(text: string): string[] {
  const t = text.trim();
  // One reading of the slot cues gives both the slots that fired and which cues stood or were denied.
  const cues = slotCueReadings(t);
  const slots = slotsFromCues(cues.affirmed);
  const named = frameworksNamed(text);
  const n = words(text).length;
  const fired: string[] = [];
  for (const s of ['domain', 'scale', 'goal', 'experience'] as const) if (slots[s]) fired.push(`slot:${s}`);
  if (named.size > 0) fired.push('names-framework');
  if (named.size > 1) fired.push('names-both-frameworks');
  if (OTHER_FRAMEWORK.test(t)) fired.push('names-other-framework');
  if (t.includes('?')) fired.push('question-mark');
  if (QUESTION_WORD.test(t)) fired.push('starts-with-question-word');
  if (CONTINUATION.test(t)) fired.push('starts-with-and-or-what-about');
  if (FIRST_PERSON.test(t)) fired.push('first-person');
  fired.push(n <= 3 ? 'words:1-3' : n <= 7 ? 'words:4-7' : n <= 15 ? 'words:8-15' : 'words:16+');
  for (const hit of cues.affirmed) fired.push(`cue:${hit}`);
  for (const hit of cues.denied) fired.push(`denied:${hit}`);
  return fired;
}

/** The features of the turn head: those of `featurize` plus the turn cues. */
export function withTurnCues(text: string, x: Features): Features {
  const extra = turnCuesOf(text);
  return {
    dense: x.dense,
    sparseIndex: Int32Array.from([
      ...x.sparseIndex,
      ...extra.map((c) => HASH_BUCKETS + (CUE_INDEX.get(c) ?? 0)),
    ]),
    sparseValue: Float32Array.from([...x.sparseValue, ...extra.map(() => 0.5)]),
    cues: [...x.cues, ...extra],
  };
}

/** Builds the features of `text` (already corrected) with its sentence vector. */
export function featurize(text: string, vector: Float32Array): Features {
  const ws = words(text);
  const buckets = new Set<number>();
  for (let i = 0; i < ws.length; i++) {
    buckets.add(fnv1a(`u:${ws[i]}`) % HASH_BUCKETS);
    if (i + 1 < ws.length) buckets.add(fnv1a(`b:${ws[i]} ${ws[i + 1]}`) % HASH_BUCKETS);
  }
  if (ws.length > 0) buckets.add(fnv1a(`first:${ws[0]}`) % HASH_BUCKETS);
  const cues = cuesOf(text);
  const lexWeight = buckets.size > 0 ? 1 / Math.sqrt(buckets.size) : 0;
  const index: number[] = [];
  const value: number[] = [];
  for (const b of [...buckets].sort((a, c) => a - c)) {
    index.push(b);
    value.push(lexWeight);
  }
  for (const c of cues) {
    index.push(HASH_BUCKETS + (CUE_INDEX.get(c) ?? 0));
    value.push(0.5);
  }
  return {
    dense: vector,
    sparseIndex: Int32Array.from(index),
    sparseValue: Float32Array.from(value),
    cues,
  };
}

/** Width of the sparse part. */
export const SPARSE_WIDTH = HASH_BUCKETS + CUE_NAMES.length;
