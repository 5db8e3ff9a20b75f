/**
 * The commands that send a message to the core (ask, recommend, bench, help) and the text each sends. Their
 * definitions (descriptions, options, usage) are in the command table, command-table.ts.
 */
import { COMMAND_TABLE } from './command-table.ts';

/** Sub-commands of `/tensorduel` on Slack and the slash commands on Discord. */
export const CHAT_COMMANDS = ['ask', 'recommend', 'bench', 'help'] as const;
/** One chat command. */
export type ChatCommand = (typeof CHAT_COMMANDS)[number];

/** True when `name` is a known chat command. */
export function isChatCommand(name: string): name is ChatCommand {
  return (CHAT_COMMANDS as readonly string[]).includes(name);
}

/** One-line descriptions, from the command table (command-table.ts). */
export const COMMAND_DESCRIPTIONS: Record<ChatCommand, string> = {
  ask: COMMAND_TABLE.ask.description,
  recommend: COMMAND_TABLE.recommend.description,
  bench: COMMAND_TABLE.bench.description,
  help: COMMAND_TABLE.help.description,
};

/**
 * The message text a command sends to the core, or undefined when it needs an argument it did not get.
 * @example commandText('recommend', '') // 'help me pick a framework'
 */
export function commandText(command: ChatCommand, args: string): string | undefined {
  const rest = args.trim();
  switch (command) {
    case 'ask':
      return rest === '' ? undefined : rest;
    case 'recommend':
      return rest === '' ? 'help me pick a framework' : `which framework should I use: ${rest}`;
    case 'bench':
      return rest === '' ? 'run the benchmark' : `run the benchmark ${rest}`;
    case 'help':
      return 'help';
  }
}

/**
 * Usage text for a platform; `syntax(command, arg)` writes one command the way that platform spells it.
 * @deprecated Use `new ChatMessages(syntax).help(scope)` (messages.ts), generated from the command table.
 */
export function usageText(
  syntax: (command: ChatCommand, arg?: string) => string,
  mention: string,
  options: { bench?: boolean } = {},
): string {
  return [
    '**TensorDuel commands**',
    `- ${syntax('ask', 'question')}: ${COMMAND_DESCRIPTIONS.ask}`,
    `- ${syntax('recommend', 'about your project')}: ${COMMAND_DESCRIPTIONS.recommend}`,
    // With the benchmark queue on, the adapters list the benchmark commands in their own section.
    ...(options.bench === false ? [] : [`- ${syntax('bench', 'workload')}: ${COMMAND_DESCRIPTIONS.bench}`]),
    `- ${syntax('help')}: ${COMMAND_DESCRIPTIONS.help}`,
    `You can also mention ${mention} in a channel or send me a direct message.`,
  ].join('\n');
}
