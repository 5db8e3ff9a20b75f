import { describe, expect, it } from 'vitest';
import { redactTokens } from '../../src/core/redact.ts';

describe('redactTokens', () => {
  it('redacts Slack and Discord token shapes and long API-key-like secrets in stored text', () => {
    expect(redactTokens('bot xoxb-1234-abcdef and app xapp-1-A0B1-99')).toBe(
      'bot [redacted] and app [redacted]',
    );
    expect(redactTokens(`key ${'a1'.repeat(20)} here`)).toBe('key [redacted] here');
  });

  it('leaves ordinary words, numbers and short ids alone', () => {
    const text = 'is pytorch faster on a 4090 for run bench-20261201T150102-k3x9a1?';
    expect(redactTokens(text)).toBe(text);
  });
});
