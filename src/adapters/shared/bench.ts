/** What the chat adapters need to run benchmarks from chat, and the text they share. */
import type { BenchResultDoc } from '../../core/bench/result.ts';
import type { BenchQueueApi } from '../../core/jobs/BenchQueue.ts';
import type { BenchRun } from '../../core/jobs/bench-run.ts';
import { compareResults } from '../../core/jobs/compare.ts';

/** The benchmark queue and its helpers, as wired by src/app/bench-queue.ts. */
export interface ChatBench {
  queue: BenchQueueApi;
  /** Workload ids from benchmarks/*.yaml (for parsing `bench mlp cnn`). */
  workloadIds(): Promise<string[]>;
  /** The result's bar chart as a PNG; undefined when it cannot be drawn. */
  chartPng(doc: BenchResultDoc): Promise<Buffer | undefined>;
}

/** The benchmark sub-commands of `/tensorduel` (Slack) and slash commands (Discord). */
export const BENCH_COMMANDS = ['bench', 'cancel', 'results', 'compare'] as const;
/** One benchmark command. */
export type BenchCommand = (typeof BENCH_COMMANDS)[number];

/** True for a benchmark command. */
export function isBenchCommand(name: string): name is BenchCommand {
  return (BENCH_COMMANDS as readonly string[]).includes(name);
}

/** The comparison of two stored results, or a message saying which one is missing. */
export async function compareStored(
  queue: BenchQueueApi,
  first: string | undefined,
  second: string | undefined,
): Promise<{ ok: true; title: string; table: string; notes: string[] } | { ok: false; message: string }> {
  if (!first || !second) return { ok: false, message: 'Name two runs to compare, e.g. `compare b1 b2`.' };
  const a = await queue.result(first);
  if (!a.ok) return a;
  const b = await queue.result(second);
  if (!b.ok) return b;
  return { ok: true, ...compareResults(a.value, b.value, { a: first, b: second }) };
}

/**
 * The status text of a run cut off by a restart. When what finished before it was kept (a partial result), the
 * status says so and where to see it (`results` spells the platform's command), so that the status message
 * and `results` tell one story.
 * @deprecated Use `ChatMessages#interruptedStatus` (messages.ts).
 */
export function interruptedStatus(run: BenchRun, text: string, results: string): string {
  if (run.status !== 'interrupted' || !run.resultId) return text;
  const kept = `what finished before the restart is kept as a partial result (\`${results} ${run.id}\`); run it again for the full result.`;
  const replaced = text.replace(/run it again to get results\.?$/, kept);
  return replaced === text ? `${text} ${kept[0]?.toUpperCase()}${kept.slice(1)}` : replaced;
}

/**
 * The requester's notice when a restart cut a run off; `bench` and `results` spell the platform's commands.
 * @deprecated Use `ChatMessages#interruptedNotice` (messages.ts), which spells them from the platform's syntax.
 */
export function interruptedNotice(run: BenchRun, bench: string, results: string): string {
  const kept = run.resultId
    ? ` What finished before it is kept as a partial result: \`${results} ${run.id}\`.`
    : '';
  return `your benchmark \`${run.id}\` was interrupted by a restart of TensorDuel.${kept} Start it again with \`${bench}\`.`;
}

/** The line shown above a result whose run was cut off (cancelled or interrupted); undefined for a whole one. */
export function partialNote(doc: BenchResultDoc): string | undefined {
  if (doc.completed) return undefined;
  return '⚠️ **Partial result:** this run was cut off (cancelled, or interrupted by a restart) before every run finished; the runs that did not finish show as failed (cancelled).';
}
