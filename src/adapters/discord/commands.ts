/**
 * Discord's application commands (registered by `npm run discord:register`), generated from the shared command
 * table (src/adapters/shared/command-table.ts) plus the message context-menu command "Ask TensorDuel".
 *
 * Where each may be used:
 * - `/ask`, `/recommend`, `/help` and "Ask TensorDuel" are user-installable: `integration_types` [0, 1]
 *   (server and user installs), `contexts` [0, 1, 2] (servers, the bot's DMs, other DMs and group DMs);
 * - the benchmark commands and `/report` stay in servers that installed the bot (`integration_types` [0],
 *   `contexts` [0]): their results are channel messages, and the queue's permissions are per server role;
 * - admin-only commands (`/report`) get `default_member_permissions: '0'`, so Discord shows them only to server
 *   administrators until a server allows others; the adapter still checks TENSORDUEL_ADMINS at run time.
 */
import {
  type APIApplicationCommandStringOption,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import { COMMANDS, type CommandDef, type CommandOption, DISCORD_SYNTAX } from '../shared/command-table.ts';
import { ChatMessages } from '../shared/messages.ts';

/** The texts Discord shows on its own, with commands spelled `/bench` (the shared catalog). */
export const DISCORD_MESSAGES = new ChatMessages(DISCORD_SYNTAX);

/** The name of the message context-menu command (Apps → Ask TensorDuel). */
export const ASK_ABOUT_MESSAGE = 'Ask TensorDuel';

const EVERYWHERE = {
  integration_types: [ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall],
  contexts: [
    InteractionContextType.Guild,
    InteractionContextType.BotDM,
    InteractionContextType.PrivateChannel,
  ],
};
const SERVERS_ONLY = {
  integration_types: [ApplicationIntegrationType.GuildInstall],
  contexts: [InteractionContextType.Guild],
};

function option(o: CommandOption): APIApplicationCommandStringOption {
  const base = {
    name: o.name,
    description: o.description,
    type: ApplicationCommandOptionType.String as const,
    required: o.required,
    ...(o.maxLength ? { max_length: o.maxLength } : {}),
  };
  // Discord allows either fixed choices or autocomplete on an option, not both.
  if (o.choices) return { ...base, choices: o.choices.map((c) => ({ name: c.name, value: c.value })) };
  return o.autocomplete ? { ...base, autocomplete: true } : base;
}

/** One slash command from its table entry. */
function slashCommand(c: CommandDef): RESTPostAPIApplicationCommandsJSONBody {
  return {
    name: c.name,
    type: ApplicationCommandType.ChatInput,
    description: c.description,
    ...(c.options.length > 0 ? { options: c.options.map(option) } : {}),
    ...(c.userInstallable ? EVERYWHERE : SERVERS_ONLY),
    ...(c.adminOnly ? { default_member_permissions: '0' } : {}),
  };
}

/**
 * Every command TensorDuel registers on Discord, in the table's order, then "Ask TensorDuel".
 * @example DISCORD_COMMANDS.map((c) => c.name) // ['ask', 'recommend', 'help', 'bench', …, 'report', 'Ask TensorDuel']
 */
export const DISCORD_COMMANDS: RESTPostAPIApplicationCommandsJSONBody[] = [
  ...COMMANDS.map(slashCommand),
  { name: ASK_ABOUT_MESSAGE, type: ApplicationCommandType.Message, ...EVERYWHERE },
];

/** The string option each chat command reads its text from, by the table (`/ask question`, `/recommend details`). */
export function textOption(command: 'ask' | 'recommend'): string {
  return COMMANDS.find((c) => c.name === command)?.options[0]?.name ?? '';
}
