/**
 * The learned understanding: an intent head and a topic head trained from `intents/` and the knowledge
 * alternates, a typo corrector built from the knowledge base's vocabulary, and decision thresholds calibrated on
 * held-out folds of the training data. Cached by a hash of the data, the encoder and this file's version.
 */

import type { IntentDefinition, KnowledgeEntry, SlotExample, TurnExample } from '../knowledge/schema.ts';
import type { Embedder } from '../ports.ts';
import { extractSlots } from '../recommend/slots.ts';
import { entryPhrasings, KnowledgeIndex, type ScoredEntry } from '../retrieval/KnowledgeIndex.ts';
import { ALIASES, expandForEmbedding } from '../retrieval/text.ts';
import { round3 } from '../round.ts';
import { fnv1a } from '../seeded.ts';
import type { RecommendationSlots } from '../state.ts';
import { clausesOf } from './clauses.ts';
import { type Features, featurize, withTurnCues } from './features.ts';
import { NLU_LABELS, type NluLabel } from './labels.ts';
import { Neighbours } from './neighbours.ts';
import {
  type Route,
  RouteModel,
  type RouteModelJson,
  type RouteReading,
  routeFeatures,
} from './RouteModel.ts';
import {
  fillFromClauses,
  SlotModel,
  type SlotModelJson,
  type SlotReading,
  type SlotTrainingExample,
} from './SlotModel.ts';
import { DEFAULT_TRAIN, finish, type HeadJson, SoftmaxHead, type TrainOptions } from './softmax.ts';
import { type Correction, SpellCorrector, vocabularyOf } from './spell.ts';
import { TurnModel, type TurnModelJson, type TurnReading } from './TurnModel.ts';

/** Thresholds and fusion weight learned on held-out folds; stored with the model. */
export interface Calibration {
  /** Weight of the topic head's probability against the retrieval score in the fused topic score. */
  blend: number;
  /** Fused topic score at or above which the top topic is answered (given the margin). */
  answer: number;
  /** Lead of the top topic over the second needed for a clear answer. */
  margin: number;
  /** Which scores the lead is measured on: the fused scores, or the topic head's probabilities. */
  marginOn: 'fused' | 'head';
  /** Fused topic score at or above which close topics are offered or answered together. */
  suggest: number;
  /** Intent-head probability at or above which a non-faq intent is acted on. */
  intent: number;
  /** How the calibration scored on the held-out folds. */
  folds: { topicTop1: number; answeredRight: number; answeredWrong: number; offTopicAnswered: number };
}

/** One topic candidate with its component scores. */
export interface TopicScore {
  entry: KnowledgeEntry;
  /** Fused score used by the thresholds, 0..1. */
  score: number;
  head: number;
  retrieval: number;
}

/** What the model read in one message. */
export interface Analysis {
  original: string;
  /** The text after typo correction (what the encoder and the lexical features saw). */
  text: string;
  corrections: Correction[];
  vector: Float32Array;
  intents: Array<{ label: NluLabel; p: number }>;
  topics: TopicScore[];
  cues: string[];
  /** What the message says about the project (the slot model's reading; the cue lists' without slot data). */
  slots: RecommendationSlots;
  /** The slot model's best value and probability per slot (empty without slot data). */
  slotScores: SlotReading['scores'];
  /** What the message does to the conversation before it (the turn head's reading; `new` without turn data). */
  turn: TurnReading;
  /** What to do with it if it stands on its own: the route head's reading of all of the above. */
  route: RouteReading;
}

/** Serialised model (the cache's value). */
export interface NluModelJson {
  version: number;
  key: string;
  intent: HeadJson;
  topic: HeadJson;
  /** The slot model, when the data has slot-labelled examples. */
  slots?: SlotModelJson;
  /** The turn head, when the data has turn-labelled examples. */
  turn?: TurnModelJson;
  /** The domain's terms the typo corrector learned from the data, with their counts (`SpellCorrector.findTerms`). */
  terms: Array<[string, number]>;
  /** The neighbour sets' texts as embedded (corrected, expanded): project descriptions and off-topic examples. */
  neighbours: { project: string[]; offTopic: string[] };
  route: RouteModelJson;
  calibration: Calibration;
}

/**
 * Trains the slot model (infra may run it on another thread: a worker trains the slot heads while this thread
 * trains the intent and topic heads). Must give what `SlotModel.train` gives.
 */
export type SlotTrainer = (examples: SlotTrainingExample[], options: TrainOptions) => Promise<SlotTraining>;

