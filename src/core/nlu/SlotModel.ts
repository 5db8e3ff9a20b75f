/**
 * The learned slot extractor: what a message says about the project's four recommendation slots (domain, scale,
 * goal, experience). One regularised softmax head per slot, with a `none` class, over the same features as the
 * intent head (sentence vector, hashed n-grams, and the slot cue lists' hits as features, never as rules), trained
 * on `intents/slots.yaml`. Each slot's bar (the probability a value needs to be taken) is calibrated on
 * held-out folds and stored with the model.
 */

import { SLOT_ORDER, type SlotName } from '../recommend/slots.ts';
import { round3 } from '../round.ts';
import type { RecommendationSlots } from '../state.ts';
import type { Features } from './features.ts';
import { crossValidate, finish, type HeadJson, SoftmaxHead, type TrainOptions } from './softmax.ts';

/** The values each slot can take (the heads add `none`). */
export const SLOT_VALUES: Record<SlotName, readonly string[]> = {
  domain: ['vision', 'language', 'multimodal', 'reinforcement-learning', 'other'],
  scale: ['large-distributed', 'single-machine'],
  goal: ['research', 'production'],
  experience: ['beginner', 'experienced'],
};

const NONE = 'none';
/** Held-out folds for the bars (2: each slot head trains three times; 3 cost a third more and measured no better). */
const FOLDS = 2;
/** A wrong value costs this many right decisions when a bar is calibrated (a missed fact costs nothing). */
const WRONG_COST = 1;
/** A slot filled from a clause with a wrong value costs this many right fills (a wrong fact drives a verdict). */
const CLAUSE_WRONG_COST = 2;
const BARS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];
/** The grid of clause bars (above 1: a slot is never filled from a clause). */
const CLAUSE_BARS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01];

/** One training example: its features and the slot values its text states. */
export interface SlotTrainingExample {
  x: Features;
  slots: RecommendationSlots;
  /** The features of the text's clauses when it has two or more (clauses.ts): for the clause bars. */
  clauses?: Features[];
}

/** Serialised slot model. */
export interface SlotModelJson {
  heads: Record<SlotName, HeadJson>;
  bars: Record<SlotName, number>;
  /** How the bars scored on the held-out folds: share of examples whose slot decision was right, per slot. */
  folds: Record<SlotName, { right: number; wrong: number }>;
  /**
   * Per slot, the probability a value read in one clause needs to fill the slot when the whole message leaves it
   * open, calibrated on held-out folds of the multi-clause examples (absent: no slot is filled from a clause).
   */
  clauseBars?: Record<SlotName, number>;
  /** How the clause bars scored on those folds: fills of the right value and of a wrong one, per slot. */
  clauseFolds?: Record<SlotName, { right: number; wrong: number }>;
}

/** What the slot model read in one message. */
export interface SlotReading {
  slots: RecommendationSlots;
  /**
   * Per slot, the best value other than none and its probability (for the decision record); `clause` when the
   * value was read in one clause of the message, not in the whole (NluModel.analyze).
   */
  scores: Partial<Record<SlotName, { value: string; p: number; clause?: string }>>;
  /** Every value's probability, keyed `slot=value` (the route head's view of the slots). */
  probabilities: Record<string, number>;
}

/** The trained slot heads with their calibrated bars. */
export class SlotModel {
  readonly #heads: Record<SlotName, SoftmaxHead>;
  readonly bars: Record<SlotName, number>;
  readonly folds: SlotModelJson['folds'];
  readonly clauseBars: Partial<Record<SlotName, number>>;
  readonly clauseFolds: SlotModelJson['clauseFolds'];
  /**
   * After training only (not stored): each training example's value probabilities (`slot=value`) as read by the
   * fold head that never saw it, for the route head, which must learn from readings like a new message's.
   */
  heldOut: Array<Record<string, number>> | undefined;

