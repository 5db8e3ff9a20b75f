import { describe, expect, it } from 'vitest';
import { ButtonStore } from '../../../src/adapters/shared/ButtonStore.ts';
import { decodeLegacyValue } from '../../../src/adapters/slack/actions.ts';
import {
  parseFeedbackValue,
  renderReply,
  toMarkdownBlockText,
  toMrkdwn,
} from '../../../src/adapters/slack/render.ts';
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
  it('renders the answer, code included, as one markdown block; the source as context; choices and 👍/👎 as buttons', () => {
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
    expect(message?.blocks.map((b) => b.type)).toEqual(['markdown', 'context', 'actions', 'context_actions']);
    // Standard Markdown, left for Slack to render: no hand conversion to mrkdwn.
    expect(message?.blocks[0]).toEqual({
      type: 'markdown',
      text: '**Answer**\n\n```python\nimport torch\n```',
    });
    expect(JSON.stringify(message?.blocks[1])).toContain('Source: Speed');
    const feedback = message?.blocks[3] as unknown as {
      elements: Array<{
        type: string;
        action_id: string;
        positive_button: { value: string };
        negative_button: { value: string };
      }>;
    };
    expect(feedback.elements[0]).toMatchObject({ type: 'feedback_buttons', action_id: 'td_feedback' });
    const up = parseFeedbackValue(feedback.elements[0]?.positive_button.value);
    expect(up?.vote).toBe('up');
    expect(parseFeedbackValue(feedback.elements[0]?.negative_button.value)).toEqual({
      vote: 'down',
      key: up?.key,
    });
    expect(buttons.decode(up?.key)).toMatchObject({ kind: 'feedback', entryId: 'cmp-1', question: 'q' });
    expect(message?.text).toBe('Answer');
  });

  it('spreads an answer of more than 12,000 characters over several messages, buttons on the last', () => {
    const parts = Array.from({ length: 70 }, (_, i) => ({
      type: 'text' as const,
      text: `paragraph ${i} ${'word '.repeat(60)}`,
    }));
    const messages = renderReply(
      { ...base, parts, choices: [{ label: 'x', value: 'y' }] },
      'slack:C1:1.2',
      't',
      (a) => buttons.encode(a),
    );
    expect(messages).toHaveLength(2);
    for (const m of messages) checkSlackMessage(m as never);
    expect(messages[1]?.blocks.at(-1)?.type).toBe('actions');
    expect(messages.map((m) => m.blocks.filter((b) => b.type === 'markdown').length)).toEqual([1, 1]);
    expect(messages.map((m) => m.text.endsWith(`(${messages.indexOf(m) + 1}/2)`))).toEqual([true, true]);
  });

  it('escapes echoed user input outside code, so it can neither ping nor link, and keeps code as written', () => {
    expect(toMarkdownBlockText('You said: <!here> & <https://evil.example|x> `a<b`')).toBe(
      'You said: &lt;!here&gt; &amp; &lt;https://evil.example|x&gt; `a<b`',
    );
    expect(toMarkdownBlockText('```\nif a < b:\n```\n<@U1>')).toBe('```\nif a < b:\n```\n&lt;@U1&gt;');
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
    const last = message?.blocks.at(-1) as
      | { elements?: Array<{ positive_button: { value: string } }> }
      | undefined;
    const value = last?.elements?.[0]?.positive_button.value ?? '';
    expect(value.length).toBeLessThanOrEqual(24);
    expect(buttons.decode(parseFeedbackValue(value)?.key)).toEqual({
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
