import { describe, expect, it } from 'vitest';
import { grade } from '../../../src/core/eval/score.ts';
import type { Reply } from '../../../src/core/types.ts';

const reply = (r: Partial<Reply>): Reply => ({
  intent: 'faq',
  confidence: 0.9,
  parts: [],
  sources: [],
  framework: null,
  suggestions: [],
  choices: [],
  ...r,
});
const ids = (t: string) => ({ 'Training speed': 'training-speed', 'Inference speed': 'inference-speed' })[t];

describe('grade', () => {
  it('grades FAQ replies: right, composite right, offered, wrong, rejected', () => {
    const want = { intent: 'faq' as const, entry: 'training-speed' };
    expect(
      grade(reply({ kind: 'answer', sources: [{ id: 'training-speed', section: 'P' }] }), want, ids),
    ).toBe('right');
    expect(
      grade(
        reply({
          kind: 'composite',
          sources: [
            { id: 'inference-speed', section: 'P' },
            { id: 'training-speed', section: 'P' },
          ],
        }),
        want,
        ids,
      ),
    ).toBe('right');
    expect(
      grade(reply({ kind: 'suggest', choices: [{ label: 'Training speed', value: 'q' }] }), want, ids),
    ).toBe('offered');
    expect(
      grade(reply({ kind: 'answer', sources: [{ id: 'inference-speed', section: 'P' }] }), want, ids),
    ).toBe('wrong');
    expect(grade(reply({ intent: 'unknown', kind: 'out-of-scope' }), want, ids)).toBe('rejected');
  });

  it('grades off-topic replies: rejection is right, an answer is confidently wrong', () => {
    const want = { intent: 'unknown' as const };
    expect(grade(reply({ intent: 'unknown', kind: 'out-of-scope' }), want, ids)).toBe('right');
    expect(
      grade(reply({ kind: 'answer', sources: [{ id: 'training-speed', section: 'P' }] }), want, ids),
    ).toBe('wrong');
  });

  it('grades verdicts, and a clarifying question where one is expected', () => {
    expect(
      grade(
        reply({ intent: 'recommend', kind: 'verdict', framework: 'pytorch' }),
        { intent: 'recommend', verdict: 'pytorch' },
        ids,
      ),
    ).toBe('right');
    expect(
      grade(
        reply({ intent: 'recommend', kind: 'verdict', framework: 'tensorflow' }),
        { intent: 'recommend', verdict: 'pytorch' },
        ids,
      ),
    ).toBe('wrong');
    expect(
      grade(reply({ intent: 'recommend', kind: 'clarify' }), { intent: 'recommend', verdict: 'ask' }, ids),
    ).toBe('right');
    expect(
      grade(
        reply({ intent: 'recommend', kind: 'clarify' }),
        { intent: 'recommend', verdict: 'pytorch' },
        ids,
      ),
    ).toBe('offered');
  });

  it("grades the article's recommendation as a verdict, either way round", () => {
    const large = [{ id: 'recommend-large-scale', section: 'Recommendations' }];
    const answer = reply({ kind: 'answer', framework: 'tensorflow', sources: large });
    // An answer from an entry that recommends one framework outright is that verdict...
    expect(grade(answer, { intent: 'recommend', verdict: 'tensorflow' }, ids)).toBe('right');
    expect(grade(answer, { intent: 'recommend', verdict: 'pytorch' }, ids)).toBe('wrong');
    expect(grade(answer, { intent: 'recommend', verdict: 'ask' }, ids)).toBe('wrong');
    // ...and an answer with no verdict of its own is still no recommendation.
    expect(
      grade(
        reply({ kind: 'answer', sources: [{ id: 'learning-curve', section: 'L' }] }),
        { intent: 'recommend', verdict: 'pytorch' },
        ids,
      ),
    ).toBe('wrong');
    // A verdict that cites the entry answers a question about the entry; one that cites others does not.
    const verdict = (sources: Reply['sources']) =>
      reply({ intent: 'recommend', kind: 'verdict', framework: 'tensorflow', sources });
    const want = { intent: 'faq' as const, entry: 'recommend-large-scale' };
    expect(grade(verdict(large), want, ids)).toBe('right');
    expect(grade(verdict([{ id: 'training-speed', section: 'P' }]), want, ids)).toBe('wrong');
  });
});
