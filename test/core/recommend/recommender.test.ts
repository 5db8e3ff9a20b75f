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
  it('asks for the goal first when nothing is known', () => {
    expect(decide({}, [])).toMatchObject({ kind: 'ask', slot: 'goal' });
  });
  it('answers PyTorch without more questions once no missing fact could flip it', () => {
    const step = decide({ goal: 'research', domain: 'language', experience: 'beginner' }, []);
    expect(step).toMatchObject({ kind: 'answer', framework: 'pytorch', conflict: false });
  });
  it('keeps asking while an unknown slot could still flip the verdict', () => {
    expect(decide({ goal: 'research' }, [])).toMatchObject({ kind: 'ask', slot: 'scale' });
  });
  it('explains a conflict: language research that must train distributed at scale', () => {
    const step = decide(
      { goal: 'research', domain: 'language', scale: 'large-distributed', experience: 'experienced' },
      [],
    );
    expect(step.kind).toBe('answer');
    if (step.kind !== 'answer') return;
    expect(step.conflict).toBe(true);
    expect(step.framework).toBe('pytorch');
    expect(step.tensorflow.map((r) => r.source.id)).toContain('recommend-large-scale');
  });
  it('answers "either" when every slot was skipped', () => {
    expect(decide({}, ['goal', 'scale', 'domain', 'experience'])).toMatchObject({
      kind: 'answer',
      framework: 'either',
    });
  });
});
