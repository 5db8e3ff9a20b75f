/**
 * The commands that send a message to the core (ask, recommend, bench, help) and the text each sends. Their
 * definitions (descriptions, options, usage) are in the command table, command-table.ts.
 */

/** Sub-commands of `/tensorduel` on Slack and the slash commands on Discord. */
export const CHAT_COMMANDS = ['ask', 'recommend', 'bench', 'help'] as const;
/** One chat command. */
export type ChatCommand = (typeof CHAT_COMMANDS)[number];

/** True when `name` is a known chat command. */
export function isChatCommand(name: string): name is ChatCommand {
  return (CHAT_COMMANDS as readonly string[]).includes(name);
}

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
