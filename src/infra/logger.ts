/** A JSON-lines logger to stderr that redacts secret values and token-shaped strings. */
import type { Logger } from '../core/ports.ts';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
/** Log level names. */
export type LogLevel = keyof typeof LEVELS;

// Token shapes of Slack (xoxb-, xapp-, …) and Discord bot tokens, redacted even when not configured here.
const TOKEN_PATTERNS = [
  /\bxox[abposr]-[A-Za-z0-9-]{6,}/g,
  /\bxapp-[A-Za-z0-9-]{6,}/g,
  /\b[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,40}\b/g,
];

/** Replaces every secret and token-shaped substring of `text` with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  for (const re of TOKEN_PATTERNS) out = out.replace(re, '[redacted]');
  return out;
}

/** Creates a logger writing JSON lines to `write` (stderr by default). */
export function createLogger(options: {
  level?: LogLevel;
  secrets?: readonly string[];
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const secrets = options.secrets ?? [];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
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