/** What slot training gives: the model, and each example's held-out value probabilities (see `SlotModel.heldOut`). */
export interface SlotTraining {
  model: SlotModelJson;
  heldOut: Array<Record<string, number>>;
}

/** Trains in this thread. */
export const inThreadSlotTrainer: SlotTrainer = async (examples, options) => {
  const m = SlotModel.train(examples, options);
  return { model: m.toJSON(), heldOut: m.heldOut ?? [] };
};

/** Stores trained models by key (infra: a file per key). */
export interface ModelCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** Bump when features, training or calibration change, so cached models are retrained. */
const MODEL_VERSION = 22;
/** What a point of the held-out off-topic-answered rate costs in points of the answered-right rate (calibration). */
const OFF_TOPIC_COST = 2;
/** What a wrong answer costs in right answers (calibration). */
const WRONG_ANSWER_COST = 5;
/** The intents whose acting bar `Calibration.intent` is. */
const GATED_INTENTS: ReadonlySet<NluLabel> = new Set(['help', 'smalltalk', 'benchmark']);
const FOLDS = 3;

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** A lookup embedder over vectors already computed (training embeds each text once). */
function lookupEmbedder(vectors: Map<string, Float32Array>, dims: number): Embedder {
  return {
    modelId: 'lookup',
    dimensions: dims,
    ready: async () => {},
    embed: async (texts) =>
      texts.map((t) => {
        const v = vectors.get(t);
        if (!v) throw new Error(`no vector for training text: ${t.slice(0, 40)}`);
        return v;
      }),
    dispose: async () => {},
  };
}

interface Labelled {
  text: string;
  label: string;
}

/** The trained understanding used by the advisor. */
export class NluModel {
  readonly #intent: SoftmaxHead;
  readonly #topic: SoftmaxHead;
  readonly #slots: SlotModel | undefined;
  readonly #turn: TurnModel | undefined;
  readonly #route: RouteModel;
  readonly #neighbours: Neighbours;
  readonly #index: KnowledgeIndex;
  readonly #spell: SpellCorrector;
  readonly #embedder: Embedder;
  readonly #byId: Map<string, KnowledgeEntry>;
  readonly calibration: Calibration;
  /** Whether this instance was trained now (false: loaded from the cache). */
  readonly trained: boolean;
  /** Milliseconds spent training and calibrating (0 when loaded from the cache). */
  trainMs = 0;
  readonly key: string;

  private constructor(parts: {
    intent: SoftmaxHead;
    topic: SoftmaxHead;
    slots: SlotModel | undefined;
    turn: TurnModel | undefined;
    route: RouteModel;
    neighbours: Neighbours;
    index: KnowledgeIndex;
    spell: SpellCorrector;
    embedder: Embedder;
    knowledge: readonly KnowledgeEntry[];
    calibration: Calibration;
    trained: boolean;
    key: string;
  }) {
    this.#intent = parts.intent;
    this.#topic = parts.topic;
    this.#slots = parts.slots;
    this.#turn = parts.turn;
    this.#route = parts.route;
    this.#neighbours = parts.neighbours;
    this.#index = parts.index;
    this.#spell = parts.spell;
    this.#embedder = parts.embedder;
    this.#byId = new Map(parts.knowledge.map((e) => [e.id, e]));
    this.calibration = parts.calibration;
    this.trained = parts.trained;
    this.key = parts.key;
  }

