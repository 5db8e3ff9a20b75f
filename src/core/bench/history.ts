/** The benchmark history in the app state: newest last, capped, read back validated. */
import type { Store } from '../ports.ts';
import { type AppState, capState } from '../state.ts';
import { type BenchResultDoc, benchResultSchema } from './result.ts';

/** Appends a result to the history (oldest dropped beyond the cap). */
export async function recordBenchResult(store: Store<AppState>, doc: BenchResultDoc): Promise<void> {
  await store.update((state) => {
    state.benchmarkResults.push(doc);
    capState(state);
  });
}

/** Past results, newest first; entries that no longer match the schema (older versions) are skipped. */
export async function benchHistory(store: Store<AppState>, limit = 10): Promise<BenchResultDoc[]> {
  const state = await store.read();
  const out: BenchResultDoc[] = [];
  for (const entry of [...state.benchmarkResults].reverse()) {
    const parsed = benchResultSchema.safeParse(entry);
    if (parsed.success) out.push(parsed.data);
    if (out.length >= limit) break;
  }
  return out;
}
