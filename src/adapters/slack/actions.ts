/**
 * Slack button payloads. A button's `value` carries its conversation id, so a click continues the right
 * conversation with no server-side state, even after a restart.
 */
import { decodeConversation } from '../shared/conversation-id.ts';
import { truncate } from '../shared/split-markdown.ts';

/** action_id prefix of "Did you mean" / recommendation choice buttons. */
export const CHOICE_ACTION = 'td_choice';
/** action_id prefix of the suggested follow-up buttons shown after a clear answer. */
export const FOLLOWUP_ACTION = 'td_followup';
/** action_ids of the feedback buttons. */
export const FEEDBACK_ACTIONS = { up: 'td_feedback_up', down: 'td_feedback_down' } as const;

/** Where a click's answer goes: `t` = chat.postMessage (in the thread, if any); `r` = the response_url. */
export type ReplyMode = 't' | 'r';

/** Payload of a choice button. */
export interface ChoicePayload {
  k: 'c';
  c: string;
  v: string;
  m: ReplyMode;
}

/** Payload of a feedback button. */
export interface FeedbackPayload {
  k: 'f';
  c: string;
  e: string;
  q: string;
  m: ReplyMode;
}

/** Anything a TensorDuel button carries. */
export type ActionPayload = ChoicePayload | FeedbackPayload;

// Slack caps a button value at 2000 characters; the question is the only part that may be long.
const MAX_VALUE = 2000;

/** Serialises a payload into a button value of at most 2000 characters. */
export function encodeAction(payload: ActionPayload): string {
  let value = JSON.stringify(payload);
  if (value.length > MAX_VALUE && payload.k === 'f') {
    const room = Math.max(0, payload.q.length - (value.length - MAX_VALUE) - 8);
    value = JSON.stringify({ ...payload, q: truncate(payload.q, room) });
  }
  if (value.length > MAX_VALUE) value = JSON.stringify({ ...payload, v: '', q: '' });
  return value;
}

/** Parses a button value; undefined when it is not one of ours (or was tampered with). */
export function decodeAction(value: string | undefined): ActionPayload | undefined {
  if (!value) return undefined;
  try {
    const p = JSON.parse(value) as Record<string, unknown>;
    const mode = p.m === 'r' ? 'r' : 't';
    if (typeof p.c !== 'string' || !decodeConversation(p.c, 'slack')) return undefined;
    if (p.k === 'c' && typeof p.v === 'string' && p.v !== '') return { k: 'c', c: p.c, v: p.v, m: mode };
    if (p.k === 'f' && typeof p.e === 'string' && typeof p.q === 'string')
      return { k: 'f', c: p.c, e: p.e, q: p.q, m: mode };
  } catch {
    // Not JSON: not a button of ours.
  }
  return undefined;
}
