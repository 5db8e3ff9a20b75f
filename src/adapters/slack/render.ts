/** Renders a core Reply as Slack Block Kit messages within Slack's limits. */
import type { types } from '@slack/bolt';
import type { Reply } from '../../core/types.ts';
import type { ButtonAction } from '../shared/ButtonStore.ts';
import { SLACK_LIMITS } from '../shared/limits.ts';
import { splitMarkdown, truncate } from '../shared/split-markdown.ts';
import { CHOICE_ACTION, FEEDBACK_ACTION, FOLLOWUP_ACTION, type ReplyMode } from './actions.ts';

/** Slack's limits, from the one table in shared/limits.ts (re-exported for the tests that check them). */
export { SLACK_LIMITS };

/** One chat.postMessage (or response_url) payload. */
export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Converts the core's Markdown subset to Slack mrkdwn.
 * @example toMrkdwn('**TF** & `x`\n- a') // '*TF* &amp; `x`\n• a'
 */
export function toMrkdwn(text: string): string {
  return escapeMrkdwn(text)
    .replace(/\*\*(.+?)\*\*/g, '*$1*')
    .replace(/^(\s*)[-*] /gm, '$1• ');
}

const section = (text: string): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/**
 * The core's Markdown for a `markdown` block (standard Markdown, rendered by Slack): `&`, `<` and `>` outside
 * code become entities, so echoed user input cannot ping (`<!here>`) or link; code stays as written.
 * @example toMarkdownBlockText('**TF** <!here> `a<b`') // '**TF** &lt;!here&gt; `a<b`'
 */
export function toMarkdownBlockText(text: string): string {
  return text
    .split(/(```[\s\S]*?```|`[^`\n]*`)/)
    .map((piece, i) => (i % 2 === 1 ? piece : escapeMrkdwn(piece)))
    .join('');
}

/** The value of a feedback button: the vote, then the button store's key. */
export function feedbackValue(vote: 'up' | 'down', key: string): string {
  return `${vote}.${key}`;
}

/** Reads a feedback button's value back; undefined for anything else. */
export function parseFeedbackValue(
  value: string | undefined,
): { vote: 'up' | 'down'; key: string } | undefined {
  const match = /^(up|down)\.(.+)$/.exec(value ?? '');
  return match ? { vote: match[1] as 'up' | 'down', key: match[2] as string } : undefined;
}

/**
 * Block Kit messages for `reply`: the answer in `markdown` blocks (Slack renders the Markdown itself; at most
 * 12,000 characters of it per message, so a longer answer is split over several messages without breaking a
 * code block), a source context line, choice buttons, the suggested follow-up buttons ("Related topics") and
 * 👍/👎 as `feedback_buttons` in a `context_actions` block. Buttons stay on the last message.
 */
export function renderReply(
  reply: Reply,
  conversationId: string,
  mode: ReplyMode,
  /** The button codec: stores an action, returns the key that becomes the button's value. */
  encode: (action: ButtonAction) => string,
): SlackMessage[] {
  const respond = mode === 'r' ? { respond: true } : {};
  const choice = (value: string) => encode({ kind: 'choice', conversationId, value, ...respond });
  const markdown = reply.parts
    .map((part) =>
      part.type === 'text'
        ? toMarkdownBlockText(part.text)
        : `\`\`\`${part.language}\n${part.code.replace(/```/g, '`\u200b``')}\n\`\`\``,
    )
    .join('\n\n');
  const chunks = splitMarkdown(markdown, SLACK_LIMITS.markdownText);
  const tail: types.KnownBlock[] = [];
  if (reply.sources.length > 0) {
    const list = reply.sources
      .map((s) => `${escapeMrkdwn(s.section)} (\`${escapeMrkdwn(s.id)}\`)`)
      .join(', ');
    tail.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncate(`Source: ${list}`, SLACK_LIMITS.contextText) }],
    });
  }
  if (reply.choices.length > 0) {
    // The core's text already asks the question ("Did you mean…?"); the buttons are the answers.
    tail.push({
      type: 'actions',
      block_id: 'td_choices',
      elements: reply.choices.slice(0, SLACK_LIMITS.actionsElements).map((c, i) => ({
        type: 'button',
        action_id: `${CHOICE_ACTION}_${i}`,
        text: { type: 'plain_text', text: truncate(c.label, SLACK_LIMITS.buttonText), emoji: true },
        value: choice(c.value),
      })),
    });
  }
  const followups = (reply.followups ?? []).slice(0, SLACK_LIMITS.actionsElements);
  if (followups.length > 0) {
    tail.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Related topics:' }],
    });
    tail.push({
      type: 'actions',
      block_id: 'td_followups',
      elements: followups.map((c, i) => ({
        type: 'button',
        action_id: `${FOLLOWUP_ACTION}_${i}`,
        text: { type: 'plain_text', text: truncate(c.label, SLACK_LIMITS.buttonText), emoji: true },
        value: choice(c.value),
      })),
    });
  }
  if (reply.feedback) {
    const { entryId, question } = reply.feedback;
    const key = encode({ kind: 'feedback', conversationId, entryId, question, ...respond });
    tail.push({
      type: 'context_actions',
      block_id: 'td_feedback',
      elements: [
        {
          type: 'feedback_buttons',
          action_id: FEEDBACK_ACTION,
          positive_button: {
            text: { type: 'plain_text', text: '👍' },
            accessibility_label: 'This answer helped',
            value: feedbackValue('up', key),
          },
          negative_button: {
            text: { type: 'plain_text', text: '👎' },
            accessibility_label: 'This answer did not help',
            value: feedbackValue('down', key),
          },
        },
      ],
    });
  }
  const bodies: types.KnownBlock[][] = chunks.map((text) => [{ type: 'markdown', text }]);
  if (bodies.length === 0 && tail.length === 0) bodies.push([section('…')]);
  const last = bodies[bodies.length - 1];
  if (last) last.push(...tail);
  else bodies.push(tail);

  const fallback = replyFallback(reply);
  return bodies.map((blocks, i) => ({
    text:
      bodies.length === 1
        ? fallback
        : `${truncate(fallback, SLACK_LIMITS.fallbackText - 12)} (${i + 1}/${bodies.length})`,
    blocks,
  }));
}

/** Notification text for a reply: its first text part, in plain words. */
function replyFallback(reply: Reply): string {
  const first = reply.parts.find((p) => p.type === 'text');
  const text = first?.type === 'text' ? first.text.replace(/\*\*/g, '') : 'TensorDuel answer';
  return truncate(escapeMrkdwn(text), SLACK_LIMITS.fallbackText);
}
