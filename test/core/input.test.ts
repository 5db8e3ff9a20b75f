import { describe, expect, it } from 'vitest';
import { inspectInput, MAX_MESSAGE_CHARS } from '../../src/core/input.ts';

describe('inspectInput', () => {
  it('strips mentions and control characters and collapses whitespace', () => {
    expect(inspectInput('  <@U123ABC> which\u0000 is\tfaster? \u0007')).toEqual({
      ok: true,
      text: 'which is faster?',
    });
  });
  it('flags empty, whitespace-only and emoji-only messages', () => {
    expect(inspectInput('')).toMatchObject({ ok: false, problem: 'empty' });
    expect(inspectInput(' \n\t ')).toMatchObject({ ok: false, problem: 'empty' });
    expect(inspectInput('🔥🔥 🚀')).toMatchObject({ ok: false, problem: 'no-words' });
  });
  it('refuses messages over the limit instead of reading them', () => {
    expect(inspectInput('a'.repeat(MAX_MESSAGE_CHARS + 1))).toMatchObject({ ok: false, problem: 'too-long' });
    expect(inspectInput('x'.repeat(100 * 1024))).toMatchObject({
      ok: false,
      problem: 'too-long',
      length: 102400,
    });
  });
});
