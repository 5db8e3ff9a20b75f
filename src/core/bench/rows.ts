/** Result rows from runner outcomes: every statistic is computed here from raw samples, for every engine alike. */
import { blasWarning } from './blas.ts';
import { RUNNER_INFO } from './engines.ts';
import { lossTrace } from './equivalence.ts';
import { cpuPeakEstimate, gpuPeak, type PeakEstimate } from './peaks.ts';
import type { BenchJob, JobOutcome } from './port.ts';
import type { RawMeasurements } from './protocol.ts';
import { type BenchEnvironment, type BenchRow, emptyMetrics } from './result.ts';
import { median, quantile, range } from './stats.ts';
import { isTrained } from './workload.ts';

const nullable = (v: number): number | null => (Number.isFinite(v) ? v : null);

function matmulPeak(
  row: Pick<BenchRow, 'device' | 'deviceName' | 'precision' | 'threads'>,
  env: BenchEnvironment,
): PeakEstimate {
  if (row.device === 'cuda') {
    // Engines may not name the GPU; nvidia-smi's name is the fallback (it is what the datasheet table matches).
    const named = row.deviceName && gpuPeak(row.deviceName, row.precision).tflops !== null;
    return gpuPeak((named ? row.deviceName : env.gpus[0]?.name) ?? row.deviceName ?? '', row.precision);
  }
  return cpuPeakEstimate({
    threads: row.threads ?? 1,
    mhz: env.cpu.mhz,
    maxMhz: env.cpu.maxMhz,
    vendor: env.cpu.vendor,
    family: env.cpu.family,
    modelNumber: env.cpu.modelNumber,
    modelName: env.cpu.model,
    simd: env.cpu.simd,
  });
}

type Ok = Extract<JobOutcome, { status: 'ok' }>;

/** Per-repetition throughputs of one process. */
function perRepeat(job: BenchJob, raw: RawMeasurements, device: BenchRow['device']) {
  const w = job.workload;
  // Per repetition: batch / its median step. A shared host preempts single steps for milliseconds, which moves
  // a repetition's wall time (a mean) but not its median step; the wall time is the fallback without steps.
  const perStep = raw.train_step_ms.length === raw.train_repeat_ms.length * job.steps && job.steps > 0;
  const train = !isTrained(w)
    ? []
    : perStep
      ? raw.train_repeat_ms.map(
          (_, r) =>
            (w.train.batch * 1000) / median(raw.train_step_ms.slice(r * job.steps, (r + 1) * job.steps)),
        )
      : raw.train_repeat_ms.map((ms) => (job.steps * w.train.batch) / (ms / 1000));
  const infer = raw.infer_repeat_ms.map((ms) => (raw.infer_iters * job.inferBatch) / (ms / 1000));
  let tflops: number[] = [];
  let n: number | null = null;
  if (!isTrained(w)) {
    n = job.matmulSize ?? (device === 'cuda' ? w.size.cuda : w.size.cpu);
    const flop = 2 * n ** 3;
    const count = raw.matmul_iters > 0 ? raw.matmul_iters : job.steps;
    tflops = raw.matmul_repeat_ms.map((ms) => (count * flop) / (ms / 1000) / 1e12);
  }
  return { train, infer, tflops, n };
}

/** min/max of the per-process medians (the spread across processes), or of the repetitions with one process. */
function spread(perProcessMedians: number[], allReps: number[]) {
  return perProcessMedians.length > 1 ? range(perProcessMedians) : range(allReps);
}

/**
 * A result row from the outcomes of one job's processes. Medians pool every repetition of every process;
 * the min–max next to them is the spread of the per-process medians (with one process: of its repetitions).
 */
