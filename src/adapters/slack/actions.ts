/**
 * Slack button ids and the button values of earlier releases. Today a button's `value` is a key of the shared
 * button store (ButtonStore.ts, persisted beside the database); buttons posted before that carried their
 * payload as JSON in the value, and `decodeLegacyValue` still reads those.
 */
import { decodeConversation } from '../shared/conversation-id.ts';

/** action_id prefix of "Did you mean" / recommendation choice buttons. */
export const CHOICE_ACTION = 'td_choice';
/** action_id prefix of the suggested follow-up buttons shown after a clear answer. */
export const FOLLOWUP_ACTION = 'td_followup';
/** action_id of the 👍/👎 `feedback_buttons` element; its value says the vote (`up.<key>`, `down.<key>`). */
export const FEEDBACK_ACTION = 'td_feedback';
/** action_ids of the 👍/👎 buttons of earlier releases (plain buttons in an actions block). */
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

/** Parses a JSON button value of an earlier release; undefined when it is not one of ours (or was tampered with). */
export function decodeLegacyValue(value: string | undefined): ActionPayload | undefined {
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