  /**
   * Loads the model for this data from the cache, or trains it (a few seconds) and stores it.
   * `isKnownWord` is the dictionary the typo corrector checks before correcting a word.
   */
  static async build(options: {
    knowledge: readonly KnowledgeEntry[];
    intents: readonly IntentDefinition[];
    /** Slot-labelled project descriptions (intents/slots.yaml); without them slots come from the cue lists. */
    slots?: readonly SlotExample[];
    /** Turn-labelled follow-ups (intents/turns.yaml); without them every turn reads as `new`. */
    turns?: readonly TurnExample[];
    /** Where the slot model trains; default this thread. */
    slotTrainer?: SlotTrainer;
    /** Embeds the training corpus (usually through the disk cache). */
    embedder: Embedder;
    /** Embeds users' messages (no disk cache); defaults to `embedder`. */
    queryEmbedder?: Embedder;
    isKnownWord: (word: string) => boolean;
    cache?: ModelCache;
    train?: TrainOptions;
    /** Replaces calibrated values (tests that need a fixed bar). */
    override?: Partial<Omit<Calibration, 'folds'>>;
  }): Promise<NluModel> {
    const { knowledge, intents, embedder } = options;
    const slotData = slotTrainingData(options.slots ?? [], intents);
    // Nicknames users type (perf, docs, tf, pt, …) are words too, never typos.
    const isKnown = (w: string) => w in ALIASES || options.isKnownWord(w);
    const spell = new SpellCorrector(domainVocabulary(knowledge, intents, isKnown), isKnown);
    const intentData: Labelled[] = [
      ...intents.flatMap((d) => d.examples.map((text) => ({ text, label: d.intent }))),
      ...knowledge.flatMap((e) => entryPhrasings(e).map((text) => ({ text, label: 'faq' }))),
    ];
    const topicData: Labelled[] = knowledge.flatMap((e) =>
      entryPhrasings(e).map((text) => ({ text, label: e.id })),
    );
    const turnData = turnTrainingData(options.turns ?? [], intents);
    const key = `nlu-v${MODEL_VERSION}-${embedder.modelId.replace(/[^a-zA-Z0-9._-]+/g, '_')}-${hashOf(
      JSON.stringify([intentData, topicData, slotData, turnData, knowledge.map((e) => [e.id, e.answer])]),
    )}`;
    const index = await KnowledgeIndex.build(knowledge, embedder);
    const cachedJson = await options.cache?.get(key).catch(() => undefined);
    if (cachedJson) {
      try {
        const j = JSON.parse(cachedJson) as NluModelJson;
        if (j.version === MODEL_VERSION && j.key === key) {
          spell.addTerms(j.terms);
          // The neighbour sets' vectors come through the embedder's cache, as the knowledge index's do.
          const [project, offTopic] = await Promise.all([
            embedder.embed(j.neighbours.project),
            embedder.embed(j.neighbours.offTopic),
          ]);
          return new NluModel({
            intent: SoftmaxHead.fromJSON(j.intent),
            topic: SoftmaxHead.fromJSON(j.topic),
            slots: j.slots ? SlotModel.fromJSON(j.slots) : undefined,
            turn: j.turn ? TurnModel.fromJSON(j.turn) : undefined,
            route: RouteModel.fromJSON(j.route),
            neighbours: new Neighbours(project, offTopic),
            index,
            spell,
            embedder: options.queryEmbedder ?? embedder,
            knowledge,
            calibration: { ...j.calibration, ...options.override },
            trained: false,
            key,
          });
        }
      } catch {
        // A corrupt or stale cache entry is retrained below.
      }
    }

    // The domain's jargon the dictionary lacks ("cnn", "bert", "yolo") is spelled right: learned from the data
    // (and stored with the model, so a warm start does not learn it again).
    const terms = spell.findTerms(
      vocabularyOf([
        ...knowledge.flatMap((e) => e.alternates),
        ...intents.flatMap((d) => d.examples),
        ...(options.slots ?? []).map((d) => d.text),
      ]),
    );
    spell.addTerms(terms);
    // Each training text is corrected once; folds and features reuse it.
    const corrected = new Map<string, string>();
    const fix = (raw: string): string => {
      const known = corrected.get(raw);
      if (known !== undefined) return known;
      const t = spell.correct(raw).text;
      corrected.set(raw, t);
      return t;
    };
    // The clauses of every multi-clause slot text, for the slot model's clause bars (embedded in the same batch).
    const slotClauses = new Map(slotData.map((d) => [d.text, clausesOf(fix(d.text))]));
    const texts = [
      ...new Set([
        ...[...intentData, ...topicData, ...slotData, ...turnData].map((d) => fix(d.text)),
        ...[...slotClauses.values()].flat(),
      ]),
    ];
    const expanded = texts.map(expandForEmbedding);
    const vectors = await embedder.embed(expanded);
    const trainStart = performance.now();
    const byText = new Map(expanded.map((t, i) => [t, vectors[i] as Float32Array]));
    // A text of several data sets (an off-topic example is also a text that states no slot, and a turn of its own)
    // is featurised once: training only reads features.
    const featurised = new Map<string, Features>();
    const featuresOfFixed = (fixed: string): Features => {
      let x = featurised.get(fixed);
      if (!x) {
        x = featurize(fixed, byText.get(expandForEmbedding(fixed)) as Float32Array);
        featurised.set(fixed, x);
      }
      return x;
    };
    const featuresOf = (raw: string): Features => featuresOfFixed(fix(raw));
    const train = options.train ?? DEFAULT_TRAIN;
    // With a worker trainer the slot model trains on another core meanwhile; the in-thread trainer trains it here,
    // before the other heads.
    const slotsTraining =
      slotData.length > 0
        ? (options.slotTrainer ?? inThreadSlotTrainer)(
            slotData.map((d) => {
              const clauses = (slotClauses.get(d.text) ?? []).map(featuresOfFixed);
              return { x: featuresOf(d.text), slots: d.slots, ...(clauses.length ? { clauses } : {}) };
            }),
            train,
          )
        : undefined;
    slotsTraining?.catch(() => {}); // a failure surfaces at the await below
    const intentX = intentData.map((d) => featuresOf(d.text));
    const topicX = topicData.map((d) => featuresOf(d.text));
    const topicLabels = knowledge.map((e) => e.id);

    // Held-out folds: every training text is predicted by heads (and a retrieval index) that never saw it.
    const phrasingTexts = [
      ...new Set(knowledge.flatMap((e) => [...entryPhrasings(e), e.answer].map(expandForEmbedding))),
    ];
    const phrasingVecs = await embedder.embed(phrasingTexts);
    const phrasingVectors = new Map(phrasingTexts.map((t, i) => [t, phrasingVecs[i] as Float32Array]));
    const lookup = lookupEmbedder(phrasingVectors, vectors[0]?.length ?? 0);
    const foldOf = (i: number) => i % FOLDS;
    const cvIntent: Float32Array[] = new Array(intentData.length);
    const cvTopicHead: Float32Array[] = new Array(topicData.length);
    const cvRetrieval: Map<string, number>[] = new Array(topicData.length);
    const cvOffTopic: Array<{ head: Float32Array; retrieval: Map<string, number>; intent: Float32Array }> =
      [];
    // The route head's first-stage readings of every intent text, each by fold models that never saw it: a
    // knowledge phrasing (the tail of intentData, in topicData's order) by its topic fold, any other text by its
    // intent fold (the topic heads and indexes never train on those).
    const phrasingsFrom = intentData.length - topicData.length;
    const cvRoute: Array<{
      head: Float32Array;
      retrieval: Map<string, number>;
      coverage: number;
      unknownTerms: number;
    }> = new Array(intentData.length);
    const intentFolds: SoftmaxHead[] = [];
    const topicFolds: SoftmaxHead[] = [];
    for (let f = 0; f < FOLDS; f++) {
      const trainIdx = intentData.map((_, i) => i).filter((i) => foldOf(i) !== f);
      const intentHead = SoftmaxHead.train(
        trainIdx.map((i) => intentX[i] as Features),
        trainIdx.map((i) => (intentData[i] as Labelled).label),
        NLU_LABELS,
        train,
      );
      intentFolds.push(intentHead);
      intentData.forEach((_, i) => {
        if (foldOf(i) === f) cvIntent[i] = intentHead.predict(intentX[i] as Features);
      });
      const topicTrain = topicData.map((_, i) => i).filter((i) => foldOf(i) !== f);
      const topicHead = SoftmaxHead.train(
        topicTrain.map((i) => topicX[i] as Features),
        topicTrain.map((i) => (topicData[i] as Labelled).label),
        topicLabels,
        train,
      );
      topicFolds.push(topicHead);
      // The retrieval index of this fold knows only the training fold's phrasings.
      let k = 0;
      const foldEntries = knowledge.map((e) => {
        const phr = entryPhrasings(e).map((t) => ({ t, fold: foldOf(k++) }));
        const keep = phr.filter((p) => p.fold !== f).map((p) => p.t);
        return { ...e, question: keep[0] ?? e.title, title: keep[1] ?? e.title, alternates: keep.slice(2) };
      });
      const foldIndex = await KnowledgeIndex.build(foldEntries, lookup);
      const retrievalOf = (text: string, vec: Float32Array) =>
        new Map(foldIndex.search(text, vec).map((s) => [s.entry.id, s.score]));
      topicData.forEach((d, i) => {
        if (foldOf(i) !== f) return;
        const x = topicX[i] as Features;
        cvTopicHead[i] = topicHead.predict(x);
        cvRetrieval[i] = retrievalOf(fix(d.text), x.dense);
        cvRoute[phrasingsFrom + i] = {
          head: cvTopicHead[i],
          retrieval: cvRetrieval[i],
          coverage: foldIndex.lexicalCoverage(fix(d.text)),
          unknownTerms: foldIndex.unknownTerms(fix(d.text)).length,
        };
      });
      intentData.forEach((d, i) => {
        if (foldOf(i) !== f || i >= phrasingsFrom || d.label === 'followup') return;
        const x = intentX[i] as Features;
        const t = fix(d.text);
        cvRoute[i] = {
          head: topicHead.predict(x),
          retrieval: retrievalOf(t, x.dense),
          coverage: foldIndex.lexicalCoverage(t),
          unknownTerms: foldIndex.unknownTerms(t).length,
        };
      });
      intentData.forEach((d, i) => {
        if (foldOf(i) !== f || d.label !== 'unknown') return;
        const r = cvRoute[i] as NonNullable<(typeof cvRoute)[number]>;
        cvOffTopic.push({ head: r.head, retrieval: r.retrieval, intent: cvIntent[i] as Float32Array });
      });
    }
    const learned = calibrate({
      topicLabels,
      topicTargets: topicData.map((d) => d.label),
      cvTopicHead,
      cvRetrieval,
      cvOffTopic,
      intentTargets: intentData.map((d) => d.label),
      cvIntent,
    });
    const calibration = { ...learned, ...options.override };
    // The served heads start from the mean of the fold heads and take a few epochs over all the data, instead of a
    // whole fourth training from zero.
    const intent = finish(
      intentX,
      intentData.map((d) => d.label),
      NLU_LABELS,
      train,
      intentFolds,
    );
    const topic = finish(
      topicX,
      topicData.map((d) => d.label),
      topicLabels,
      train,
      topicFolds,
    );
    const turn =
      turnData.length > 0
        ? TurnModel.train(
            turnData.map((d) => ({
              x: withTurnCues(fix(d.text), featuresOf(d.text)),
              turn: d.label as TurnExample['turn'],
            })),
            train,
          )
        : undefined;
    const slotTraining = slotsTraining ? await slotsTraining : undefined;
    const slots = slotTraining ? SlotModel.fromJSON(slotTraining.model) : undefined;
    // The neighbour sets, and each route training text's nearest neighbours with its own copies left out.
    const asRef = (raw: string) => {
      const t = expandForEmbedding(fix(raw));
      return { text: t, v: byText.get(t) as Float32Array };
    };
    const neighbourRefs = {
      project: [
        ...new Set([
          ...intents.filter((d) => d.intent === 'recommend').flatMap((d) => d.examples),
          ...slotData.filter((d) => Object.keys(d.slots).length > 0).map((d) => d.text),
        ]),
      ].map(asRef),
      offTopic: [...new Set(intents.filter((d) => d.intent === 'unknown').flatMap((d) => d.examples))].map(
        asRef,
      ),
    };
    const routeTexts = intentData.flatMap((d, i) => (cvRoute[i] && d.label !== 'followup' ? [i] : []));
    const heldOutNeighbours = new Map(
      Neighbours.heldOut(
        neighbourRefs,
        routeTexts.map((i) => asRef((intentData[i] as Labelled).text)),
      ).map((r, k) => [routeTexts[k] as number, r]),
    );
    // The route head learns from held-out readings: a text the slot model trained on is read by its fold head.
    const heldOutSlots = new Map(slotData.map((d, j) => [d.text, slotTraining?.heldOut[j] ?? {}] as const));
    const route = RouteModel.train(
      intentData.flatMap((d, i) => {
        const r = cvRoute[i];
        if (!r || d.label === 'followup') return [];
        return [
          {
            x: routeFeatures({
              intent: cvIntent[i] as Float32Array,
              topics: rankFused(knowledge, topicLabels, r.head, r.retrieval, calibration.blend),
              slots: heldOutSlots.get(d.text) ?? slots?.probabilities(featuresOf(d.text)) ?? {},
              cues: (intentX[i] as Features).cues,
              text: fix(d.text),
              coverage: r.coverage,
              unknownTerms: r.unknownTerms,
              bars: calibration,
              neighbours: heldOutNeighbours.get(i) ?? { project: 0, offTopic: 0 },
            }),
            route: d.label as Route,
          },
        ];
      }),
      train,
    );
    const json: NluModelJson = {
      version: MODEL_VERSION,
      key,
      intent: intent.toJSON(),
      topic: topic.toJSON(),
      ...(slots ? { slots: slots.toJSON() } : {}),
      ...(turn ? { turn: turn.toJSON() } : {}),
      route: route.toJSON(),
      terms,
      neighbours: {
        project: neighbourRefs.project.map((r) => r.text),
        offTopic: neighbourRefs.offTopic.map((r) => r.text),
      },
      calibration: learned,
    };
    await options.cache?.set(key, JSON.stringify(json)).catch(() => undefined);
    const trainMs = performance.now() - trainStart;
    const model = new NluModel({
      intent,
      topic,
      slots,
      turn,
      route,
      neighbours: new Neighbours(
        neighbourRefs.project.map((r) => r.v),
        neighbourRefs.offTopic.map((r) => r.v),
      ),
      index,
      spell,
      embedder: options.queryEmbedder ?? embedder,
      knowledge,
      calibration,
      trained: true,
      key,
    });
    model.trainMs = Math.round(trainMs);
    return model;
  }

