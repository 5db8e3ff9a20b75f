/**
 * The learned turn head: what a message does to the conversation before it (labels.ts TURN_LABELS): asks the
 * reasons of the last reply, the same question about the other framework, the verdict again, another aspect;
 * or, for project facts, whether they replace the last turn's, come later, or come on top. One regularised softmax
 * head over the same features as the intent head (sentence vector, hashed n-grams, cue features), trained on
 * `intents/turns.yaml` plus every other intent example as a `new` turn. Its bar (the probability a move needs to
 * be acted on) is calibrated on held-out folds and stored with the model.
 */

import { round3 } from '../round.ts';
import type { Features } from './features.ts';
import { TURN_LABELS, type TurnLabel } from './labels.ts';
import { crossValidate, finish, type HeadJson, SoftmaxHead, type TrainOptions } from './softmax.ts';

/** Held-out folds for the bar (each fold head trains on the others). */
const FOLDS = 3;
/** Acting on a wrong move costs this many right ones when the bar is calibrated (a missed move costs nothing). */
const WRONG_COST = 2;
const BARS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];

/** One training example: its features and its turn label. */
export interface TurnTrainingExample {
  x: Features;
  turn: TurnLabel;
}

/** Serialised turn model. */
export interface TurnModelJson {
  head: HeadJson;
  bar: number;
  /** How the bar scored on the held-out folds, over the examples that are not `new`: right and wrong moves. */
  folds: { right: number; wrong: number };
}

/** What the turn head read in one message. */
export interface TurnReading {
  /** The move acted on: the head's best label when it clears the bar, else `new`. */
  turn: TurnLabel;
  /** The head's best label and its probability (for the decision record). */
  best: { label: TurnLabel; p: number };
}

/** The trained turn head with its calibrated bar. */
export class TurnModel {
  readonly #head: SoftmaxHead;
  readonly bar: number;
  readonly folds: TurnModelJson['folds'];

  private constructor(head: SoftmaxHead, bar: number, folds: TurnModelJson['folds']) {
    this.#head = head;
    this.bar = bar;
    this.folds = folds;
  }

  /** Trains the head, calibrating its bar on held-out folds first. */
  static train(examples: readonly TurnTrainingExample[], options: TrainOptions): TurnModel {
    if (!examples.some((e) => e.turn !== 'new'))
      throw new Error('the turn head needs labelled turns to train on');
    const labels = [...TURN_LABELS];
    const targets = examples.map((e) => e.turn);
    const xs = examples.map((e) => e.x);
    const { heads: foldHeads, heldOut: cv } = crossValidate(xs, targets, labels, options, FOLDS);
    const moves = targets.filter((t) => t !== 'new').length;
    let best = { value: Number.NEGATIVE_INFINITY, bar: 0.5, right: 0, wrong: 0 };
    for (const bar of BARS) {
      let right = 0;
      let wrong = 0;
      cv.forEach((p, i) => {
        const got = decide(p, bar).turn;
        if (got === 'new') return;
        if (got === targets[i]) right++;
        else wrong++;
      });
      const value = right - WRONG_COST * wrong;
      if (value > best.value) best = { value, bar, right, wrong };
    }
    const head = finish(xs, targets, labels, options, foldHeads);
    return new TurnModel(head, best.bar, {
      right: round3(best.right / Math.max(1, moves)),
      wrong: round3(best.wrong / Math.max(1, moves)),
    });
  }

  static fromJSON(j: TurnModelJson): TurnModel {
    const head = SoftmaxHead.fromStored(j.head, TURN_LABELS, 'stored turn head has other labels');
    return new TurnModel(head, j.bar, j.folds);
  }

  toJSON(): TurnModelJson {
    return { head: this.#head.toJSON(), bar: this.bar, folds: this.folds };
  }

  /** The move `x` makes. */
  read(x: Features): TurnReading {
    return decide(this.#head.predict(x), this.bar);
  }
}

/** The best label, acted on when it reaches `bar` (otherwise the turn stands on its own). */
function decide(p: Float32Array, bar: number): TurnReading {
  let arg = 0;
  for (let k = 1; k < p.length; k++) if ((p[k] ?? 0) > (p[arg] ?? 0)) arg = k;
  const label = TURN_LABELS[arg] as TurnLabel;
  const top = p[arg] ?? 0;
  return { turn: top >= bar ? label : 'new', best: { label, p: round3(top) } };
}
