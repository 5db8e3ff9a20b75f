/**
 * `npm run discord:register`: registers /ask, /recommend, /bench, /help, /cancel, /results and /compare with Discord. With DISCORD_GUILD_ID
 * set they go to that one guild (available at once); otherwise globally (may take up to an hour to appear).
 * Reads DISCORD_TOKEN, DISCORD_APPLICATION_ID (optional: asked from Discord when unset), DISCORD_API_URL.
 */
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
  console.log(`Registered ${names.map((n) => `/${n}`).join(', ')} (${scope}).`);
} catch (err) {
  // Only a message fit to show: registerCommands and loadConfig never put a secret in theirs.
  console.error(`discord:register: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
