/**
 * `npm run eval`: intent accuracy, FAQ top-1 accuracy and off-topic rejection on the labelled sets in eval/,
 * for BM25 alone, embeddings alone and the hybrid. Usage: npm run eval [-- --set dev|fresh|fresh2|fresh3|all] [--json]
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../src/config.ts';
import { parseDataFile } from '../src/core/knowledge/validate.ts';
import type { RetrievalMode } from '../src/core/retrieval/KnowledgeIndex.ts';
import { INTENTS } from '../src/core/types.ts';
import { buildAdvisor, createEmbedder } from '../src/infra/build-advisor.ts';

const evalSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      q: z.string(),
      intent: z.enum(INTENTS),
      entry: z.string().optional(),
      accept: z.array(z.string()).optional(),
    }),
  ),
});

const args = process.argv.slice(2);
const setArg = args.includes('--set') ? args[args.indexOf('--set') + 1] : 'all';
// dev is tuned on; fresh, fresh2 and fresh3 are held out (fresh2 and fresh3 written later, without reading the
// knowledge base's alternates).
const sets =
  setArg === 'all'
    ? ['dev', 'fresh', 'fresh2', 'fresh3'].filter((s) => existsSync(`eval/${s}.yaml`))
    : [setArg ?? 'dev'];
const config = loadConfig({ ...process.env, TENSORDUEL_DB_FILE: `/tmp/tensorduel-eval-${process.pid}.json` });
const embedder = createEmbedder(config);

const rows: Array<Record<string, string | number>> = [];
for (const set of sets) {
  const file = `eval/${set}.yaml`;
  const { items } = parseDataFile(evalSchema, file, parse(await readFile(file, 'utf8')));
  for (const mode of ['bm25', 'embedding', 'hybrid'] as RetrievalMode[]) {
    const handle = await buildAdvisor(config, undefined, { embedder, mode });
    let intentOk = 0;
    let faqTotal = 0;
    let faqTop1 = 0;
    let faqAnswered = 0;
    let offTotal = 0;
    let offRejected = 0;
    const misses: string[] = [];
    for (const item of items) {
      const r = await handle.advisor.route(item.q);
      if (r.intent === item.intent) intentOk++;
      if (item.intent === 'faq' && item.entry) {
        faqTotal++;
        const ok = [item.entry, ...(item.accept ?? [])];
        const top = r.ranked[0]?.entry.id ?? '';
        if (ok.includes(top)) faqTop1++;
        else misses.push(`  top1 ${top} ≠ ${item.entry}: ${item.q}`);
        if (r.outcome === 'answer' && ok.includes(top)) faqAnswered++;
        else if (r.outcome === 'answer') misses.push(`  WRONG ANSWER ${top} ≠ ${item.entry}: ${item.q}`);
      }
      if (item.intent === 'unknown') {
        offTotal++;
        if (r.outcome === 'out-of-scope') offRejected++;
        else
          misses.push(
            `  not rejected (${r.outcome} ${r.intent} ${r.ranked[0]?.entry.id} ${r.ranked[0]?.score.toFixed(2)}): ${item.q}`,
          );
      } else if (r.intent !== item.intent) {
        misses.push(`  intent ${r.intent}/${r.outcome} ≠ ${item.intent}: ${item.q}`);
      }
    }
    const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((1000 * a) / b) / 10);
    rows.push({
      set,
      mode,
      items: items.length,
      'intent acc %': pct(intentOk, items.length),
      'faq top-1 %': pct(faqTop1, faqTotal),
      'faq answered right %': pct(faqAnswered, faqTotal),
      'off-topic rejected %': pct(offRejected, offTotal),
    });
    if (args.includes('--misses') && mode === 'hybrid')
      console.log(`${set}/${mode} misses:\n${misses.join('\n')}`);
  }
}
if (args.includes('--json')) console.log(JSON.stringify(rows, null, 2));
else console.table(rows);
await embedder.dispose();
