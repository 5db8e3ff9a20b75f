/** Token shapes that must never be stored or logged: Slack (xoxb-, xapp-, …) and Discord bot tokens, and long secrets. */

/** Token shapes of Slack (xoxb-, xapp-, …) and Discord bot tokens; the logger redacts them too. */
export const PLATFORM_TOKEN_PATTERNS: readonly RegExp[] = [
  /\bxox[abposr]-[A-Za-z0-9-]{6,}/g,
  /\bxapp-[A-Za-z0-9-]{6,}/g,
  /\b[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,40}\b/g,
];

/** Also for stored user text: API keys and bearer secrets, one unbroken run of 32+ letters and digits with both. */
const LONG_SECRET = /\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}\b/g;

/**
 * Replaces every token-shaped substring of `text` with `[redacted]`.
 * @example redactTokens('my token is xoxb-1234-abcdef') // → 'my token is [redacted]'
 */
export function redactTokens(text: string): string {
  let out = text;
  for (const re of [...PLATFORM_TOKEN_PATTERNS, LONG_SECRET]) out = out.replace(re, '[redacted]');
  return out;
}
