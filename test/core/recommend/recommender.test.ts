import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/recommend/recommender.ts';
import { extractSlots, isSkip } from '../../../src/core/recommend/slots.ts';

describe('extractSlots', () => {
  it('reads domain, scale, goal and experience from a project description', () => {
    expect(extractSlots('We are beginners doing NLP research on a single GPU')).toEqual({
      domain: 'language',
      scale: 'single-machine',
      goal: 'research',
      experience: 'beginner',
    });
  });
  it('recognises vision, distributed and production wording', () => {
    expect(
      extractSlots('object detection on camera feeds, multi-node training, deploying to customers'),
    ).toMatchObject({
      domain: 'vision',
      scale: 'large-distributed',
      goal: 'production',
    });
  });
  it('treats "not sure" as a skipped answer', () => {
    expect(isSkip('not sure')).toBe(true);
    expect(isSkip('production')).toBe(false);
  });
});

describe('decide', () => {
  it('lets a higher tier decide whatever the lower tiers say', () => {
    // Tier 2 (a team new to deep learning → PyTorch) outranks every tier-3 hint (vision, production → TensorFlow).
    expect(decide({ domain: 'vision', experience: 'beginner' }, [])).toMatchObject({
      kind: 'answer',
      framework: 'pytorch',
      conflict: true,
    });
    expect(decide({ domain: 'vision', goal: 'production', experience: 'beginner' }, [])).toMatchObject({
      kind: 'answer',
      framework: 'pytorch',
    });
    // Tier 1 (distributed training at scale → TensorFlow) outranks a team new to deep learning.
    expect(decide({ scale: 'large-distributed', experience: 'beginner' }, [])).toMatchObject({
      kind: 'answer',
      framework: 'tensorflow',
    });
    // An even split of tier 1 is a trade-off: either, and no lower tier breaks it.
    expect(
      decide({ scale: 'large-distributed', goal: 'research', experience: 'beginner' }, []),
    ).toMatchObject({ kind: 'answer', framework: 'either' });
    // An even split of tier 3 (NLP → PyTorch, production → TensorFlow) is either once nothing is left to ask.
    expect(decide({ domain: 'language', goal: 'production' }, ['scale', 'experience'])).toMatchObject({
      kind: 'answer',
      framework: 'either',
    });
  });
  it('asks for the goal first when nothing is known', () => {
    expect(decide({}, [])).toMatchObject({ kind: 'ask', slot: 'goal' });
  });
  it('answers PyTorch without more questions once no missing fact could flip it', () => {
    const step = decide({ goal: 'research', domain: 'language', experience: 'beginner' }, []);
    expect(step).toMatchObject({ kind: 'answer', framework: 'pytorch', conflict: false });
  });
  it('gives a verdict at once from one decisive fact instead of asking more', () => {
    expect(decide({ goal: 'research' }, [])).toMatchObject({ kind: 'answer', framework: 'pytorch' });
    expect(decide({ goal: 'production' }, [])).toMatchObject({ kind: 'answer', framework: 'tensorflow' });
  });
  it('asks when nothing decisive is known, and says the facts pull evenly on a secondary tie', () => {
    expect(decide({ domain: 'other' }, [])).toMatchObject({ kind: 'ask', slot: 'goal', leaning: null });
    expect(decide({ domain: 'multimodal' }, [])).toMatchObject({
      kind: 'ask',
      slot: 'goal',
      leaning: 'either',
    });
  });
  it('lets a primary reason outrank secondary ones: vision research is PyTorch', () => {
    expect(decide({ goal: 'research', domain: 'vision' }, [])).toMatchObject({
      kind: 'answer',
      framework: 'pytorch',
      conflict: true,
    });
  });
  it('calls primary reasons pulling both ways a trade-off that no secondary reason breaks', () => {
    const step = decide(
      { goal: 'research', domain: 'language', scale: 'large-distributed', experience: 'experienced' },
      [],
    );
    expect(step.kind).toBe('answer');
    if (step.kind !== 'answer') return;
    expect(step.conflict).toBe(true);
    expect(step.framework).toBe('either');
    expect(step.tensorflow.map((r) => r.source.id)).toContain('recommend-large-scale');
    expect(step.pytorch.map((r) => r.source.id)).toContain('recommend-prototyping-research');
  });
  it('answers "either" when every slot was skipped', () => {
    expect(decide({}, ['goal', 'scale', 'domain', 'experience'])).toMatchObject({
      kind: 'answer',
      framework: 'either',
    });
  });
});
