/** The recommendation rules: each slot value gives a framework a reason of some tier, with the article's section. */
import type { RecommendationSlots } from '../state.ts';
import type { Choice, Framework, Source } from '../types.ts';
import { SLOT_ORDER, type SlotName } from './slots.ts';

interface Rule {
  framework: 'tensorflow' | 'pytorch';
  /** 1 outranks 2 outranks 3: a reason of a higher tier decides, whatever the lower tiers say. */
  tier: 1 | 2 | 3;
  reason: string;
  source: Source;
}

// Tiers follow the article's emphasis. Tier 1: its two "Use …" recommendations (scale → TensorFlow, research →
// PyTorch). Tier 2: the learning curve, which it states for "developers without extensive AI experience" (a team
// new to deep learning). Tier 3: the hints it hedges ("consider" TensorFlow for vision, PyTorch for NLP, the RL use
// case, the deployment remark). A tier decides by counting its reasons; an even split within tier 1 is a genuine
// trade-off (either), within a lower tier it falls through to the next.
const RULES: Record<SlotName, Record<string, Rule | null>> = {
  scale: {
    'large-distributed': {
      framework: 'tensorflow',
      tier: 1,
      reason:
        'the article recommends TensorFlow for large-scale deep learning that needs distributed training and complex models',
      source: { id: 'recommend-large-scale', section: 'Recommendations' },
    },
    'single-machine': null,
  },
  goal: {
    research: {
      framework: 'pytorch',
      tier: 1,
      reason:
        'the article recommends PyTorch for rapid prototyping and research that need fast iteration and experimentation',
      source: { id: 'recommend-prototyping-research', section: 'Recommendations' },
    },
    production: {
      framework: 'tensorflow',
      tier: 3,
      reason:
        "the article says TensorFlow's monolithic architecture makes it more suitable for large-scale deployments",
      source: { id: 'architecture', section: 'Architecture' },
    },
  },
  domain: {
    vision: {
      framework: 'tensorflow',
      tier: 3,
      reason:
        'the article suggests considering TensorFlow for computer vision (image classification, detection, segmentation)',
      source: { id: 'recommend-vision-vs-nlp', section: 'Recommendations' },
    },
    language: {
      framework: 'pytorch',
      tier: 3,
      reason:
        'the article suggests PyTorch for NLP, where its dynamic graph and eager execution suit rapid iteration',
      source: { id: 'use-case-nlp', section: 'Use Cases for TensorFlow and PyTorch' },
    },
    'reinforcement-learning': {
      framework: 'tensorflow',
      tier: 3,
      reason:
        'the article names TensorFlow for reinforcement learning (game playing, robotics) with distributed training',
      source: { id: 'use-case-reinforcement-learning', section: 'Use Cases for TensorFlow and PyTorch' },
    },
    other: null,
  },
  experience: {
    beginner: {
      framework: 'pytorch',
      tier: 2,
      reason:
        'the article finds PyTorch easier to learn, with a simpler API, for developers without extensive AI experience',
      source: { id: 'learning-curve', section: 'Ease of Use' },
    },
    experienced: null,
  },
};

/** The question asked for each slot, and the answers offered as buttons. */
export const SLOT_QUESTIONS: Record<SlotName, { question: string; choices: Choice[] }> = {
  goal: {
    question: 'Is this mainly **research / prototyping**, or a model headed for **production**?',
    choices: [
      { label: 'Research / prototyping', value: 'research and prototyping' },
      { label: 'Production', value: 'production' },
      { label: 'Not sure', value: 'not sure' },
    ],
  },
  scale: {
    question: 'Will you train **at large scale** (distributed, many GPUs or nodes) or on **one machine**?',
    choices: [
      { label: 'Large-scale, distributed', value: 'large-scale distributed training' },
      { label: 'One machine', value: 'a single machine' },
      { label: 'Not sure', value: 'not sure' },
    ],
  },
  domain: {
    question:
      'What kind of data: **vision**, **language (NLP)**, **reinforcement learning**, or something else?',
    choices: [
      { label: 'Vision', value: 'computer vision' },
      { label: 'Language / NLP', value: 'nlp' },
      { label: 'Reinforcement learning', value: 'reinforcement learning' },
      { label: 'Something else', value: 'tabular or other data' },
    ],
  },
  experience: {
    question: 'How experienced is the team with deep learning: **new to it**, or **experienced**?',
    choices: [
      { label: 'New to deep learning', value: 'we are beginners' },
      { label: 'Experienced', value: 'we are experienced' },
      { label: 'Not sure', value: 'not sure' },
    ],
  },
};