  private constructor(
    heads: Record<SlotName, SoftmaxHead>,
    bars: Record<SlotName, number>,
    folds: SlotModelJson['folds'],
    clauseBars: Partial<Record<SlotName, number>> = {},
    clauseFolds: SlotModelJson['clauseFolds'] = undefined,
  ) {
    this.#heads = heads;
    this.bars = bars;
    this.folds = folds;
    this.clauseBars = clauseBars;
    this.clauseFolds = clauseFolds;
  }

  /** Trains one head per slot, calibrating each slot's bar on held-out folds first. */
  static train(examples: readonly SlotTrainingExample[], options: TrainOptions): SlotModel {
    if (examples.length < FOLDS * 2) throw new Error('the slot model needs labelled examples to train on');
    const heads = {} as Record<SlotName, SoftmaxHead>;
    const bars = {} as Record<SlotName, number>;
    const folds = {} as SlotModelJson['folds'];
    const xs = examples.map((e) => e.x);
    const heldOut: Array<Record<string, number>> = examples.map(() => ({}));
    const clauseBars = {} as Record<SlotName, number>;
    const clauseFolds = {} as NonNullable<SlotModelJson['clauseFolds']>;
    for (const slot of SLOT_ORDER) {
      const labels = [NONE, ...SLOT_VALUES[slot]];
      const targets = examples.map((e) => e.slots[slot] ?? NONE);
      // Held-out predictions: every example is read by a head that never saw it.
      const { heads: foldHeads, heldOut: cv } = crossValidate(
        xs,
        targets,
        labels,
        slotOptions(options),
        FOLDS,
      );
      cv.forEach((p, i) => {
        const into = heldOut[i] as Record<string, number>;
        labels.forEach((v, k) => {
          if (v !== NONE) into[`${slot}=${v}`] = round3(p[k] ?? 0);
        });
      });
      let best = { value: Number.NEGATIVE_INFINITY, bar: 0.5, right: 0, wrong: 0 };
      for (const bar of BARS) {
        let right = 0;
        let wrong = 0;
        cv.forEach((p, i) => {
          const got = decide(labels, p, bar)?.value ?? NONE;
          if (got === targets[i]) right++;
          else if (got !== NONE) wrong++;
        });
        const value = right - WRONG_COST * wrong;
        if (value > best.value) best = { value, bar, right, wrong };
      }
      bars[slot] = best.bar;
      folds[slot] = {
        right: round3(best.right / examples.length),
        wrong: round3(best.wrong / examples.length),
      };
      // The clause bar: on the multi-clause examples whose whole text the held-out head left open for this slot, the
      // best value any clause reads (by the same fold head, which never saw the text) fills it when it reaches the bar.
      const fills: Array<{ p: number; right: boolean }> = [];
      examples.forEach((e, i) => {
        if (!e.clauses?.length || decide(labels, cv[i] as Float32Array, best.bar)) return;
        const head = foldHeads[i % FOLDS] as SoftmaxHead;
        let top: { value: string; p: number } | undefined;
        for (const c of e.clauses) {
          const got = decide(labels, head.predict(c), 0);
          if (got && (!top || got.p > top.p)) top = got;
        }
        if (top) fills.push({ p: top.p, right: top.value === targets[i] });
      });
      let clause = { value: 0, bar: CLAUSE_BARS[CLAUSE_BARS.length - 1] as number, right: 0, wrong: 0 };
      for (const bar of CLAUSE_BARS) {
        const taken = fills.filter((f) => f.p >= bar);
        const right = taken.filter((f) => f.right).length;
        const wrong = taken.length - right;
        const value = right - CLAUSE_WRONG_COST * wrong;
        if (value > clause.value) clause = { value, bar, right, wrong };
      }
      clauseBars[slot] = clause.bar;
      clauseFolds[slot] = { right: clause.right, wrong: clause.wrong };
      // From the mean of the fold heads, a third of the epochs over all the data (as for the intent and topic heads).
      heads[slot] = finish(xs, targets, labels, slotOptions(options), foldHeads);
    }
    const model = new SlotModel(heads, bars, folds, clauseBars, clauseFolds);
    model.heldOut = heldOut;
    return model;
  }

