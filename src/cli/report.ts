/** `tensorduel report [--json] [--top N]`: what users asked that TensorDuel could not answer well, for the team. */
import { once } from 'node:events';
import { type Config, loadConfig } from '../config.ts';
import { silentLogger } from '../core/ports.ts';
import { buildReport, renderReport } from '../core/report.ts';
import type { FeedbackState } from '../core/state.ts';
import { createEmbedder, createStore } from '../infra/build-advisor.ts';
import { loadKnowledge } from '../infra/data-files.ts';
import { closeRedis, connectRedis, withTimeout } from '../infra/redis/connection.ts';
import { RedisFeedback } from '../infra/state/feedback.ts';
import { parseCommandArgs, requireValue, UsageError } from './args.ts';
import { cliLogger } from './runtime.ts';

/** The `--help` text. */
export const usage = `Usage: tensorduel report [--json] [--top N]

The top unanswered or 👎 questions (grouped by meaning with the sentence encoder), answer rates by intent and the
topics asked most, from the bot's database (TENSORDUEL_DB_FILE), or with TENSORDUEL_REDIS_URL from every bot
replica's records in Redis (this host's database while Redis cannot be reached). Questions are stored capped and
with anything token-shaped redacted.

  --json     the report as one JSON object
  --top N    groups and topics to show (default 10)`;

/** Prints the report; exit 0. */
export async function run(args: string[]): Promise<number> {
  const { values, help } = parseCommandArgs(args, { json: { type: 'boolean' }, top: { type: 'string' } });
  if (help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const topText = requireValue(values, 'top');
  const top = topText === undefined ? 10 : Number(topText);
  if (!Number.isInteger(top) || top < 1)
    throw new UsageError(`--top needs a whole number ≥ 1, got "${topText}".`);
  const config = loadConfig();
  const state = await readRecords(config);
  const embedder = createEmbedder(config);
  try {
    await embedder.ready();
    const report = await buildReport(state, embedder, await loadKnowledge(config.TENSORDUEL_KNOWLEDGE_DIR), {
      top,
    });
    process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : renderReport(report)}\n`);
  } finally {
    await embedder.dispose();
  }
  return 0;
}

/** Every replica's records when Redis is configured (this host's file while it is unreachable), else the file's. */
async function readRecords(config: Config): Promise<FeedbackState> {
  const local = createStore(config.TENSORDUEL_DB_FILE).feedback;
  const url = config.TENSORDUEL_REDIS_URL;
  if (!url) return local.read();
  // Warnings on stderr (Redis unreachable: this host's records only); stdout stays the report.
  const logger = cliLogger(config, { quiet: true });
  const redis = connectRedis(url, 'bot', silentLogger);
  try {
    await withTimeout(once(redis, 'ready'), 3_000, 'redis not ready').catch(() => undefined);
    return await new RedisFeedback(redis, local, { logger }).read();
  } finally {
    await closeRedis(redis);
  }
}
