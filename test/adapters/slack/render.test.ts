import { describe, expect, it } from 'vitest';
import { ButtonStore } from '../../../src/adapters/shared/ButtonStore.ts';
import { decodeLegacyValue } from '../../../src/adapters/slack/actions.ts';
import { renderReply, toMrkdwn } from '../../../src/adapters/slack/render.ts';
import type { Reply } from '../../../src/core/types.ts';
import { checkSlackMessage } from './harness.ts';

const buttons = new ButtonStore();

const base: Reply = {
  intent: 'faq',
  confidence: 1,
  parts: [],
  sources: [],
  framework: null,
  suggestions: [],
  choices: [],
};

describe('Slack text', () => {
  it('converts the core Markdown subset to mrkdwn and escapes control characters', () => {
    expect(toMrkdwn('**TF** & `x < y`\n- one\n- two')).toBe('*TF* &amp; `x &lt; y`\n• one\n• two');
  });
});

describe('Slack Block Kit rendering', () => {
  it('renders code as a fenced section, the source as context and choices as buttons', () => {
    const [message] = renderReply(
      {
        ...base,
        parts: [
          { type: 'text', text: '**Answer**' },
          { type: 'code', language: 'python', code: 'import torch' },
        ],
        sources: [{ id: 'cmp-1', section: 'Speed' }],
        suggestions: ['A'],
        choices: [{ label: 'A', value: 'a?' }],
        feedback: { entryId: 'cmp-1', question: 'q' },
      },
      'slack:C1:1.2',
      't',
      (a) => buttons.encode(a),
    );
    expect(message?.blocks.map((b) => b.type)).toEqual([
      'section',
      'section',
      'context',
      'actions',
      'actions',
    ]);
    expect(JSON.stringify(message?.blocks[1])).toContain('```\\nimport torch\\n```');
    expect(JSON.stringify(message?.blocks[2])).toContain('Source: Speed');
    expect(message?.text).toBe('Answer');
  });

  it('spreads a reply of more than 50 blocks over several messages, buttons on the last', () => {
    const parts = Array.from({ length: 70 }, (_, i) => ({ type: 'text' as const, text: `paragraph ${i}` }));
    const messages = renderReply(
      { ...base, parts, choices: [{ label: 'x', value: 'y' }] },
      'slack:C1:1.2',
      't',
      (a) => buttons.encode(a),
    );
    expect(messages).toHaveLength(2);
    for (const m of messages) checkSlackMessage(m as never);
    expect(messages[1]?.blocks.at(-1)?.type).toBe('actions');
  });

  it('puts a short key of the button store in every button value, whatever the question', () => {
    const [message] = renderReply(
      {
        ...base,
        parts: [{ type: 'text', text: 'a' }],
        feedback: { entryId: 'e', question: 'why? '.repeat(1000) },
      },
      'slack:C1:1.2',
      'r',
      (a) => buttons.encode(a),
    );
    const last = message?.blocks.at(-1) as { elements?: Array<{ value: string }> } | undefined;
    const value = last?.elements?.[0]?.value ?? '';
    expect(value.length).toBeLessThanOrEqual(20);
    expect(buttons.decode(value)).toEqual({
      kind: 'feedback',
      conversationId: 'slack:C1:1.2',
      entryId: 'e',
      question: 'why? '.repeat(1000),
      respond: true,
    });
  });

  it('still reads the JSON button values of earlier releases, and rejects values that are not ours', () => {
    expect(decodeLegacyValue(JSON.stringify({ k: 'c', c: 'slack:C1:1.2', v: 'x', m: 'r' }))).toEqual({
      k: 'c',
      c: 'slack:C1:1.2',
      v: 'x',
      m: 'r',
    });
    expect(decodeLegacyValue('not json')).toBeUndefined();
    expect(decodeLegacyValue(JSON.stringify({ k: 'c', c: 'discord:1:2', v: 'x' }))).toBeUndefined();
  });
});
