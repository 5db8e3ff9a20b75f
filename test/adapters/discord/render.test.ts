import { expect, it } from 'vitest';
import { renderReply, renderText } from '../../../src/adapters/discord/render.ts';
import type { Reply } from '../../../src/core/types.ts';
import { checkDiscordMessage } from './harness.ts';

const ids = {
  choice: (i: number) => `td:c:k${i}`,
  followup: (i: number) => `td:c:f${i}`,
  feedback: (v: 'up' | 'down') => `td:f:k:${v}`,
};

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

it('keeps a row for the suggested follow-ups, between the choices and 👍/👎, within the 5-row limit', () => {
  const reply: Reply = {
    intent: 'faq',
    confidence: 0.9,
    parts: [{ type: 'text', text: 'An answer' }],
    sources: [],
    framework: null,
    suggestions: [],
    choices: Array.from({ length: 30 }, (_, i) => ({ label: `Choice ${i}`, value: `v${i}` })),
    followups: Array.from({ length: 7 }, (_, i) => ({
      label: `Topic ${i} ${'y'.repeat(90)}`,
      value: `t${i}`,
    })),
    feedback: { entryId: 'e', question: 'q' },
  };
  const [message] = renderReply(reply, ids);
  checkDiscordMessage(message as never);
  const rows = message?.components ?? [];
  expect(rows).toHaveLength(5);
  const idsOf = (row: (typeof rows)[number] | undefined) =>
    row?.components.map((b) => ('custom_id' in b ? b.custom_id : '')) ?? [];
  expect(idsOf(rows[3])).toEqual(['td:c:f0', 'td:c:f1', 'td:c:f2', 'td:c:f3', 'td:c:f4']);
  expect(idsOf(rows[4])).toEqual(['td:f:k:up', 'td:f:k:down']);
});

it('splits plain text at 2000 characters', () => {
  const messages = renderText('word '.repeat(1000));
  expect(messages.length).toBeGreaterThan(2);
  for (const m of messages) checkDiscordMessage(m as never);
});
