/** Replies an adapter gives on its own, as core Replies; their texts live in the catalog (messages.ts). */
import type { Reply } from '../../core/types.ts';
import { FEEDBACK_THANKS, SOMETHING_WENT_WRONG } from './messages.ts';

/** Shown when the core fails; never includes the error itself (the catalog's one "something went wrong"). */
export const FRIENDLY_ERROR_TEXT = SOMETHING_WENT_WRONG;

/** Shown after a 👍/👎 click. */
export const FEEDBACK_THANKS_TEXT = FEEDBACK_THANKS;

/** A plain reply carrying `text`, rendered like any answer from the core. */
export function plainReply(text: string): Reply {
  return {
    intent: 'unknown',
    confidence: 0,
    parts: [{ type: 'text', text }],
    sources: [],
    framework: null,
    suggestions: [],
    choices: [],
  };
}

/** The reply given when the core throws. */
export function errorReply(): Reply {
  return plainReply(FRIENDLY_ERROR_TEXT);
}
