/** Renders a core Reply as Discord messages (embeds and buttons) within Discord's limits. */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import type { Framework, Reply } from '../../core/types.ts';
import { DISCORD_LIMITS } from '../shared/limits.ts';
import { splitMarkdown, truncate } from '../shared/split-markdown.ts';

/** One message to send (create, reply, interaction edit or follow-up). */
export interface DiscordMessage {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
}

/** custom_ids for the buttons of one reply. */
export interface ButtonIds {
  choice(index: number): string;
  /** A suggested follow-up topic (Reply.followups). */
  followup(index: number): string;
  feedback(vote: 'up' | 'down'): string;
}

const COLORS: Record<Framework | 'none', number> = {
  tensorflow: 0xff8f00,
  pytorch: 0xee4c2c,
  either: 0x5865f2,
  none: 0x5865f2,
};

/** The reply body as Discord Markdown: text parts as they are, code parts fenced with their language. */
export function replyMarkdown(reply: Pick<Reply, 'parts'>): string {
  return reply.parts
    .map((p) => (p.type === 'text' ? p.text : `\`\`\`${p.language}\n${p.code}\n\`\`\``))
    .join('\n\n');
}

/**
 * Discord messages for `reply`: one embed per message (the body split at 4096 characters without breaking
 * code blocks), the source as a field and the buttons (choices, suggested follow-ups, 👍/👎) on the last
 * message.
 */
export function renderReply(reply: Reply, ids: ButtonIds | undefined): DiscordMessage[] {
  const color = COLORS[reply.framework ?? 'none'];
  const chunks = splitMarkdown(replyMarkdown(reply), DISCORD_LIMITS.embedDescription);
  if (chunks.length === 0) chunks.push('…');
  const messages: DiscordMessage[] = chunks.map((description) => ({
    embeds: [{ description, color }],
    components: [],
  }));
  const last = messages[messages.length - 1] as DiscordMessage;
  const embed = last.embeds[0] as APIEmbed;
  if (reply.sources.length > 0) {
    const value = reply.sources.map((s) => `${s.section} (\`${s.id}\`)`).join('\n');
    embed.fields = [
      {
        name: reply.sources.length === 1 ? 'Source' : 'Sources',
        value: truncate(value, DISCORD_LIMITS.fieldValue),
      },
    ];
  }
  if (ids) last.components = buttonRows(reply, ids);
  return messages;
}

function buttonRows(reply: Reply, ids: ButtonIds): APIActionRowComponent<APIButtonComponent>[] {
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  const followups = (reply.followups ?? []).slice(0, DISCORD_LIMITS.buttonsPerRow);
  const choiceRows = DISCORD_LIMITS.rows - (reply.feedback ? 1 : 0) - (followups.length > 0 ? 1 : 0);
  const choices = reply.choices.slice(0, choiceRows * DISCORD_LIMITS.buttonsPerRow);
  for (let i = 0; i < choices.length; i += DISCORD_LIMITS.buttonsPerRow) {
    rows.push({
      type: ComponentType.ActionRow,
      components: choices.slice(i, i + DISCORD_LIMITS.buttonsPerRow).map((choice, j) => ({
        type: ComponentType.Button,
        style: ButtonStyle.Primary,
        label: truncate(choice.label, DISCORD_LIMITS.buttonLabel),
        custom_id: ids.choice(i + j),
      })),
    });
  }
  if (followups.length > 0) {
    // Secondary and prefixed with ↪, so related topics read as suggestions rather than answers to a question.
    rows.push({
      type: ComponentType.ActionRow,
      components: followups.map((choice, i) => ({
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: truncate(`↪ ${choice.label}`, DISCORD_LIMITS.buttonLabel),
        custom_id: ids.followup(i),
      })),
    });
  }
  if (reply.feedback) {
    rows.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          emoji: { name: '👍' },
          custom_id: ids.feedback('up'),
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          emoji: { name: '👎' },
          custom_id: ids.feedback('down'),
        },
      ],
    });
  }
  return rows;
}

/** Plain-text messages (usage, notices) split at Discord's 2000-character content limit. */
export function renderText(text: string): DiscordMessage[] {
  return splitMarkdown(text, DISCORD_LIMITS.content).map((content) => ({
    content,
    embeds: [],
    components: [],
  }));
}

/** Total characters Discord counts against the 6000-character embed budget of one message. */
export function embedSize(embeds: readonly APIEmbed[]): number {
  let n = 0;
  for (const e of embeds) {
    n += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length;
    n += (e.author?.name ?? '').length;
    for (const f of e.fields ?? []) n += f.name.length + f.value.length;
  }
  return n;
}