/** The outcome of one dialogue step. */
export type RecommendationStep =
  | {
      kind: 'ask';
      slot: SlotName;
      question: string;
      choices: Choice[];
      /** Where the facts known so far lean (null: nothing decisive yet). */
      leaning: 'tensorflow' | 'pytorch' | 'either' | null;
    }
  | {
      kind: 'answer';
      framework: Framework;
      tensorflow: Array<{ reason: string; source: Source }>;
      pytorch: Array<{ reason: string; source: Source }>;
      /** True when both frameworks collected reasons: the answer must explain the trade-off. */
      conflict: boolean;
      margin: number;
    };

function applicable(slots: RecommendationSlots): Rule[] {
  return SLOT_ORDER.flatMap((slot) => {
    const value = slots[slot];
    // Images and text together: the article's vision and NLP suggestions both apply, and pull apart.
    if (slot === 'domain' && value === 'multimodal')
      return [RULES.domain.vision, RULES.domain.language].filter((r): r is Rule => !!r);
    const rule = value ? RULES[slot][value] : null;
    return rule ? [rule] : [];
  });
}

function canDecide(slot: SlotName): boolean {
  return Object.values(RULES[slot]).some((r) => r !== null);
}

/**
 * Next step. A decisive fact gives a verdict at once; a clarifying question comes only when nothing decisive is
 * known or the known facts pull evenly, and only for a slot that could still break the tie.
 * @example
 * decide({ goal: 'production' }, []) // → { kind: 'answer', framework: 'tensorflow', … }
 * decide({ domain: 'other' }, [])    // → { kind: 'ask', slot: 'goal', leaning: null, … }
 */
export function decide(slots: RecommendationSlots, asked: readonly SlotName[]): RecommendationStep {
  const rules = applicable(slots);
  const count = (fw: 'tensorflow' | 'pytorch', tier: number) =>
    rules.filter((r) => r.framework === fw && r.tier === tier).length;
  // The highest tier whose reasons don't split evenly decides; an even split in tier 1 is a genuine trade-off
  // that no lower tier breaks.
  let tf = 0;
  let pt = 0;
  let primaryConflict = false;
  for (const tier of [1, 2, 3]) {
    tf = count('tensorflow', tier);
    pt = count('pytorch', tier);
    if (tf !== pt) break;
    if (tier === 1 && tf > 0) {
      primaryConflict = true;
      break;
    }
  }
  const open = SLOT_ORDER.filter((s) => slots[s] === undefined && !asked.includes(s) && canDecide(s));
  const next = open[0];
  if (tf === pt && next && !primaryConflict)
    return {
      kind: 'ask',
      slot: next,
      ...SLOT_QUESTIONS[next],
      leaning: tf === 0 ? null : 'either',
    };
  const reasons = (fw: 'tensorflow' | 'pytorch') =>
    rules.filter((r) => r.framework === fw).map((r) => ({ reason: r.reason, source: r.source }));
  const tfAll = reasons('tensorflow');
  const ptAll = reasons('pytorch');
  return {
    kind: 'answer',
    framework: tf > pt ? 'tensorflow' : pt > tf ? 'pytorch' : 'either',
    tensorflow: tfAll,
    pytorch: ptAll,
    conflict: tfAll.length > 0 && ptAll.length > 0,
    margin: Math.abs(tf - pt),
  };
}
