/** Renders a core Reply as Slack Block Kit messages within Slack's limits. */
import type { types } from '@slack/bolt';
import type { Reply } from '../../core/types.ts';
import type { ButtonAction } from '../shared/ButtonStore.ts';
import { SLACK_LIMITS } from '../shared/limits.ts';
import { splitMarkdown, truncate } from '../shared/split-markdown.ts';
import { CHOICE_ACTION, FEEDBACK_ACTIONS, FOLLOWUP_ACTION, type ReplyMode } from './actions.ts';

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
 * Block Kit messages for `reply`: text sections, code blocks, a source context line, choice buttons, the
 * suggested follow-up buttons ("Related topics") and 👍/👎; split into several messages when it would pass 50 blocks (buttons stay on the last one).
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
  const body: types.KnownBlock[] = [];
  for (const part of reply.parts) {
    const markdown =
      part.type === 'text' ? toMrkdwn(part.text) : `\`\`\`\n${escapeMrkdwn(part.code)}\n\`\`\``;
    for (const chunk of splitMarkdown(markdown, SLACK_LIMITS.sectionText)) body.push(section(chunk));
  }
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
    const value = encode({ kind: 'feedback', conversationId, entryId, question, ...respond });
    tail.push({
      type: 'actions',
      block_id: 'td_feedback',
      elements: [
        { type: 'button', action_id: FEEDBACK_ACTIONS.up, text: { type: 'plain_text', text: '👍' }, value },
        { type: 'button', action_id: FEEDBACK_ACTIONS.down, text: { type: 'plain_text', text: '👎' }, value },
      ],
    });
  }
  if (body.length === 0 && tail.length === 0) body.push(section('…'));

  const max = SLACK_LIMITS.blocksPerMessage;
  const pages: types.KnownBlock[][] = [];
  for (let i = 0; i < body.length; i += max) pages.push(body.slice(i, i + max));
  const last = pages[pages.length - 1];
  if (last && last.length + tail.length <= max) last.push(...tail);
  else pages.push(tail);

  const fallback = replyFallback(reply);
  return pages.map((blocks, i) => ({
    text:
      pages.length === 1
        ? fallback
        : `${truncate(fallback, SLACK_LIMITS.fallbackText - 12)} (${i + 1}/${pages.length})`,
    blocks,
  }));
}

/** Notification text for a reply: its first text part, in plain words. */
function replyFallback(reply: Reply): string {
  const first = reply.parts.find((p) => p.type === 'text');
  const text = first?.type === 'text' ? first.text.replace(/\*\*/g, '') : 'TensorDuel answer';
  return truncate(escapeMrkdwn(text), SLACK_LIMITS.fallbackText);
}
