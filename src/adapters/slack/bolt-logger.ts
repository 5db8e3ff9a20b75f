/** Bridges Bolt's logger interface to TensorDuel's structured (redacting) logger. */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../core/ports.ts';

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

/** A Bolt/web-api/socket-mode logger that writes through `logger`, tagged with the library's name. */
export function boltLogger(logger: Logger, fields: Record<string, unknown>): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  let name = 'bolt';
  const emit = (at: LogLevel, msg: unknown[]) => {
    if (RANK[at] < RANK[level]) return;
    logger[at](msg.map(describe).join(' '), { ...fields, lib: name });
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
