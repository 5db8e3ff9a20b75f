/** Slack message markup → the plain question the core reads. */
import { stripCommonMarkup } from '../shared/markup.ts';

/**
 * Slack message text → plain text for the core: mentions, broadcasts (`<!here>`, `<!channel>`,
 * `<!everyone>`), user groups (`<!subteam^S1|@devs>`), channel links and emoji shortcodes dropped, labelled
 * links reduced to their label, dates to their fallback text, entities decoded.
 * @example fromSlackText('<!here> :wave: <@U1> is <https://pytorch.org|PyTorch> &gt; TF?') // 'is PyTorch > TF?'
 */
export function fromSlackText(text: string): string {
  const plain = text
    .replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/gi, ' ')
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, ' $1 ')
    .replace(/<![^>]*>/g, ' ')
    .replace(/<#[A-Z0-9]+(?:\|[^>]*)?>/gi, ' ')
    .replace(/<(?:https?|mailto|tel):[^|>]*\|([^>]+)>/gi, ' $1 ')
    .replace(/<(?:https?|mailto|tel):[^>]*>/gi, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return stripCommonMarkup(plain);
}
