/**
 * `npm run bench:harness`: checks the PyTorch runner's clock against torch.utils.benchmark. The runner's `harness`
 * op trains the `mlp` workload with its usual timing loop (first step, warm-up, repetitions × steps, each step
 * timed with perf_counter around a synchronised step), then hands the very same step closure, in the same
 * process, to torch.utils.benchmark.Timer.blocked_autorange. This prints both medians and their relative
 * difference, and exits 1 when they differ by more than the tolerance (default 5%).
 *
 *   npm run bench:harness -- [--runs N] [--workload mlp] [--repeats N] [--steps N] [--threads N] [--tolerance 0.05]
 */
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import type { BenchJob } from '../src/core/bench/port.ts';
import { median, quantile, relativeDifference } from '../src/core/bench/stats.ts';
import { isTrained } from '../src/core/bench/workload.ts';
import { ProcessBenchmarkRunner } from '../src/infra/bench/ProcessBenchmarkRunner.ts';
import { loadWorkloads } from '../src/infra/bench/workloads.ts';

function option(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
}

const runs = Number(option('runs', '1'));
const workloadId = option('workload', 'mlp');
const tolerance = Number(option('tolerance', '0.05'));
const threads = Number(option('threads', '1'));

const config = loadConfig();
const workloads = await loadWorkloads('benchmarks');
const workload = workloads.find((w) => w.id === workloadId);
if (!workload || !isTrained(workload)) {
  console.error(
    `Unknown training workload "${workloadId}". Valid: ${workloads
      .filter(isTrained)
      .map((w) => w.id)
      .join(', ')}.`,
  );
  process.exit(2);
}
const repeats = Number(option('repeats', String(workload.run.repeats)));
const steps = Number(option('steps', String(workload.run.steps)));

const runner = new ProcessBenchmarkRunner({
  workDir: join(config.TENSORDUEL_CACHE_DIR, 'bench'),
  python: config.TENSORDUEL_PYTHON,
});
const job: BenchJob = {
  runner: 'torch',
  workload,
  device: 'auto',
  precision: 'fp32',
  threads,
  repeats,
  steps,
  warmup: workload.run.warmup,
  inferBatch: workload.infer.largeBatch,
  matmulSize: null,
  tfjsBackend: 'auto',
  timeoutS: config.TENSORDUEL_BENCH_TIMEOUT_S,
  fault: 'none',
};

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

const ms = (v: number) => `${v.toFixed(4)} ms`;
let worst = 0;
const results: Array<{ runner: number; timer: number; diff: number }> = [];
for (let run = 1; run <= runs; run++) {
  const outcome = await runner.harness(job, { signal: controller.signal });
  if (outcome.status !== 'ok') {
    console.error(
      `PyTorch ${outcome.status}: ${outcome.reason}${outcome.status === 'failed' && outcome.stderrTail ? `\n${outcome.stderrTail}` : ''}`,
    );
    process.exit(2);
  }
  const { hello, raw } = outcome;
  if (!raw.harness) {
    console.error('The runner did not report a torch.utils.benchmark measurement.');
    process.exit(2);
  }
  const mine = median(raw.train_step_ms);
  const timer = raw.harness.timer_median_ms;
  const diff = relativeDifference(mine, timer);
  worst = Math.max(worst, diff);
  results.push({ runner: mine, timer, diff });
  if (run === 1)
    console.log(
      `PyTorch ${hello.engineVersion} · ${hello.device} · ${hello.backend} · ${hello.threads} thread(s) · ${workload.id} training step (batch ${workload.train.batch}, Adam)`,
    );
  console.log(`run ${run}/${runs}`);
  console.log(
    `  runner median step     ${ms(mine)}  (${raw.train_step_ms.length} timed steps = ${repeats} × ${steps}; p10 ${ms(quantile(raw.train_step_ms, 0.1))}, p90 ${ms(quantile(raw.train_step_ms, 0.9))})`,
  );
  console.log(
    `  torch.utils.benchmark  ${ms(timer)}  (${raw.harness.description}; IQR ${ms(raw.harness.timer_iqr_ms)})`,
  );
  console.log(
    `  difference             ${(diff * 100).toFixed(2)}% ${diff <= tolerance ? '≤' : '>'} ${(tolerance * 100).toFixed(0)}%`,
  );
}
if (runs > 1) {
  const diffs = results.map((r) => r.diff * 100);
  console.log(
    `\n${runs} runs: difference median ${median(diffs).toFixed(2)}%, max ${Math.max(...diffs).toFixed(2)}%`,
  );
}
if (worst > tolerance) {
  console.error(
    `The runner's median differs from torch.utils.benchmark's by ${(worst * 100).toFixed(2)}% (more than ${(tolerance * 100).toFixed(0)}%).`,
  );
  process.exit(1);
}
console.log(`OK: within ${(tolerance * 100).toFixed(0)}%.`);
