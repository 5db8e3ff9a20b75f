/** Discord message markup → the plain question the core reads. */
import { stripCommonMarkup } from '../shared/markup.ts';

/**
 * Discord message text → plain text for the core: user, role and channel mentions, `@everyone`/`@here`,
 * custom emoji (`<:name:id>`, `<a:name:id>`), emoji shortcodes, slash-command mentions and timestamps
 * dropped; masked links reduced to their label, bare `<url>` links dropped.
 * @example fromDiscordText('@everyone <@&1> <:pepe:2> is pytorch faster?') // 'is pytorch faster?'
 */
export function fromDiscordText(text: string): string {
  const plain = text
    .replace(/<@[!&]?\d+>/g, ' ')
    .replace(/<#\d+>/g, ' ')
    .replace(/<a?:\w+:\d+>/g, ' ')
    .replace(/<\/[^:>]+:\d+>/g, ' ')
    .replace(/<t:-?\d+(?::[tTdDfFR])?>/g, ' ')
    .replace(/\[([^\]]+)\]\(<?https?:\/\/[^)\s]+>?\)/g, ' $1 ')
    .replace(/<https?:\/\/[^>\s]+>/g, ' ');
  return stripCommonMarkup(plain);
}
