/** The benchmark history in the results repository: newest last, capped, read back validated. */
import type { ResultRepository } from '../ports.ts';
import { type BenchResultDoc, benchResultSchema } from './result.ts';

/** Adds a result to the history (the oldest dropped beyond the cap). */
export async function recordBenchResult(results: ResultRepository, doc: BenchResultDoc): Promise<void> {
  await results.add(doc);
}

/** Past results, newest first; entries that no longer match the schema (older versions) are skipped. */
export async function benchHistory(results: ResultRepository, limit = 10): Promise<BenchResultDoc[]> {
  const out: BenchResultDoc[] = [];
  for (const entry of (await results.list()).reverse()) {
    const parsed = benchResultSchema.safeParse(entry);
    if (parsed.success) out.push(parsed.data);
    if (out.length >= limit) break;
  }
  return out;
}
