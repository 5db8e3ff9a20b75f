/**
 * Registers the application commands with Discord: in one guild (instant) or globally (up to an hour to appear).
 * Only global commands can be user-installed: Discord reads `integration_types` and `contexts` for global commands
 * only, so a guild registration leaves them out.
 */
import { REST, Routes } from 'discord.js';
import { ErrorCode, UserError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { classifyDiscordError } from './classify.ts';
import { DISCORD_COMMANDS } from './commands.ts';

/** What registration needs; the application id is asked from Discord when not given. */
export interface RegisterOptions {
  token: string;
  apiUrl: string;
  applicationId?: string | undefined;
  guildId?: string | undefined;
  logger: Logger;
}

/** PUTs the command definitions (replacing earlier ones); returns where they went and their names. */
export async function registerCommands(
  options: RegisterOptions,
): Promise<{ scope: string; names: string[] }> {
  const rest = new REST({ api: options.apiUrl, retries: 1 }).setToken(options.token);
  try {
    const applicationId =
      options.applicationId ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
    const route = options.guildId
      ? Routes.applicationGuildCommands(applicationId, options.guildId)
      : Routes.applicationCommands(applicationId);
    const body = options.guildId
      ? DISCORD_COMMANDS.map(({ integration_types: _i, contexts: _c, ...guildCommand }) => guildCommand)
      : DISCORD_COMMANDS;
    const saved = (await rest.put(route, { body })) as Array<{ name: string }>;
    const scope = options.guildId ? `guild ${options.guildId}` : 'global (may take up to an hour to appear)';
    options.logger.info('discord: slash commands registered', {
      platform: 'discord',
      scope,
      count: saved.length,
    });
    return { scope, names: saved.map((c) => c.name) };
  } catch (err) {
    const reason = classifyDiscordError(err).reason;
    throw new UserError(ErrorCode.Permission, `Could not register the Discord commands: ${reason}.`, {
      cause: err,
    });
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
