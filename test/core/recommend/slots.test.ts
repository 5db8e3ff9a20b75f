import { describe, expect, it } from 'vitest';
import { extractSlots, slotCueReadings } from '../../../src/core/recommend/slots.ts';

describe('slot cues read with negation', () => {
  it('tells an affirmed cue from a denied one in the same message', () => {
    expect(slotCueReadings("oh wait, it's NLP not vision. product descriptions, not photos")).toEqual({
      affirmed: ['domain=language'],
      denied: ['domain=vision'],
    });
    expect(slotCueReadings('not a big cluster, just one gpu')).toEqual({
      affirmed: ['scale=single-machine'],
      denied: ['scale=large-distributed'],
    });
  });

  it('reads a denial after the cue ("the research phase is over")', () => {
    const r = slotCueReadings('actually the research phase is over, it goes into production now');
    expect(r.denied).toContain('goal=research');
    expect(r.affirmed).toContain('goal=production');
  });

  it('keeps a cue whose own words hold the negation, and stops negation at a clause boundary', () => {
    expect(slotCueReadings("I've never trained a model").affirmed).toContain('experience=beginner');
    expect(slotCueReadings('we have no DL experience').affirmed).toContain('experience=beginner');
    expect(slotCueReadings('not sure, probably research').affirmed).toContain('goal=research');
  });

  it('a cue affirmed anywhere stands, even if denied elsewhere', () => {
    expect(slotCueReadings('not vision at first, but then vision for sure').affirmed).toContain(
      'domain=vision',
    );
  });

  it('the cue fallback ignores denied cues', () => {
    expect(extractSlots("it's NLP not vision")).toEqual({ domain: 'language' });
    expect(extractSlots('no more research, straight to production')).toEqual({ goal: 'production' });
  });

  it('reads "face" as images, but not in the name of the Hugging Face library', () => {
    expect(extractSlots('face detection at the office door')).toEqual({ domain: 'vision' });
    expect(extractSlots('hugging face transformers or fairseq for translation').domain).not.toBe(
      'multimodal',
    );
    expect(slotCueReadings('a model from hugging face').affirmed).not.toContain('domain=vision');
  });
});
