/** A JSON-lines logger to stderr that redacts secret values and token-shaped strings. */

import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../core/ports.ts';
import { PLATFORM_TOKEN_PATTERNS } from '../core/redact.ts';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
/** Log level names. */
export type LogLevel = keyof typeof LEVELS;

/** Replaces every secret and token-shaped substring of `text` with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  // Token shapes are redacted even when the token is not configured here.
  for (const re of PLATFORM_TOKEN_PATTERNS) out = out.replace(re, '[redacted]');
  return out;
}

/** How a record is written: a JSON line (machines, log files) or a short line for a person at a terminal. */
export type LogFormat = 'json' | 'text';

function textLine(level: string, msg: string, fields: Record<string, unknown>): string {
  const detail = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const value =
        v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => x);
      return `${k}=${value}`;
    })
    .join(' ');
  const prefix = level === 'warn' ? 'warning' : level;
  return `tensorduel ${prefix}: ${msg}${detail ? ` (${detail})` : ''}`;
}

/** Creates a logger writing JSON lines (or text lines) to `write` (stderr by default). */
export function createLogger(options: {
  level?: LogLevel;
  secrets?: readonly string[];
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
  format?: LogFormat;
}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const secrets = options.secrets ?? [];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const format = options.format ?? 'json';
  const log = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    if (format === 'text') {
      write(redact(textLine(level, msg, { ...options.fields, ...fields }), secrets));
      return;
    }
    const record = { t: new Date().toISOString(), level, msg, ...options.fields, ...fields };
    const line = JSON.stringify(record, (_k, v: unknown) =>
      v instanceof Error ? { name: v.name, message: v.message, code: (v as { code?: unknown }).code } : v,
    );
    write(redact(line, secrets));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

/** A logger that hands every record to each of `loggers` (each applies its own level and format). */
export function teeLogger(...loggers: Logger[]): Logger {
  return {
    debug: (m, f) => {
      for (const l of loggers) l.debug(m, f);
    },
    info: (m, f) => {
      for (const l of loggers) l.info(m, f);
    },
    warn: (m, f) => {
      for (const l of loggers) l.warn(m, f);
    },
    error: (m, f) => {
      for (const l of loggers) l.error(m, f);
    },
  };
}

/**
 * Appends lines to `file` (its folder is created). Writes are buffered by a stream; a file that cannot be
 * opened turns the sink into a no-op after one notice through `onError`.
 */
export function fileLineWriter(
  file: string,
  onError: (err: Error) => void = () => {},
): (line: string) => void {
  mkdirSync(dirname(file), { recursive: true });
  const stream = createWriteStream(file, { flags: 'a' });
  let broken = false;
  stream.on('error', (err) => {
    if (!broken) onError(err);
    broken = true;
  });
  return (line) => {
    if (!broken) stream.write(`${line}\n`);
  };
}
