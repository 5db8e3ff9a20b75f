/** Shared start-up for CLI commands: configuration, logger (secrets redacted) and the advisor. */
import { type Config, loadConfig, secretValues } from '../config.ts';
import type { Logger } from '../core/ports.ts';
import { type AdvisorHandle, buildAdvisor } from '../infra/build-advisor.ts';
import { createLogger, fileLineWriter, type LogLevel, teeLogger } from '../infra/logger.ts';
import { createProgress, silentProgress } from '../infra/progress.ts';

/** How a command talks to its user while it starts and runs. */
export interface StartOptions {
  /** Only warnings and errors on stderr (commands whose stdout is the product, such as `ask`). */
  quiet?: boolean;
  /**
   * A person chats in this terminal: stderr shows warnings and errors as plain lines, the full log (JSON lines,
   * at LOG_LEVEL) goes to TENSORDUEL_LOG_FILE; LOG_LEVEL=debug brings the JSON lines back to stderr.
   * `auto`: when no chat platform is configured (what `npm start` does then).
   */
  terminal?: boolean | 'auto';
  /** Show slow start-up phases on stderr (a bar on a TTY, one line per phase otherwise). */
  progress?: boolean;
}

function isTerminal(config: Config, terminal: StartOptions['terminal']): boolean {
  if (terminal !== 'auto') return terminal === true;
  // As startPlatforms decides (not imported: it loads the Slack and Discord clients).
  return !config.SLACK_BOT_TOKEN && !config.DISCORD_TOKEN;
}

/** The CLI's logger for `config` and the way the command is used. */
export function cliLogger(config: Config, options: StartOptions = {}): Logger {
  const secrets = secretValues(config);
  if (isTerminal(config, options.terminal) && config.LOG_LEVEL !== 'debug') {
    const screen = createLogger({ level: higher(config.LOG_LEVEL, 'warn'), secrets, format: 'text' });
    if (config.LOG_LEVEL === 'silent') return screen;
    const file = createLogger({
      level: config.LOG_LEVEL,
      secrets,
      write: fileLineWriter(config.TENSORDUEL_LOG_FILE, (err) =>
        screen.warn('cannot write the log file', { file: config.TENSORDUEL_LOG_FILE, error: err.message }),
      ),
    });
    return teeLogger(screen, file);
  }
  const level: LogLevel = options.quiet ? higher(config.LOG_LEVEL, 'warn') : config.LOG_LEVEL;
  return createLogger({ level, secrets });
}

const ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const higher = (a: LogLevel, b: LogLevel): LogLevel => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

/** Config, a logger on stderr and a ready advisor. */
export async function startAdvisor(options: StartOptions = {}): Promise<{
  config: Config;
  logger: Logger;
  handle: AdvisorHandle;
}> {
  const config = loadConfig();
  const logger = cliLogger(config, options);
  const progress = options.progress ? createProgress() : silentProgress;
  const handle = await buildAdvisor(config, logger, { progress });
  return { config, logger, handle };
}
