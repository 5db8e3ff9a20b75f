/**
 * `npm run eval`: whole replies on the labelled sets in eval/ (eval/README.md): answered right / offered / wrong /
 * rejected per set and intent, verdict accuracy, dialogue-turn accuracy.
 * Usage: npm run eval [-- --set dev,dev-dialogues|all] [--misses] [--json] [--typos]
 * --typos: every single message gets one realistic typo (src/core/nlu/augment.ts, seeded) before it is sent.
 * The encoder is the configured one (TENSORDUEL_EMBEDDER=use-lite|transformers).
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../src/config.ts';
import { type EvalSummary, headline, runEval } from '../src/core/eval/run.ts';
import { parseDataFile } from '../src/core/knowledge/validate.ts';
import { augment } from '../src/core/nlu/augment.ts';
import { buildAdvisor } from '../src/infra/build-advisor.ts';

const expectation = {
  intent: z.enum(['faq', 'recommend', 'benchmark', 'help', 'smalltalk', 'unknown']),
  entry: z.string().optional(),
  accept: z.array(z.string()).optional(),
  verdict: z.enum(['tensorflow', 'pytorch', 'either', 'ask']).optional(),
};
const evalSchema = z.union([
  z.strictObject({ items: z.array(z.strictObject({ q: z.string(), ...expectation })) }),
  z.strictObject({
    dialogues: z.array(
      z.strictObject({
        id: z.string(),
        turns: z.array(z.strictObject({ say: z.string(), expect: z.strictObject(expectation) })),
      }),
    ),
  }),
]);

const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'all' },
    misses: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    typos: { type: 'boolean', default: false },
  },
});
const all = readdirSync('eval')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();
const sets = values.set === 'all' ? all : (values.set ?? '').split(',').filter(Boolean);
const config = loadConfig({ ...process.env, TENSORDUEL_DB_FILE: `/tmp/tensorduel-eval-${process.pid}.json` });
const t0 = performance.now();
const handle = await buildAdvisor(config);
const loadS = (performance.now() - t0) / 1000;
const idOfTitle = new Map(handle.knowledge.map((e) => [e.title, e.id]));
const rows: Array<Record<string, string | number>> = [];
const details: Record<string, EvalSummary> = {};
for (const set of sets) {
  const file = `eval/${set}.yaml`;
  const parsed = parseDataFile(evalSchema, file, parse(await readFile(file, 'utf8')));
  const words = (t: string) =>
    t
      .toLowerCase()
      .match(/[a-z0-9]+/g)
      ?.join(' ') ?? '';
  // A variant with a misspelled word (not just a nickname, prefix or dropped punctuation).
  const withTypo = (q: string, seed: number) =>
    augment(q, seed, { count: 8 }).find(
      (v) =>
        !/^(@TensorDuel|hey)\b/.test(v) &&
        words(v) !== words(q) &&
        words(v).split(' ').length === words(q).split(' ').length &&
        !/\b(tf|tf2|torch|pt|keras)\b/i.test(v.replace(q, '')),
    ) ?? q;
  const data =
    values.typos && 'items' in parsed
      ? { items: parsed.items.map((it, i) => ({ ...it, q: withTypo(it.q, i + 1) })) }
      : parsed;
  const summary = await runEval(handle.advisor, data, (t) => idOfTitle.get(t), `eval-${set}`);
  details[set] = summary;
  rows.push({
    set: values.typos ? `${set} +typos` : set,
    kind: 'items' in data ? 'single' : 'dialogue',
    ...headline(summary),
  });
  if (values.misses) console.log(`${set} misses:\n  ${summary.misses.join('\n  ')}`);
}
if (values.json) console.log(JSON.stringify({ encoder: handle.embedder.modelId, rows, details }, null, 2));
else {
  console.log(
    `encoder ${handle.embedder.modelId}; model ${handle.nlu.trained ? `trained now in ${(handle.nlu.trainMs / 1000).toFixed(1)} s` : 'from cache'} (${handle.nlu.key}); load ${loadS.toFixed(1)} s`,
  );
  console.log(`calibration ${JSON.stringify(handle.nlu.calibration)}`);
  const slots = handle.nlu.slotCalibration;
  if (slots) console.log(`slot model ${JSON.stringify(slots)}`);
  const turn = handle.nlu.turnCalibration;
  if (turn) console.log(`turn head ${JSON.stringify(turn)}`);
  console.log(`route head ${JSON.stringify(handle.nlu.routeCalibration)}`);
  console.table(rows);
}
await handle.close();
