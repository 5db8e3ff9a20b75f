/** `tensorduel report [--json] [--top N]`: what users asked that TensorDuel could not answer well, for the team. */
import { loadConfig } from '../config.ts';
import { buildReport, renderReport } from '../core/report.ts';
import { createEmbedder, createStore } from '../infra/build-advisor.ts';
import { loadKnowledge } from '../infra/data-files.ts';
import { parseCommandArgs, requireValue, UsageError } from './args.ts';

/** The `--help` text. */
export const usage = `Usage: tensorduel report [--json] [--top N]

The top unanswered or 👎 questions (grouped by meaning with the sentence encoder), answer rates by intent and the
topics asked most, from the bot's database (TENSORDUEL_DB_FILE). Questions are stored capped and with anything
token-shaped redacted.

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
  const state = await createStore(config.TENSORDUEL_DB_FILE).feedback.read();
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
