/**
 * The route head: what the dialogue policy does with a message that stands on its own (no clarifying question
 * pending, no move on the conversation's memory): answer it from a topic, recommend for the project it describes,
 * reject it as out of scope, or give the help, small-talk or benchmark reply.
 *
 * A stacked classifier (stacked generalisation): a regularised softmax over what the first-stage models read (the
 * intent head's probabilities, the topic ranking, the slot model's probabilities) plus cue and lexical features. It
 * is trained on the intent examples with every first-stage score predicted by a model that never saw the text, so
 * it learns how far to trust each reading and how they combine ("a terse text the intent head finds off-topic but
 * the slot model reads reinforcement learning in is a project"). The lexical patterns below are features it
 * weighs, never rules that decide.
 */

import { SLOT_ORDER } from '../recommend/slots.ts';
import { round3 } from '../round.ts';
import { CUE_NAMES, type Features } from './features.ts';
import { NLU_LABELS } from './labels.ts';
import type { NeighbourReading } from './neighbours.ts';
import { SLOT_VALUES } from './SlotModel.ts';
import { crossValidate, finish, type HeadJson, SoftmaxHead, type TrainOptions } from './softmax.ts';

/** What the route head can decide. */
export const ROUTES = ['faq', 'recommend', 'unknown', 'help', 'smalltalk', 'benchmark'] as const;
export type Route = (typeof ROUTES)[number];

/** A choice of some other thing than a framework: "which laptop should we buy", "what editor do you recommend". */
const CHOICE_OF_OTHER_THING =
  /\b(which|what)\s+(?!one\b|ones\b|framework|librar|lib\b|tool\b|stack\b|way\b|route\b|side\b|path\b|direction\b|option\b|choice\b|camp\b|should\b|would\b|do\b|is\b|are\b)[a-z]+\s+(should|would|do|does|to|is|are|can)\b/i;
/** A choice with no object named ("which one should we pick?", "what should we use?"). */
const GENERIC_CHOICE =
  /\b(which( one)?|what)\b.*\b(use|pick|choose|go with|adopt|learn|standardi[sz]e on)\b/i;
/** Words of machine learning in a request for a choice ("which should our team use" alone has none). */
const ML_ANCHOR =
  /\b(frameworks?|librar(y|ies)|stack|project|deep learning|dl|ml|machine learning|neural|nets?|networks?|models?|ai|train\w*|gpus?)\b/i;

/** The slot model's probability of each value, keyed `slot=value` (zero for a value it does not read). */
export type SlotProbabilities = Record<string, number>;

/** The slot values, as `slot=value` keys, in a fixed order. */
export const SLOT_KEYS: readonly string[] = SLOT_ORDER.flatMap((s) => SLOT_VALUES[s].map((v) => `${s}=${v}`));

/** What the first stage read in one message, as the route head sees it. */
export interface RouteInput {
  /** The intent head's probabilities, in `NLU_LABELS` order. */
  intent: ArrayLike<number>;
  /** The top topics, best first: fused score, head probability, retrieval score and the entry's section. */
  topics: ReadonlyArray<{ score: number; head: number; retrieval: number; section: string }>;
  slots: SlotProbabilities;
  cues: readonly string[];
  /** The corrected text (for the lexical patterns). */
  text: string;
  /** Share of the text's content words the knowledge base knows, and how many it never uses. */
  coverage: number;
  unknownTerms: number;
  /** The calibrated topic bars (the route head reads whether the top topic clears them). */
  bars: { answer: number; suggest: number };
  /** How near the message lies to the nearest project description and the nearest off-topic training text. */
  neighbours: NeighbourReading;
}

/** The cue features the route head reads: framework names, question form, first person, length (not slot cues). */
const CUES = CUE_NAMES.slice(CUE_NAMES.indexOf('names-framework'), CUE_NAMES.indexOf('words:16+') + 1);

/** Names of the route head's features, in order (the decision record names the ones that decided). */
export const ROUTE_FEATURES: readonly string[] = [
  ...NLU_LABELS.map((l) => `p(${l})`),
  'topic score',
  'topic head',
  'topic retrieval',
  'topic lead',
  'topic head lead',
  'topic ≥ answer bar',
  'topic ≥ suggestion bar',
  'topic in Recommendations',
  'topic in Use Cases',
  ...SLOT_KEYS.map((k) => `slot ${k}`),
  'slot max',
  ...CUES,
  'choice of another thing',
  'generic choice',
  'ML word',
  'coverage',
  'unknown words',
  'p(recommend)·slot max',
  'p(unknown)·slot max',
  'p(faq)·topic score',
  'p(recommend)·topic score',
  'generic choice·unknown words',
  'generic choice·ML word',
  'nearest project',
  'nearest off-topic',
  'nearest project − off-topic',
];

