/** The replies an adapter gives on its own: a friendly error, an expired button, thanks for feedback. */
import type { Reply } from '../../core/types.ts';

/** Shown when the core fails; never includes the error itself. */
export const FRIENDLY_ERROR_TEXT =
  'Sorry, something went wrong on my side while answering that. Please try again in a moment.';

/** Shown when a button's context is no longer known (e.g. after a restart). */
export const EXPIRED_BUTTON_TEXT = 'That button has expired. Please ask me again.';

/** Shown after a 👍/👎 click. */
export const FEEDBACK_THANKS_TEXT = 'Thanks for the feedback!';

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
