/** Markup both chat platforms share: emoji shortcodes, typed broadcasts and @names left as plain text. */

// `:thinking_face:`, `:+1:`, `:flag-gb:`, with an optional `:skin-tone-3:`; not `12:30:45` (digits only).
const SHORTCODE = /(?<![\w:/]):([a-z0-9_+'-]+):(?::skin-tone-[2-6]:)?(?![\w/])/gi;
// A typed `@name` (Slack's unlinked `@channel`, Discord's `@everyone`, an unresolved `@TensorDuel`); a
// decorator such as `@tf.function` or `@torch.jit.script(...)` is part of the question and stays.
const AT_NAME = /(^|[\s(,;])@[A-Za-z][\w-]*(?![\w.(-])/g;

/**
 * Removes emoji shortcodes and typed @names, then collapses whitespace.
 * @example stripCommonMarkup(':thinking_face: @here what does @tf.function do?') // 'what does @tf.function do?'
 */
export function stripCommonMarkup(text: string): string {
  return text
    .replace(SHORTCODE, (match, name: string) => (/[a-z+]/i.test(name) ? ' ' : match))
    .replace(AT_NAME, '$1 ')
    .replace(/\s+/g, ' ')
    .trim();
}
