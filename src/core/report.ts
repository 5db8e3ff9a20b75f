/**
 * The admin report: what users asked that TensorDuel could not answer well (clustered by the sentence encoder),
 * answer rates by intent, and the topics asked most. This is how a team finds the gaps in the knowledge base.
 */
import type { KnowledgeEntry } from './knowledge/schema.ts';
import type { Embedder } from './ports.ts';
import { expandForEmbedding } from './retrieval/text.ts';
import { dot } from './retrieval/vectors.ts';
import type { FeedbackState, UnansweredRecord } from './state.ts';

/** One cluster of similar unanswered messages. */
export interface UnansweredCluster {
  count: number;
  /** Up to three messages of the cluster, newest first. */
  examples: string[];
  reasons: Partial<Record<UnansweredRecord['reason'], number>>;
  /** The entry most of them were closest to, if any. */
  nearest?: string;
}

/** The report's figures. */
export interface AdminReport {
  unanswered: UnansweredCluster[];
  rates: Array<{ intent: string; total: number; answered: number; rate: number }>;
  topics: Array<{ id: string; title: string; count: number }>;
  /** How many unanswered records the report read. */
  records: number;
}

/** Messages at least this similar to a cluster's centroid join it (MiniLM puts rewordings of one question at 0.55–0.7). */
const CLUSTER_COSINE = 0.55;

/** Builds the report from the feedback repository's state; `embedder` clusters the unanswered messages. */
export async function buildReport(
  state: Pick<FeedbackState, 'unanswered' | 'stats'>,
  embedder: Embedder,
  knowledge: readonly KnowledgeEntry[],
  options: { top?: number } = {},
): Promise<AdminReport> {
  const top = options.top ?? 10;
  const records = [...state.unanswered].reverse();
  const vectors =
    records.length > 0 ? await embedder.embed(records.map((r) => expandForEmbedding(r.question))) : [];
  const clusters: Array<{ centroid: Float32Array; members: UnansweredRecord[] }> = [];
  records.forEach((r, i) => {
    const v = vectors[i] as Float32Array;
    let best: (typeof clusters)[number] | undefined;
    let bestSim = CLUSTER_COSINE;
    for (const c of clusters) {
      const sim = dot(v, c.centroid);
      if (sim >= bestSim) {
        best = c;
        bestSim = sim;
      }
    }
    if (best) {
      best.members.push(r);
      // Running mean of unit vectors, renormalised, so the centroid stays comparable by dot product.
      const n = best.members.length;
      const next = best.centroid.map((x, k) => (x * (n - 1) + (v[k] ?? 0)) / n);
      const norm = Math.hypot(...next) || 1;
      best.centroid = next.map((x) => x / norm);
    } else clusters.push({ centroid: Float32Array.from(v), members: [r] });
  });
  const unanswered = clusters
    .map((c) => {
      const reasons: UnansweredCluster['reasons'] = {};
      const near = new Map<string, number>();
      for (const m of c.members) {
        reasons[m.reason] = (reasons[m.reason] ?? 0) + 1;
        if (m.topic) near.set(m.topic, (near.get(m.topic) ?? 0) + 1);
      }
      const nearest = [...near.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      return {
        count: c.members.length,
        examples: [...new Set(c.members.map((m) => m.question))].slice(0, 3),
        reasons,
        ...(nearest ? { nearest } : {}),
      };
    })
    .sort((a, b) => b.count - a.count)
    .slice(0, top);
  const rates = Object.entries(state.stats.byIntent)
    .map(([intent, s]) => ({ intent, ...s, rate: s.total === 0 ? 0 : s.answered / s.total }))
    .sort((a, b) => b.total - a.total);
  const titles = new Map(knowledge.map((e) => [e.id, e.title]));
  const topics = Object.entries(state.stats.topics)
    .map(([id, count]) => ({ id, title: titles.get(id) ?? id, count }))
    .sort((a, b) => b.count - a.count)
    .slice(0, top);
  return { unanswered, rates, topics, records: records.length };
}

/**
 * The report as chat Markdown (the reply subset: **bold**, `code`, "- " bullets).
 * @example renderReport(report) // → '**Unanswered or 👎 (12 messages, 3 groups)**\n- 5× "does it run on m1?" …'
 */
export function renderReport(r: AdminReport): string {
  const lines: string[] = [];
  lines.push(`**Unanswered or 👎 (${r.records} messages, ${r.unanswered.length} groups shown)**`);
  if (r.unanswered.length === 0) lines.push('- nothing yet');
  for (const c of r.unanswered) {
    const why = Object.entries(c.reasons)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    lines.push(
      `- ${c.count}× "${c.examples.join('" · "')}" (${why}${c.nearest ? `; nearest: \`${c.nearest}\`` : ''})`,
    );
  }
  lines.push('', '**Answer rate by intent**');
  if (r.rates.length === 0) lines.push('- nothing yet');
  for (const x of r.rates)
    lines.push(`- ${x.intent}: ${x.answered}/${x.total} answered (${Math.round(100 * x.rate)}%)`);
  lines.push('', '**Topics asked most**');
  if (r.topics.length === 0) lines.push('- nothing yet');
  for (const t of r.topics) lines.push(`- ${t.title} (\`${t.id}\`): ${t.count}`);
  return lines.join('\n');
}
