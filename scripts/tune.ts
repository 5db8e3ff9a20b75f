/**
 * Grid search of fusion weights and thresholds on eval/dev.yaml only (eval/fresh.yaml stays held out).
 * Prints the best settings by: FAQ answered right + off-topic rejected + intent accuracy, wrong answers penalised.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { loadConfig } from '../src/config.ts';
import { Advisor, DEFAULT_THRESHOLDS } from '../src/core/Advisor.ts';
import { IntentRouter } from '../src/core/intents/IntentRouter.ts';
import type { Embedder } from '../src/core/ports.ts';
import { silentLogger, systemClock } from '../src/core/ports.ts';
import { KnowledgeIndex } from '../src/core/retrieval/KnowledgeIndex.ts';
import { createEmbedder, createStore } from '../src/infra/build-advisor.ts';
import { loadIntents, loadKnowledge } from '../src/infra/data-files.ts';
import { CachingEmbedder } from '../src/infra/embedders/CachingEmbedder.ts';

type Item = { q: string; intent: string; entry?: string; accept?: string[] };
const items = (parse(await readFile('eval/dev.yaml', 'utf8')) as { items: Item[] }).items;
const config = loadConfig(process.env);
const inner = createEmbedder(config);
const memo = new Map<string, Float32Array>();
const cached = new CachingEmbedder(inner, `${config.TENSORDUEL_CACHE_DIR}/embeddings`);
const queries: Embedder = {
  modelId: inner.modelId,
  get dimensions() {
    return inner.dimensions;
  },
  ready: () => inner.ready(),
  dispose: () => inner.dispose(),
  embed: async (texts) => {
    const missing = texts.filter((t) => !memo.has(t));
    const fresh = missing.length ? await inner.embed(missing) : [];
    for (const [i, v] of fresh.entries()) memo.set(missing[i] as string, v);
    return texts.map((t) => memo.get(t) as Float32Array);
  },
};
const [kb, intents] = await Promise.all([loadKnowledge('knowledge'), loadIntents('intents')]);
const router = await IntentRouter.build(intents, kb, cached);
const store = createStore(`/tmp/tune-${process.pid}.json`);
const results: Array<{ score: number; line: string }> = [];
for (const embeddingWeight of [0.55, 0.65, 0.75]) {
  for (const answerWeight of [0.8, 0.9]) {
    const index = await KnowledgeIndex.build(kb, cached, {
      embeddingWeight,
      answerWeight,
      focusPenalty: 0.1,
    });
    for (const answer of [0.45, 0.5, 0.55, 0.6]) {
      for (const margin of [0.0, 0.03, 0.06]) {
        for (const suggest of [0.35, 0.4, 0.45]) {
          for (const intent of [0.5, 0.55, 0.6]) {
            const t = { ...DEFAULT_THRESHOLDS, answer, margin, suggest, intent };
            const advisor = new Advisor({
              index,
              router,
              embedder: queries,
              store,
              clock: systemClock,
              logger: silentLogger,
              thresholds: t,
            });
            let right = 0,
              wrong = 0,
              faq = 0,
              off = 0,
              rej = 0,
              intentOk = 0;
            for (const it of items) {
              const r = await advisor.route(it.q);
              if (r.intent === it.intent) intentOk++;
              if (it.intent === 'faq') {
                faq++;
                const ok = [it.entry, ...(it.accept ?? [])].includes(r.ranked[0]?.entry.id);
                if (r.outcome === 'answer') ok ? right++ : wrong++;
              }
              if (it.intent === 'unknown') {
                off++;
                if (r.outcome === 'out-of-scope') rej++;
              }
            }
            const score = right / faq + rej / off + intentOk / items.length - (3 * wrong) / faq;
            results.push({
              score,
              line: `ew=${embeddingWeight} aw=${answerWeight} ans=${answer} m=${margin} sug=${suggest} int=${intent}: answered-right ${right}/${faq} wrong ${wrong} rejected ${rej}/${off} intent ${intentOk}/${items.length}`,
            });
          }
        }
      }
    }
  }
}
results.sort((a, b) => b.score - a.score);
for (const r of results.slice(0, 12)) console.log(r.score.toFixed(3), r.line);