  /** The slot model's calibrated bars and fold scores (undefined without slot data). */
  get slotCalibration(): Pick<SlotModelJson, 'bars' | 'folds' | 'clauseBars' | 'clauseFolds'> | undefined {
    const m = this.#slots;
    if (!m) return undefined;
    return {
      bars: m.bars,
      folds: m.folds,
      ...(m.clauseFolds
        ? { clauseBars: m.clauseBars as Record<string, number>, clauseFolds: m.clauseFolds }
        : {}),
    };
  }

  /** How the route head scored on held-out folds of its training data. */
  get routeCalibration(): Pick<RouteModelJson, 'unknownBias' | 'folds'> {
    return { unknownBias: this.#route.unknownBias, folds: this.#route.folds };
  }

  /** The turn head's calibrated bar and fold scores (undefined without turn data). */
  get turnCalibration(): Pick<TurnModelJson, 'bar' | 'folds'> | undefined {
    return this.#turn ? { bar: this.#turn.bar, folds: this.#turn.folds } : undefined;
  }

  /** Looks up an entry by id. */
  entry(id: string): KnowledgeEntry | undefined {
    return this.#byId.get(id);
  }

  /** Fraction of an analysed (corrected) text's content words the knowledge base knows. */
  coverage(text: string): number {
    return this.#index.lexicalCoverage(text);
  }

  /** An analysed (corrected) text's content words the knowledge base never uses. */
  unknownTerms(text: string): string[] {
    return this.#index.unknownTerms(text);
  }

  /** Every entry id, in knowledge-base order. */
  entryIds(): string[] {
    return [...this.#byId.keys()];
  }

  /** Corrects, embeds and classifies one message. */
  /**
   * Reads one message. `slotsMatter` (the conversation has a recommendation under way) asks for the slots the
   * message's clauses state even when it does not read as a recommendation request itself.
   */
  async analyze(message: string, options: { slotsMatter?: boolean } = {}): Promise<Analysis> {
    const { text, corrections } = this.#spell.correct(message);
    const [vector] = await this.#embedder.embed([expandForEmbedding(text)]);
    if (!vector) throw new Error('embedder returned no vector');
    const x = featurize(text, vector);
    const intentP = this.#intent.predict(x);
    const intents = this.#intent.labels
      .map((label, i) => ({ label: label as NluLabel, p: intentP[i] ?? 0 }))
      .sort((a, b) => b.p - a.p);
    const whole = this.#slots?.read(x) ?? { slots: extractSlots(text), scores: {}, probabilities: {} };
    const topics = this.#topics(text, x);
    const route = this.#route.read(
      routeFeatures({
        intent: intentP,
        topics: topics.slice(0, 3).map((t) => ({ ...t, section: t.entry.section })),
        slots: whole.probabilities,
        cues: x.cues,
        text,
        coverage: this.#index.lexicalCoverage(text),
        unknownTerms: this.#index.unknownTerms(text).length,
        bars: this.calibration,
        neighbours: this.#neighbours.read(vector),
      }),
    );
    // A message of several clauses that matters to a recommendation: the slot model reads each clause on its own
    // for the slots the whole message leaves open (clauses.ts). Its clauses are embedded only then, in one batch,
    // so a question costs no more sentence vectors than before.
    const clauses =
      this.#slots && (options.slotsMatter || route.route === 'recommend') ? clausesOf(text) : [];
    const clauseVectors =
      clauses.length > 0 ? await this.#embedder.embed(clauses.map(expandForEmbedding)) : [];
    const reading = this.#slots
      ? fillFromClauses(
          this.#slots,
          whole,
          clauses.flatMap((c, i) => {
            const v = clauseVectors[i];
            return v ? [{ text: c, x: featurize(c, v) }] : [];
          }),
        )
      : whole;
    return {
      original: message,
      text,
      corrections,
      vector,
      intents,
      topics,
      cues: x.cues,
      slots: reading.slots,
      slotScores: reading.scores,
      turn: this.#turn?.read(withTurnCues(text, x)) ?? { turn: 'new', best: { label: 'new', p: 1 } },
      route,
    };
  }

  /** Ranks topics for a text the caller composed (e.g. a follow-up read with the previous question). */
  async rankTopics(text: string): Promise<TopicScore[]> {
    const fixed = this.#spell.correct(text).text;
    const [vector] = await this.#embedder.embed([expandForEmbedding(fixed)]);
    if (!vector) throw new Error('embedder returned no vector');
    return this.#topics(fixed, featurize(fixed, vector));
  }

  #topics(text: string, x: Features): TopicScore[] {
    const head = this.#topic.predict(x);
    const retrieval = new Map(
      this.#index.search(text, x.dense).map((s: ScoredEntry) => [s.entry.id, s.score]),
    );
    const blend = this.calibration.blend;
    return this.#topic.labels
      .map((id, i) => {
        const entry = this.#byId.get(id) as KnowledgeEntry;
        const h = head[i] ?? 0;
        const r = retrieval.get(id) ?? 0;
        return { entry, head: h, retrieval: r, score: blend * h + (1 - blend) * r };
      })
      .sort((a, b) => b.score - a.score);
  }
}

