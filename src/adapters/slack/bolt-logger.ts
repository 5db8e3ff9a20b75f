/** Bridges Bolt's logger interface to TensorDuel's structured (redacting) logger. */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../core/ports.ts';
import { LogLimiter, type LogLimiterOptions } from '../shared/LogLimiter.ts';

const RANK: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 10,
  [LogLevel.INFO]: 20,
  [LogLevel.WARN]: 30,
  [LogLevel.ERROR]: 40,
};

const describe = (value: unknown): string =>
  value instanceof Error
    ? `${value.name}: ${value.message}`
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

// The socket-mode client reports a dropped connection as two errors without a reason ("WebSocket error
// occurred: " and "WebSocket error! SMWebsocketError"); the adapter logs the drop itself, with words.
const EMPTY_SOCKET_ERRORS = /^(WebSocket error occurred: ?|WebSocket error! SMWebsocketError(: )?)$/;

/**
 * A Bolt/web-api/socket-mode logger that writes through `logger`, tagged with the library's name. Lines the
 * library repeats (one per rejected request) are capped by a {@link LogLimiter}.
 */
export function boltLogger(
  logger: Logger,
  fields: Record<string, unknown>,
  limits: LogLimiterOptions = {},
): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  let name = 'bolt';
  const limiter = new LogLimiter(limits);
  const emit = (at: LogLevel, msg: unknown[]) => {
    if (RANK[at] < RANK[level]) return;
    const text = msg.map(describe).join(' ');
    const shown = EMPTY_SOCKET_ERRORS.test(text) ? LogLevel.DEBUG : at;
    if (shown === LogLevel.DEBUG) {
      logger.debug(text, { ...fields, lib: name });
      return;
    }
    const { write, dropped } = limiter.admit(`${shown} ${text}`);
    if (!write) return;
    logger[shown](text, { ...fields, lib: name, ...(dropped > 0 ? { suppressedSimilar: dropped } : {}) });
  };
  return {
    debug: (...msg: unknown[]) => emit(LogLevel.DEBUG, msg),
    info: (...msg: unknown[]) => emit(LogLevel.INFO, msg),
    warn: (...msg: unknown[]) => emit(LogLevel.WARN, msg),
    error: (...msg: unknown[]) => emit(LogLevel.ERROR, msg),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      name = n;
    },
  };
}