export function buildRow(
  job: BenchJob,
  outcomes: JobOutcome | readonly JobOutcome[],
  env: BenchEnvironment,
): BenchRow {
  const all = Array.isArray(outcomes) ? [...outcomes] : [outcomes as JobOutcome];
  const info = RUNNER_INFO[job.runner];
  const w = job.workload;
  const oks = all.filter((o): o is Ok => o.status === 'ok');
  const first: JobOutcome = oks[0] ??
    all.find((o) => o.status === 'failed') ??
    all[0] ?? {
      status: 'failed',
      reason: 'not run',
      stderrTail: '',
      hello: null,
    };
  const hello = first.hello ?? all.find((o) => o.hello)?.hello ?? null;
  const row: BenchRow = {
    workload: w.id,
    engine: info.engine,
    runner: job.runner,
    label: info.label,
    engineVersion: hello?.engineVersion ?? null,
    backend: hello?.backend ?? null,
    device: hello?.device ?? null,
    deviceName: hello?.deviceName ?? null,
    precision: job.precision,
    tf32: hello?.tf32 ?? null,
    threads: hello?.threads ?? null,
    mode: hello?.mode ?? null,
    driver: hello?.driver ?? null,
    cuda: hello?.cuda ?? null,
    status: first.status,
    reason: first.status === 'ok' ? null : first.reason,
    installHint: first.status === 'unavailable' ? info.installHint : null,
    stderrTail: first.status === 'failed' ? first.stderrTail : null,
    repeats: job.repeats,
    stepsPerRepeat: job.steps,
    batch: isTrained(w) && info.trains ? w.train.batch : null,
    inferBatch: isTrained(w) ? job.inferBatch : null,
    stepsTrained: null,
    matmulSize: null,
    peakTflops: null,
    peakSource: null,
    memoryKind: null,
    metrics: emptyMetrics(),
    notes: [],
    flags: [],
    processes: oks.length,
    perProcess: [],
    lossTrace: [],
    blas: hello?.blas ?? null,
    warnings: [],
  };
  const warning = row.device === 'cpu' ? blasWarning(row.blas, env.cpu.simd) : null;
  if (warning) row.warnings.push(warning);
  if (oks.length === 0) return row;
  const failed = all.filter((o) => o.status !== 'ok');
  const head = oks[0] as Ok;
  const raw = head.raw;
  const m = row.metrics;
  row.stepsTrained = raw.steps_trained;
  row.notes = [...new Set(oks.flatMap((o) => o.raw.notes))];
  if (failed.length > 0)
    row.notes.push(
      `${failed.length} of ${all.length} processes did not finish (${failed[0]?.status === 'ok' ? '' : failed[0]?.reason}); figures are from the other ${oks.length}`,
    );
  row.memoryKind = raw.memory_kind;
  row.lossTrace = lossTrace(raw.losses);
  m.first_loss = raw.first_loss;
  m.final_loss = raw.final_loss;
  m.weight_delta_norm = raw.weight_delta_norm;
  m.first_step_ms = nullable(
    median(oks.map((o) => o.raw.first_step_ms).filter((v): v is number => v !== null)),
  );
  m.first_infer_ms = nullable(
    median(oks.map((o) => o.raw.first_infer_ms).filter((v): v is number => v !== null)),
  );
  m.compile_ms = nullable(median(oks.map((o) => o.raw.compile_ms).filter((v): v is number => v !== null)));
  m.peak_memory_mb = nullable(
    Math.max(...oks.map((o) => o.raw.peak_memory_mb ?? Number.NaN).filter(Number.isFinite)),
  );
  const reps = oks.map((o) => perRepeat(job, o.raw, row.device));
  const procMedian = (k: 'train' | 'infer' | 'tflops') =>
    reps.map((r) => median(r[k])).filter((v) => Number.isFinite(v));
  row.perProcess = oks.map((o, i) => ({
    train_samples_per_s: nullable(median(reps[i]?.train ?? [])),
    infer_latency_ms_p50: nullable(quantile(o.raw.infer_latency_ms, 0.5)),
    infer_samples_per_s: nullable(median(reps[i]?.infer ?? [])),
    tflops: nullable(median(reps[i]?.tflops ?? [])),
  }));
  if (isTrained(w)) {
    const train = reps.flatMap((r) => r.train);
    if (train.length > 0) {
      m.train_samples_per_s = nullable(median(train));
      const s = spread(procMedian('train'), train);
      m.train_samples_per_s_min = s?.min ?? null;
      m.train_samples_per_s_max = s?.max ?? null;
      const steps = oks.flatMap((o) => o.raw.train_step_ms);
      m.train_step_ms_p50 = nullable(quantile(steps, 0.5));
      m.train_step_ms_p90 = nullable(quantile(steps, 0.9));
    }
    const latency = oks.flatMap((o) => o.raw.infer_latency_ms);
    m.infer_latency_ms_p50 = nullable(quantile(latency, 0.5));
    m.infer_latency_ms_p99 = nullable(quantile(latency, 0.99));
    const infer = reps.flatMap((r) => r.infer);
    if (infer.length > 0) {
      m.infer_samples_per_s = nullable(median(infer));
      const s = spread(procMedian('infer'), infer);
      m.infer_samples_per_s_min = s?.min ?? null;
      m.infer_samples_per_s_max = s?.max ?? null;
    }
  } else {
    row.matmulSize = reps[0]?.n ?? null;
    const tflops = reps.flatMap((r) => r.tflops);
    m.tflops = nullable(median(tflops));
    const s = spread(procMedian('tflops'), tflops);
    m.tflops_min = s?.min ?? null;
    m.tflops_max = s?.max ?? null;
    const peak = matmulPeak(row, env);
    row.peakTflops = peak.tflops;
    row.peakSource = peak.source;
    if (peak.tflops && m.tflops !== null && m.tflops > peak.tflops)
      row.flags.push(
        `measured ${m.tflops.toFixed(3)} TFLOP/s is ${((100 * m.tflops) / peak.tflops).toFixed(0)}% of the nominal peak: the estimate is too low for this host (boost clock above the reported one), not a faster-than-possible GEMM`,
      );
  }
  return row;
}
