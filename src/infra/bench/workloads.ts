/** Loads and validates the benchmark workload specs (benchmarks/*.yaml). */
import { buildWorkloads, type WorkloadSpec } from '../../core/bench/workload.ts';
import { readDataDir } from '../data-files.ts';

/** The validated workloads in `dir` (default `benchmarks`); a bad file throws a DataFileError naming file and field. */
export async function loadWorkloads(dir = 'benchmarks'): Promise<WorkloadSpec[]> {
  const order = ['mlp', 'cnn', 'transformer', 'matmul'];
  const workloads = buildWorkloads(await readDataDir(dir));
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return workloads.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
}
