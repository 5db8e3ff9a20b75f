import { describe, expect, it } from 'vitest';
import { formatExplain, parseStdinLine } from '../../src/cli/ask.ts';

describe('tensorduel ask --stdin lines', () => {
  it('reads a JSON line as a message in its named conversation, and anything else as plain text', () => {
    expect(parseStdinLine('{"conversation": "d1", "text": "tf or torch?"}')).toEqual({
      conversation: 'd1',
      text: 'tf or torch?',
    });
    expect(parseStdinLine('{"text": "no name"}')).toEqual({ text: 'no name' });
    expect(parseStdinLine('is pytorch {really} easier?')).toEqual({ text: 'is pytorch {really} easier?' });
    expect(parseStdinLine('')).toEqual({ text: '' });
  });

  it('refuses a JSON line without a text string, with an unusable conversation, or that is not JSON', () => {
    expect(parseStdinLine('{"conversation": "d1"}')).toEqual({ error: 'a JSON line needs a "text" string' });
    expect(parseStdinLine('{"conversation": 7, "text": "hi"}')).toEqual({
      error: '"conversation" must be a non-empty string',
    });
    expect(parseStdinLine('{"conversation": " ", "text": "hi"}')).toHaveProperty('error');
    expect(parseStdinLine('{not json')).toHaveProperty('error');
  });
});

describe('tensorduel ask --explain', () => {
  it('prints one line per stage: stage, decision, scores, features', () => {
    expect(
      formatExplain([
        { stage: 'intent', decision: 'faq', scores: { faq: 0.81234, unknown: 0.1 }, features: ['names tf'] },
        { stage: 'policy', decision: 'answer' },
      ]),
    ).toBe(
      ['Why:', '  intent: faq · scores faq=0.812, unknown=0.1 · features names tf', '  policy: answer'].join(
        '\n',
      ),
    );
    expect(formatExplain(undefined)).toBe('Why: (no explanation recorded)');
  });
});
