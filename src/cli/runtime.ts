/** Shared start-up for CLI commands: configuration, logger (secrets redacted) and the advisor. */
import { type Config, loadConfig, secretValues } from '../config.ts';
import type { Logger } from '../core/ports.ts';
import { type AdvisorHandle, buildAdvisor } from '../infra/build-advisor.ts';
import { createLogger, type LogLevel } from '../infra/logger.ts';

/** Config, a logger on stderr and a ready advisor. */
export async function startAdvisor(options: { quiet?: boolean } = {}): Promise<{
  config: Config;
  logger: Logger;
  handle: AdvisorHandle;
}> {
  const config = loadConfig();
  const level: LogLevel = options.quiet && config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL;
  const logger = createLogger({ level, secrets: secretValues(config) });
  const handle = await buildAdvisor(config, logger);
  return { config, logger, handle };
}
