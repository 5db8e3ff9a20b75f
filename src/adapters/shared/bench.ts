/** What the chat adapters need to run benchmarks from chat, and the text they share. */
import type { BenchResultDoc } from '../../core/bench/result.ts';
import type { BenchQueue } from '../../core/jobs/BenchQueue.ts';
import { compareResults } from '../../core/jobs/compare.ts';

/** The benchmark queue and its helpers, as wired by src/app/bench-queue.ts. */
export interface ChatBench {
  queue: BenchQueue;
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

/** Usage lines of the benchmark commands; `syntax(command, args)` spells one command for the platform. */
export function benchUsage(syntax: (command: BenchCommand, args: string) => string): string {
  return [
    '**Benchmarks from chat**',
    `- ${syntax('bench', '[workloads] [engines] [cpu|gpu]')}: queue a TensorFlow vs PyTorch run on this host`,
    `- ${syntax('cancel', '[id]')}: cancel your queued or running benchmark`,
    `- ${syntax('results', '[last|id]')}: show a past result again`,
    `- ${syntax('compare', 'id1 id2')}: two runs side by side`,
  ].join('\n');
}

/** The comparison of two stored results, or a message saying which one is missing. */
export async function compareStored(
  queue: BenchQueue,
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
