/** Configuration from the environment (and `.env`): every setting TensorDuel reads, validated in one place. */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ErrorCode, UserError } from './core/errors.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const optional = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

const schema = z.object({
  TENSORDUEL_DB_FILE: z.string().default('data/tensorduel.json'),
  TENSORDUEL_CACHE_DIR: z.string().default('.cache/tensorduel'),
  /** Minutes of inactivity after which a conversation's memory (last topic, recommendation profile) is forgotten. */
  TENSORDUEL_MEMORY_TTL_MIN: z.coerce.number().positive().default(30),
  TENSORDUEL_KNOWLEDGE_DIR: z.string().default('knowledge'),
  TENSORDUEL_INTENTS_DIR: z.string().default('intents'),
  /** `auto`: the transformers.js model when it is in TENSORDUEL_MODELS_DIR (setup.sh exports it), else USE lite. */
  TENSORDUEL_EMBEDDER: z.enum(['auto', 'use-lite', 'transformers']).default('auto'),
  /** Run the sentence encoder in a worker thread (chat acknowledgements never wait behind embeddings). */
  TENSORDUEL_EMBED_WORKER: bool.default(true),
  /** Dynamic batching of questions: most texts per encoder call, and longest wait for a batch to fill. */
  TENSORDUEL_EMBED_MAX_BATCH: z.coerce.number().int().min(1).default(16),
  TENSORDUEL_EMBED_MAX_DELAY_MS: z.coerce.number().min(0).max(50).default(2),
  /**
   * Threads of the transformers.js encoder's ONNX session; 0: every core but one (at least 1), which leaves a core
   * to the bot's event loop and the Slack front under a burst.
   */
  TENSORDUEL_ENCODER_THREADS: z.coerce.number().int().min(0).max(64).default(0),
  TENSORDUEL_TFJS_BACKEND: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  TENSORDUEL_TRANSFORMERS_MODEL: z.string().default('Xenova/all-MiniLM-L6-v2'),
  TENSORDUEL_MODELS_DIR: z.string().default('models'),
  TENSORDUEL_ALLOW_REMOTE_MODELS: bool.default(false),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Where the terminal chat writes its log (JSON lines), so the chat itself shows only warnings. */
  TENSORDUEL_LOG_FILE: z.string().default('data/tensorduel.log'),

  SLACK_BOT_TOKEN: optional,
  SLACK_SIGNING_SECRET: optional,
  SLACK_APP_TOKEN: optional,
  SLACK_API_URL: z.string().url().default('https://slack.com/api/'),
  SLACK_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SLACK_HOST: z.string().default('0.0.0.0'),

  DISCORD_TOKEN: optional,
  DISCORD_API_URL: z.string().url().default('https://discord.com/api'),
  DISCORD_APPLICATION_ID: optional,
  DISCORD_GUILD_ID: optional,

  TENSORDUEL_PYTHON: optional,
  TENSORDUEL_BENCH_TIMEOUT_S: z.coerce.number().positive().default(600),
  TENSORDUEL_ADMINS: list.default([]),
  TENSORDUEL_BENCH_USERS: list.default([]),
  TENSORDUEL_BENCH_ROLES: list.default([]),
  TENSORDUEL_BENCH_CHANNELS: list.default([]),
  TENSORDUEL_BENCH_RATE_PER_HOUR: z.coerce.number().int().min(0).default(3),
  TENSORDUEL_BENCH_MAX_RUN_S: z.coerce.number().positive().default(1800),
  /** Defaults for chat-started runs (unset: the benchmark's own defaults). */
  TENSORDUEL_BENCH_REPEATS: z.coerce.number().int().positive().optional(),
  TENSORDUEL_BENCH_STEPS: z.coerce.number().int().positive().optional(),
  TENSORDUEL_BENCH_WARMUP: z.coerce.number().int().min(0).optional(),
  /** Test fault injection for chat-started runs, e.g. `torch=crash,tfjs=hang`. */
  TENSORDUEL_BENCH_FAULT: optional,

  /** Distributed mode (docs/scaling.md): chat benchmarks on BullMQ queues, shared bot state. Unset: one process. */
  TENSORDUEL_REDIS_URL: optional,
  /** Which queue a requested device goes to, e.g. `auto=cpu,cpu=cpu,cuda=h100` (default: auto and cpu → cpu, cuda → cuda). */
  TENSORDUEL_BENCH_QUEUES: optional,
  /** How a worker names itself in statuses and results (default: the host name and its queue). */
  TENSORDUEL_WORKER_NAME: optional,
  /** A worker's job lock and stalled-check period: a dead worker's run is reported within about their sum. */
  TENSORDUEL_WORKER_LOCK_S: z.coerce.number().positive().default(30),
  TENSORDUEL_WORKER_STALLED_CHECK_S: z.coerce.number().positive().default(30),
  /** `/healthz` and Prometheus `/metrics` on this port (bot replicas and workers; never the terminal chat). */
  TENSORDUEL_METRICS_PORT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().min(0).max(65535).optional(),
  ),
  TENSORDUEL_METRICS_HOST: z.string().default('127.0.0.1'),
});

/** Validated settings. */
export type Config = z.output<typeof schema>;

/** Names of settings whose values are secrets: never logged, never shown. */
export const SECRET_KEYS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DISCORD_TOKEN',
  // May hold a password (redis://:secret@host).
  'TENSORDUEL_REDIS_URL',
] as const;

/** Reads KEY=VALUE lines of a .env file into `env` without overriding what is already set. */
export function loadDotEnv(path = '.env', env: NodeJS.ProcessEnv = process.env): void {
  if (!existsSync(path)) return;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!m?.[1] || line.trimStart().startsWith('#')) continue;
    let value = m[2] ?? '';
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    if (env[m[1]] === undefined) env[m[1]] = value;
  }
}

/** Settings from `env`; a bad value is a UserError naming the variable (never its value). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UserError(ErrorCode.InvalidInput, `Configuration: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return result.data;
}

/** Every secret value present in `config`, for log redaction. */
export function secretValues(config: Partial<Config>): string[] {
  const values = SECRET_KEYS.map((k) => config[k]);
  // The Redis password alone, too: a library's error may quote it without the rest of the URL.
  try {
    if (config.TENSORDUEL_REDIS_URL)
      values.push(decodeURIComponent(new URL(config.TENSORDUEL_REDIS_URL).password));
  } catch {
    // not a URL: the whole value is redacted anyway
  }
  return values.filter((v): v is string => typeof v === 'string' && v.length >= 4);
}
