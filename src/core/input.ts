/** Checks and cleans a user message before it reaches routing. */

/** Longest message the advisor reads; longer ones get a friendly refusal instead of a slow or odd answer. */
export const MAX_MESSAGE_CHARS = 2000;

/** A cleaned message, or the reason it cannot be answered as a question. */
export type InspectedInput =
  | { ok: true; text: string }
  | { ok: false; problem: 'empty' | 'too-long' | 'no-words'; length: number };

/**
 * Strips control characters and chat markup (mentions), collapses whitespace, and classifies what is left.
 * @example
 * inspectInput('  <@U123> which is faster?\u0000 ') // → { ok: true, text: 'which is faster?' }
 */
export function inspectInput(raw: string): InspectedInput {
  const length = raw.length;
  if (length > MAX_MESSAGE_CHARS * 4) return { ok: false, problem: 'too-long', length };
  const text = raw
    .replace(/<@[A-Z0-9]+(\|[^>]*)?>/gi, ' ') // Slack/Discord mention tokens
    .replace(/<#[A-Z0-9]+(\|[^>]*)?>/gi, ' ')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length === 0) return { ok: false, problem: 'empty', length };
  if (text.length > MAX_MESSAGE_CHARS) return { ok: false, problem: 'too-long', length };
  if (!/[\p{L}\p{N}]/u.test(text)) return { ok: false, problem: 'no-words', length };
  return { ok: true, text };
}