/** The top three topics of held-out head and retrieval scores, fused as served (the route head's training view). */
function rankFused(
  knowledge: readonly KnowledgeEntry[],
  labels: readonly string[],
  head: Float32Array,
  retrieval: Map<string, number>,
  blend: number,
): Array<{ score: number; head: number; retrieval: number; section: string }> {
  return labels
    .map((id, i) => {
      const h = head[i] ?? 0;
      const r = retrieval.get(id) ?? 0;
      return {
        score: blend * h + (1 - blend) * r,
        head: h,
        retrieval: r,
        section: knowledge[i]?.section ?? '',
      };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, 3);
}

/** Domain vocabulary for the corrector: every word of the knowledge base's canonical texts and the dictionary words of its phrasings. */
function domainVocabulary(
  knowledge: readonly KnowledgeEntry[],
  intents: readonly IntentDefinition[],
  isKnownWord: (w: string) => boolean,
): Map<string, number> {
  // Canonical texts are spelled right; user-voiced phrasings may hold deliberate typos, so only their dictionary words count.
  const canonical = vocabularyOf(
    knowledge
      .flatMap((e) => [e.title, e.question, e.section, e.answer, e.note ?? ''])
      .concat(['tensorflow pytorch keras']),
  );
  const phrasings = vocabularyOf([
    ...knowledge.flatMap((e) => e.alternates),
    ...intents.flatMap((d) => d.examples),
  ]);
  for (const [w, n] of phrasings)
    if (canonical.has(w) || isKnownWord(w)) canonical.set(w, (canonical.get(w) ?? 0) + n);
  return canonical;
}

/**
 * The slot model's training data: the labelled descriptions, plus every off-topic, help and small-talk example as
 * a text that states no slot (an off-topic "how do I resize images" is no vision project).
 */
function slotTrainingData(
  labelled: readonly SlotExample[],
  intents: readonly IntentDefinition[],
): Array<{ text: string; slots: RecommendationSlots }> {
  if (labelled.length === 0) return [];
  const silent = intents
    .filter((d) => d.intent === 'unknown' || d.intent === 'help' || d.intent === 'smalltalk')
    .flatMap((d) => d.examples.map((text) => ({ text, slots: {} })));
  return [...labelled.map(({ text, ...slots }) => ({ text, slots })), ...silent];
}

/**
 * The turn head's training data: the turn-labelled follow-ups, plus every example of the intents that stand on their
 * own (questions, descriptions, requests, small talk, off-topic) as a `new` turn. Follow-up examples are left to
 * the turn file, which says what each does.
 */
function turnTrainingData(
  labelled: readonly TurnExample[],
  intents: readonly IntentDefinition[],
): Labelled[] {
  if (labelled.length === 0) return [];
  const own = new Set(labelled.map((t) => t.text));
  const standalone = intents
    .filter((d) => d.intent !== 'followup')
    .flatMap((d) => d.examples.filter((t) => !own.has(t)).map((text) => ({ text, label: 'new' })));
  return [...labelled.map((t) => ({ text: t.text, label: t.turn })), ...standalone];
}

function hashOf(s: string): string {
  return hex8(fnv1a(s)) + hex8(fnv1a(s, 0x01000193 ^ 0x5bd1e995));
}

interface CalibrationInput {
  topicLabels: string[];
  topicTargets: string[];
  cvTopicHead: Float32Array[];
  cvRetrieval: Map<string, number>[];
  cvOffTopic: Array<{ head: Float32Array; retrieval: Map<string, number>; intent: Float32Array }>;
  intentTargets: string[];
  cvIntent: Float32Array[];
}

/**
 * Picks the fusion weight and thresholds that answer the most held-out phrasings right while keeping wrong
 * answers and answered off-topic messages rare (each costs as much as five right answers).
 */
function calibrate(c: CalibrationInput): Calibration {
  const labels = c.topicLabels;
  const fused = (head: Float32Array, retrieval: Map<string, number>, blend: number) =>
    labels
      .map((id, i) => ({ id, s: blend * (head[i] ?? 0) + (1 - blend) * (retrieval.get(id) ?? 0) }))
      .sort((a, b) => b.s - a.s);
  let best: Calibration | undefined;
  let bestValue = Number.NEGATIVE_INFINITY;
  const unknownIdx = NLU_LABELS.indexOf('unknown');
  const faqIdx = NLU_LABELS.indexOf('faq');
  for (const blend of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]) {
    const headGap = (head: Float32Array, topId: string | undefined) => {
      const i = labels.indexOf(topId ?? '');
      let other = 0;
      head.forEach((p, k) => {
        if (k !== i && p > other) other = p;
      });
      return (head[i] ?? 0) - other;
    };
    const onTopic = c.topicTargets.map((t, i) => {
      const head = c.cvTopicHead[i] as Float32Array;
      const r = fused(head, c.cvRetrieval[i] as Map<string, number>, blend);
      return {
        right: r[0]?.id === t,
        s1: r[0]?.s ?? 0,
        gap: { fused: (r[0]?.s ?? 0) - (r[1]?.s ?? 0), head: headGap(head, r[0]?.id) },
      };
    });
    const offTopic = c.cvOffTopic.map((o) => {
      const r = fused(o.head, o.retrieval, blend);
      // An off-topic message reaches the topic thresholds only when the intent head did not reject it.
      const rejected = (o.intent[unknownIdx] ?? 0) >= (o.intent[faqIdx] ?? 0);
      return {
        s1: r[0]?.s ?? 0,
        gap: { fused: (r[0]?.s ?? 0) - (r[1]?.s ?? 0), head: headGap(o.head, r[0]?.id) },
        rejected,
      };
    });
    const top1 = onTopic.filter((o) => o.right).length / Math.max(1, onTopic.length);
    for (const marginOn of ['fused', 'head'] as const) {
      const margins =
        marginOn === 'fused' ? [0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15] : [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
      for (let answer = 0.2; answer <= 0.9001; answer += 0.025) {
        for (const margin of margins) {
          const answered = onTopic.filter((o) => o.s1 >= answer && o.gap[marginOn] >= margin);
          const right = answered.filter((o) => o.right).length;
          const wrong = answered.length - right;
          const offAnswered = offTopic.filter(
            (o) => !o.rejected && o.s1 >= answer && o.gap[marginOn] >= margin,
          ).length;
          // Rates, not counts: more data of either kind (more off-topic examples, say) must not move the trade-off.
          // A wrong answer costs 5 right ones; a point of the off-topic-answered rate costs 2 points of the
          // answered-right rate.
          const value =
            (right - WRONG_ANSWER_COST * wrong) / Math.max(1, onTopic.length) -
            OFF_TOPIC_COST * (offAnswered / Math.max(1, offTopic.length));
          if (value > bestValue) {
            bestValue = value;
            best = {
              blend,
              answer: round3(answer),
              margin,
              marginOn,
              suggest: round3(answer * 0.7),
              intent: 0.5,
              folds: {
                topicTop1: round3(top1),
                answeredRight: round3(right / Math.max(1, onTopic.length)),
                answeredWrong: round3(wrong / Math.max(1, onTopic.length)),
                offTopicAnswered: round3(offAnswered / Math.max(1, offTopic.length)),
              },
            };
          }
        }
      }
    }
  }
  // The intent threshold: the lowest probability at which held-out predictions of the intents it gates (help, small
  // talk, benchmark) are right ≥ 95% of the time. A recommend/off-topic confusion says nothing about this bar.
  const intentHits = c.intentTargets
    .map((t, i) => {
      const p = c.cvIntent[i] as Float32Array;
      let arg = 0;
      for (let k = 1; k < p.length; k++) if ((p[k] ?? 0) > (p[arg] ?? 0)) arg = k;
      return { label: NLU_LABELS[arg], p: p[arg] ?? 0, right: NLU_LABELS[arg] === t };
    })
    .filter((h) => h.label !== undefined && GATED_INTENTS.has(h.label));
  let intentBar = 0.5;
  for (const bar of [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]) {
    const over = intentHits.filter((h) => h.p >= bar);
    if (over.length > 0 && over.filter((h) => h.right).length / over.length >= 0.95) {
      intentBar = bar;
      break;
    }
  }
  const out = best as Calibration;
  out.intent = intentBar;
  return out;
}
