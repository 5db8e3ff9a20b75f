import { expect, it } from 'vitest';
import { renderReply, renderText } from '../../../src/adapters/discord/render.ts';
import type { Reply } from '../../../src/core/types.ts';
import { checkDiscordMessage } from './harness.ts';

const ids = { choice: (i: number) => `td:c:k${i}`, feedback: (v: 'up' | 'down') => `td:f:k:${v}` };

it('keeps buttons, labels and the source field within Discord limits', () => {
  const reply: Reply = {
    intent: 'unknown',
    confidence: 0.3,
    parts: [{ type: 'text', text: 'Pick one' }],
    sources: Array.from({ length: 40 }, (_, i) => ({
      id: `entry-${i}`,
      section: `A rather long section title ${i}`,
    })),
    framework: 'pytorch',
    suggestions: [],
    choices: Array.from({ length: 30 }, (_, i) => ({
      label: `Choice ${i} ${'x'.repeat(90)}`,
      value: `v${i}`,
    })),
    feedback: { entryId: 'e', question: 'q' },
  };
  const [message] = renderReply(reply, ids);
  checkDiscordMessage(message as never);
  // 4 rows of 5 choices, then the 👍/👎 row.
  expect(message?.components).toHaveLength(5);
  expect(message?.components.at(-1)?.components.map((b) => ('custom_id' in b ? b.custom_id : ''))).toEqual([
    'td:f:k:up',
    'td:f:k:down',
  ]);
  expect(message?.embeds[0]?.fields?.[0]?.name).toBe('Sources');
});

it('splits plain text at 2000 characters', () => {
  const messages = renderText('word '.repeat(1000));
  expect(messages.length).toBeGreaterThan(2);
  for (const m of messages) checkDiscordMessage(m as never);
});