  static fromJSON(j: SlotModelJson): SlotModel {
    const heads = {} as Record<SlotName, SoftmaxHead>;
    for (const slot of SLOT_ORDER) heads[slot] = SoftmaxHead.fromJSON(j.heads[slot]);
    return new SlotModel(heads, j.bars, j.folds, j.clauseBars ?? {}, j.clauseFolds);
  }

  toJSON(): SlotModelJson {
    const heads = {} as Record<SlotName, HeadJson>;
    for (const slot of SLOT_ORDER) heads[slot] = this.#heads[slot].toJSON();
    return {
      heads,
      bars: this.bars,
      folds: this.folds,
      ...(this.clauseFolds
        ? { clauseBars: this.clauseBars as Record<SlotName, number>, clauseFolds: this.clauseFolds }
        : {}),
    };
  }

  /** Every slot value's probability (`slot=value`), the route head's view of the slots. */
  probabilities(x: Features): Record<string, number> {
    return this.read(x).probabilities;
  }

  /** The slot values `x` states: each slot's best value when it clears that slot's bar. */
  read(x: Features): SlotReading {
    const slots: Record<string, string> = {};
    const scores: SlotReading['scores'] = {};
    const probabilities: Record<string, number> = {};
    for (const slot of SLOT_ORDER) {
      const head = this.#heads[slot];
      const p = head.predict(x);
      head.labels.forEach((v, k) => {
        if (v !== NONE) probabilities[`${slot}=${v}`] = round3(p[k] ?? 0);
      });
      const best = decide(head.labels, p, 0);
      if (!best) continue;
      scores[slot] = { value: best.value, p: round3(best.p) };
      if (best.p >= this.bars[slot]) slots[slot] = best.value;
    }
    return { slots: slots as RecommendationSlots, scores, probabilities };
  }
}

/**
 * `whole` (the reading of a whole message) with every slot it left open filled from the clause that reads a value
 * most surely, when that reaches the slot's clause bar. The values the whole message reads stand ("research for
 * now, production some day" keeps its reading of the whole), and so do its value probabilities: the route head
 * learned from whole messages.
 */
export function fillFromClauses(
  model: SlotModel,
  whole: SlotReading,
  clauses: ReadonlyArray<{ text: string; x: Features }>,
): SlotReading {
  const slots: Record<string, string> = { ...whole.slots };
  const scores = { ...whole.scores };
  const filled = new Set<SlotName>();
  for (const c of clauses) {
    const r = model.read(c.x);
    for (const slot of SLOT_ORDER) {
      const got = r.scores[slot];
      const bar = model.clauseBars[slot];
      if (!got || bar === undefined || slot in whole.slots || got.p < bar) continue;
      if (filled.has(slot) && (scores[slot]?.p ?? 0) >= got.p) continue;
      slots[slot] = got.value;
      scores[slot] = { ...got, clause: c.text };
      filled.add(slot);
    }
  }
  return { slots: slots as RecommendationSlots, scores, probabilities: whole.probabilities };
}

/** The most probable value other than none, when it beats none and reaches `bar`. */
function decide(
  labels: readonly string[],
  p: Float32Array,
  bar: number,
): { value: string; p: number } | undefined {
  let arg = -1;
  for (let k = 0; k < labels.length; k++) {
    if (labels[k] === NONE) continue;
    if (arg < 0 || (p[k] ?? 0) > (p[arg] ?? 0)) arg = k;
  }
  const none = p[labels.indexOf(NONE)] ?? 0;
  const top = p[arg] ?? 0;
  if (arg < 0 || top < bar || top < none) return undefined;
  return { value: labels[arg] as string, p: top };
}

/**
 * The slot heads train longer than the intent head: with a `none` class for most texts, 12 epochs leave them
 * under-confident on plain cues ("we're beginners"); 30 measured best on the dev sets (12, 20 and 60 worse).
 */
function slotOptions(options: TrainOptions): TrainOptions {
  return { ...options, epochs: Math.max(options.epochs, 30) };
}