/** The route head's feature vector for one message. */
export function routeFeatures(r: RouteInput): Float32Array {
  const [t1, t2] = r.topics;
  const p = (l: (typeof NLU_LABELS)[number]) => r.intent[NLU_LABELS.indexOf(l)] ?? 0;
  const s1 = t1?.score ?? 0;
  const slotValues = SLOT_KEYS.map((k) => r.slots[k] ?? 0);
  const slotMax = Math.max(0, ...slotValues);
  const otherHeads = r.topics.slice(1).map((t) => t.head);
  const cues = new Set(r.cues);
  const flag = (b: boolean) => (b ? 1 : 0);
  const v = [
    ...NLU_LABELS.map(p),
    s1,
    t1?.head ?? 0,
    t1?.retrieval ?? 0,
    s1 - (t2?.score ?? 0),
    (t1?.head ?? 0) - Math.max(0, ...otherHeads),
    flag(s1 >= r.bars.answer),
    flag(s1 >= r.bars.suggest),
    flag(t1?.section === 'Recommendations'),
    flag(t1?.section.startsWith('Use Cases') ?? false),
    ...slotValues,
    slotMax,
    ...CUES.map((c) => flag(cues.has(c))),
    flag(CHOICE_OF_OTHER_THING.test(r.text)),
    flag(GENERIC_CHOICE.test(r.text)),
    flag(ML_ANCHOR.test(r.text)),
    r.coverage,
    Math.min(r.unknownTerms, 5) / 5,
    p('recommend') * slotMax,
    p('unknown') * slotMax,
    p('faq') * s1,
    p('recommend') * s1,
    flag(GENERIC_CHOICE.test(r.text)) * (Math.min(r.unknownTerms, 5) / 5),
    flag(GENERIC_CHOICE.test(r.text) && ML_ANCHOR.test(r.text)),
    r.neighbours.project,
    r.neighbours.offTopic,
    r.neighbours.project - r.neighbours.offTopic,
  ];
  return Float32Array.from(v);
}

const asFeatures = (dense: Float32Array): Features => ({
  dense,
  sparseIndex: new Int32Array(0),
  sparseValue: new Float32Array(0),
  cues: [],
});

/** Serialised route head. */
export interface RouteModelJson {
  head: HeadJson;
  /**
   * Added to the unknown route's log-odds before deciding: calibrated on the held-out folds, where an off-topic
   * message routed to an answer costs `OFF_TOPIC_COST` points of the rate routed right.
   */
  unknownBias: number;
  /** How the head scored on held-out folds of its training data: share routed right, per route and overall. */
  folds: { right: number; perRoute: Partial<Record<Route, number>> };
}

/** One route decision: the routes ranked, and the features that moved the winner most against the runner-up. */
export interface RouteReading {
  route: Route;
  ranked: Array<{ route: Route; p: number }>;
  because: string[];
}

/**
 * Route-head training settings: few, dense features, so larger batches and a stronger penalty than the text heads,
 * and at least ~300 Adam steps per fold however small the data (a few dozen examples train for hundreds of epochs).
 * A class cost on unknown (2, 4) measured no better on the dev sets than the calibrated bias: 2 lost 2 right turns
 * for no fewer off-topic answers, 4 lost 15 for 2 fewer.
 */
function routeOptions(options: TrainOptions, n: number): TrainOptions {
  const batchSize = Math.max(options.batchSize, 64);
  return {
    ...options,
    epochs: Math.max(options.epochs, Math.ceil((MIN_STEPS * batchSize) / Math.max(1, n))),
    batchSize,
    l2: Math.max(options.l2, 1e-3),
    denseOnly: true,
  };
}

const FOLDS = 3;
const MIN_STEPS = 300;
/** What a point of the held-out off-topic-answered rate costs in points of the routed-right rate (as in NluModel). */
const OFF_TOPIC_COST = 2;
const BIASES = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3];
const UNKNOWN = ROUTES.indexOf('unknown');

