/**
 * `npm run discord:register`: registers TensorDuel's application commands with Discord: the slash commands of the
 * shared command table (/ask, /recommend, /bench, /cancel, /results, /compare, /help, /report) and the message
 * command "Ask TensorDuel". With DISCORD_GUILD_ID set they go to that one guild (available at once); otherwise
 * globally (may take up to an hour to appear; only global commands can be used from a user install).
 * Reads DISCORD_TOKEN, DISCORD_APPLICATION_ID (optional: asked from Discord when unset), DISCORD_API_URL.
 */
import { ASK_ABOUT_MESSAGE } from '../src/adapters/discord/commands.ts';
import { registerCommands } from '../src/adapters/discord/register.ts';
import { loadConfig, loadDotEnv, secretValues } from '../src/config.ts';
import { createLogger } from '../src/infra/logger.ts';

loadDotEnv();
try {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config) });
  if (!config.DISCORD_TOKEN) {
    console.error('discord:register needs DISCORD_TOKEN (the bot token from the Developer Portal, Bot tab).');
    process.exit(2);
  }
  const { scope, names } = await registerCommands({
    token: config.DISCORD_TOKEN,
    apiUrl: config.DISCORD_API_URL,
    applicationId: config.DISCORD_APPLICATION_ID,
    guildId: config.DISCORD_GUILD_ID,
    logger,
  });
  const label = (n: string) => (n === ASK_ABOUT_MESSAGE ? `"${n}" (message menu)` : `/${n}`);
  console.log(`Registered ${names.map(label).join(', ')} (${scope}).`);
} catch (err) {
  // Only a message fit to show: registerCommands and loadConfig never put a secret in theirs.
  console.error(`discord:register: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