/** `p` with the unknown route's log-odds moved by `bias` (the others keep their proportions). */
function biased(p: ArrayLike<number>, bias: number): number[] {
  const out = Array.from(p, (v) => v ?? 0);
  if (bias === 0) return out;
  const u = out[UNKNOWN] ?? 0;
  const grown = u * Math.exp(bias);
  const norm = grown + (1 - u);
  return out.map((v, k) => (k === UNKNOWN ? grown : v) / norm);
}

/** The trained route head. */
export class RouteModel {
  readonly #head: SoftmaxHead;
  readonly unknownBias: number;
  readonly folds: RouteModelJson['folds'];

  private constructor(head: SoftmaxHead, unknownBias: number, folds: RouteModelJson['folds']) {
    this.#head = head;
    this.unknownBias = unknownBias;
    this.folds = folds;
  }

  /** Trains on route-labelled first-stage readings (each read by first-stage models that never saw its text). */
  static train(
    examples: ReadonlyArray<{ x: Float32Array; route: Route }>,
    options: TrainOptions,
  ): RouteModel {
    if (examples.length < FOLDS * 2) throw new Error('the route head needs labelled examples to train on');
    const xs = examples.map((e) => asFeatures(e.x));
    const targets = examples.map((e) => e.route);
    const opts = routeOptions(options, Math.round((examples.length * (FOLDS - 1)) / FOLDS));
    const { heads, heldOut } = crossValidate(xs, targets, ROUTES, opts, FOLDS);
    const nOff = targets.filter((t) => t === 'unknown').length;
    const nOn = targets.length - nOff;
    let bias = 0;
    let best = Number.NEGATIVE_INFINITY;
    for (const b of BIASES) {
      let right = 0;
      let offAnswered = 0;
      heldOut.forEach((p, i) => {
        const got = ROUTES[argmax(biased(p, b))];
        if (targets[i] === 'unknown') offAnswered += got === 'unknown' ? 0 : 1;
        else if (got === targets[i]) right++;
      });
      const value = right / Math.max(1, nOn) - (OFF_TOPIC_COST * offAnswered) / Math.max(1, nOff);
      if (value > best + 1e-9) {
        best = value;
        bias = b;
      }
    }
    const hits = new Map<Route, { right: number; n: number }>();
    let right = 0;
    heldOut.forEach((p, i) => {
      const want = targets[i] as Route;
      const got = ROUTES[argmax(biased(p, bias))];
      const h = hits.get(want) ?? { right: 0, n: 0 };
      h.n++;
      if (got === want) {
        h.right++;
        right++;
      }
      hits.set(want, h);
    });
    const perRoute: RouteModelJson['folds']['perRoute'] = {};
    for (const [route, h] of hits) perRoute[route] = round3(h.right / h.n);
    const head = finish(xs, targets, ROUTES, opts, heads);
    return new RouteModel(head, bias, { right: round3(right / examples.length), perRoute });
  }

  static fromJSON(j: RouteModelJson): RouteModel {
    const head = SoftmaxHead.fromStored(j.head, ROUTES, 'stored route head has other routes');
    return new RouteModel(head, j.unknownBias, j.folds);
  }

  toJSON(): RouteModelJson {
    return { head: this.#head.toJSON(), unknownBias: this.unknownBias, folds: this.folds };
  }

  /** Routes one message. */
  read(x: Float32Array): RouteReading {
    const p = biased(this.#head.predict(asFeatures(x)), this.unknownBias);
    const ranked = ROUTES.map((route, i) => ({ route, p: round3(p[i] ?? 0) })).sort((a, b) => b.p - a.p);
    const [first, second] = ranked as [{ route: Route; p: number }, { route: Route; p: number }];
    const a = ROUTES.indexOf(first.route);
    const b = ROUTES.indexOf(second.route);
    const because = ROUTE_FEATURES.map((name, k) => ({
      name,
      c: ((this.#head.weight(a, k) ?? 0) - (this.#head.weight(b, k) ?? 0)) * (x[k] ?? 0),
    }))
      .filter((f) => f.c > 0)
      .sort((m, n) => n.c - m.c)
      .slice(0, 4)
      .map((f) => `${f.name} +${round3(f.c)}`);
    return { route: first.route, ranked, because };
  }
}

function argmax(p: ArrayLike<number>): number {
  let arg = 0;
  for (let k = 1; k < p.length; k++) if ((p[k] ?? 0) > (p[arg] ?? 0)) arg = k;
  return arg;
}
