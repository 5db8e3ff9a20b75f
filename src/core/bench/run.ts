/** runBenchmark: plans (workload × runner × precision) jobs, runs them one after another, and builds the result document. */
import { ErrorCode, UserError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import { systemClock } from '../ports.ts';
import { ENGINES, type EngineId, RUNNER_INFO, type RunnerId, runnersFor } from './engines.ts';
import { cpuPeakEstimate, gpuPeak, type PeakEstimate } from './peaks.ts';
import type { BenchJob, BenchmarkRunner, JobOutcome } from './port.ts';
import type { RawMeasurements, RunnerHello } from './protocol.ts';
import {
  BENCH_RESULT_VERSION,
  type BenchEnvironment,
  type BenchResultDoc,
  type BenchRow,
  type BenchSettings,
  emptyMetrics,
} from './result.ts';
import { median, quantile, range, relativeDifference } from './stats.ts';
import { isTrained, type Precision, type WorkloadSpec } from './workload.ts';

/** What a caller may ask for; everything is optional. */
export interface BenchRequest {
  /** Workload ids (default: all loaded workloads). */
  workloads?: readonly string[];
  /** Engines (default: all). */
  engines?: readonly string[];
  device?: 'auto' | 'cpu' | 'cuda';
  /** Repetitions (default 5; fewer than 5 is allowed for smoke tests and noted in the document). */
  repeats?: number;
  /** Timed steps per repetition (default: each workload's own). */
  steps?: number;
  /** Untimed warm-up steps after the first step (default: each workload's own). */
  warmup?: number;
  /** Threads for every engine (default 1: TF.js wasm in Node is single-threaded, so this keeps runs like-for-like). */
  threads?: number;
  /** Precisions for the training workloads (default: each workload's list). */
  precisions?: readonly Precision[];
  /** Also run PyTorch with torch.compile. */
  compile?: boolean;
  /** Overrides the large inference batch. */
  inferBatch?: number;
  /** Overrides matmul N. */
  matmulSize?: number;
  /** TF.js backend preference (default auto). */
  tfjsBackend?: string;
  /** Per-run time limit in seconds (default 600). */
  timeoutS?: number;
  /** Fault injection for tests: runner → fault. */
  faults?: Partial<Record<RunnerId, BenchJob['fault']>>;
}

/** A progress event: job boundaries and runner phases, with an overall fraction for progress bars. */
export interface BenchProgress {
  kind: 'start' | 'job-start' | 'job-progress' | 'job-done' | 'done';
  jobIndex: number;
  jobCount: number;
  workload: string | null;
  runner: RunnerId | null;
  precision: Precision | null;
  phase: string | null;
  /** Overall completion 0..1. */
  fraction: number;
  /** A one-line description, e.g. "mlp · PyTorch · fp32 · train 20/50". */
  message: string;
  /** The finished row, on job-done. */
  row?: BenchRow;
}

/** Dependencies of runBenchmark. */
export interface RunBenchmarkDeps {
  runner: BenchmarkRunner;
  workloads: readonly WorkloadSpec[];
  clock?: Clock;
  newId?: () => string;
  onProgress?: (event: BenchProgress) => void;
  /** Aborting stops the current run (its process group is killed) and marks the remaining rows cancelled. */
  signal?: AbortSignal;
}

/** A request with names checked and defaults applied. */
export interface ResolvedRequest {
  workloads: WorkloadSpec[];
  engines: EngineId[];
  settings: BenchSettings;
  request: BenchRequest;
}

function splitNames(values: readonly string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
}

/** Checks workload and engine names and numeric settings; a bad one is a UserError listing the valid values. */
export function resolveBenchRequest(
  request: BenchRequest,
  workloads: readonly WorkloadSpec[],
): ResolvedRequest {
  const validWorkloads = workloads.map((w) => w.id);
  const wantedWorkloads = splitNames(request.workloads) ?? validWorkloads;
  const unknownW = wantedWorkloads.filter((w) => !validWorkloads.includes(w));
  if (unknownW.length > 0 || wantedWorkloads.length === 0)
    throw new UserError(
      ErrorCode.InvalidInput,
      `Unknown workload ${unknownW.map((w) => `"${w}"`).join(', ') || '(none given)'}. Valid workloads: ${validWorkloads.join(', ')}.`,
    );
  const wantedEngines = splitNames(request.engines) ?? [...ENGINES];
  const unknownE = wantedEngines.filter((e) => !(ENGINES as readonly string[]).includes(e));
  if (unknownE.length > 0 || wantedEngines.length === 0)
    throw new UserError(
      ErrorCode.InvalidInput,
      `Unknown engine ${unknownE.map((e) => `"${e}"`).join(', ') || '(none given)'}. Valid engines: ${ENGINES.join(', ')}.`,
    );
  const positive = (name: string, v: number | undefined, min = 1) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min))
      throw new UserError(ErrorCode.InvalidInput, `${name} must be an integer ≥ ${min} (got ${v}).`);
  };
  positive('repeats', request.repeats);
  positive('steps', request.steps);
  positive('warmup', request.warmup, 0);
  positive('threads', request.threads);
  positive('inferBatch', request.inferBatch);
  positive('matmulSize', request.matmulSize);
  if (request.timeoutS !== undefined && !(request.timeoutS > 0))
    throw new UserError(ErrorCode.InvalidInput, `timeout must be > 0 seconds (got ${request.timeoutS}).`);
  const device = request.device ?? 'auto';
  if (!['auto', 'cpu', 'cuda'].includes(device))
    throw new UserError(
      ErrorCode.InvalidInput,
      `Unknown device "${device}". Valid devices: auto, cpu, cuda.`,
    );
  const engines = ENGINES.filter((e) => wantedEngines.includes(e));
  return {
    workloads: workloads.filter((w) => wantedWorkloads.includes(w.id)),
    engines,
    request,
    settings: {
      workloads: workloads.filter((w) => wantedWorkloads.includes(w.id)).map((w) => w.id),
      engines,
      device,
      repeats: request.repeats ?? 5,
      steps: request.steps ?? null,
      warmup: request.warmup ?? null,
      threads: request.threads ?? 1,
      compile: request.compile ?? false,
      timeoutS: request.timeoutS ?? 600,
    },
  };
}

/** The jobs of a resolved request, in execution order, and notes on what was skipped and why. */
export function planJobs(
  resolved: ResolvedRequest,
  environment: BenchEnvironment,
): { jobs: BenchJob[]; notes: string[] } {
  const { settings, request } = resolved;
  const gpu = settings.device === 'cuda' || (settings.device === 'auto' && environment.gpus.length > 0);
  const notes: string[] = [];
  const jobs: BenchJob[] = [];
  const runners = resolved.engines.flatMap((e) => runnersFor(e, { compile: settings.compile }));
  for (const w of resolved.workloads) {
    const wanted = isTrained(w) ? (request.precisions ?? w.precisions) : w.precisions;
    const precisions = wanted.filter((p) => gpu || p === 'fp32');
    const skipped = wanted.filter((p) => !precisions.includes(p));
    if (skipped.length > 0)
      notes.push(`${w.id}: ${skipped.join(', ')} skipped: TF32 and bf16 tensor-core math need a CUDA GPU.`);
    for (const precision of precisions)
      for (const runner of runners)
        jobs.push({
          runner,
          workload: w,
          device: settings.device,
          precision,
          threads: settings.threads,
          repeats: settings.repeats,
          steps: settings.steps ?? w.run.steps,
          warmup: settings.warmup ?? w.run.warmup,
          inferBatch: request.inferBatch ?? (isTrained(w) ? w.infer.largeBatch : 1),
          matmulSize: request.matmulSize ?? null,
          tfjsBackend: request.tfjsBackend ?? 'auto',
          timeoutS: settings.timeoutS,
          fault: request.faults?.[runner] ?? 'none',
        });
  }
  if (settings.repeats < 5)
    notes.push(`Only ${settings.repeats} repetition(s): fewer than 5, so the spread is not meaningful.`);
  return { jobs, notes };
}

const nullable = (v: number): number | null => (Number.isFinite(v) ? v : null);

function matmulPeak(
  row: Pick<BenchRow, 'device' | 'deviceName' | 'precision' | 'threads'>,
  env: BenchEnvironment,
): PeakEstimate {
  if (row.device === 'cuda') return gpuPeak(row.deviceName ?? env.gpus[0]?.name ?? '', row.precision);
  return cpuPeakEstimate({
    threads: row.threads ?? 1,
    mhz: env.cpu.mhz,
    avx2: env.cpu.simd.includes('avx2') && env.cpu.simd.includes('fma'),
    avx512: env.cpu.simd.includes('avx512f'),
  });
}

/** A result row from one job's outcome: every statistic is computed here from the raw samples. */
export function buildRow(job: BenchJob, outcome: JobOutcome, env: BenchEnvironment): BenchRow {
  const info = RUNNER_INFO[job.runner];
  const w = job.workload;
  const hello: RunnerHello | null = outcome.hello;
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
    status: outcome.status,
    reason: outcome.status === 'ok' ? null : outcome.reason,
    installHint: outcome.status === 'unavailable' ? info.installHint : null,
    stderrTail: outcome.status === 'failed' ? outcome.stderrTail : null,
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
  };
  if (outcome.status !== 'ok') return row;
  const raw: RawMeasurements = outcome.raw;
  const m = row.metrics;
  row.stepsTrained = raw.steps_trained;
  row.notes = [...raw.notes];
  row.memoryKind = raw.memory_kind;
  m.first_step_ms = raw.first_step_ms;
  m.first_infer_ms = raw.first_infer_ms;
  m.first_loss = raw.first_loss;
  m.final_loss = raw.final_loss;
  m.peak_memory_mb = raw.peak_memory_mb;
  if (isTrained(w)) {
    if (raw.train_repeat_ms.length > 0) {
      const perRepeat = raw.train_repeat_ms.map((ms) => (job.steps * w.train.batch) / (ms / 1000));
      m.train_samples_per_s = nullable(median(perRepeat));
      m.train_samples_per_s_min = range(perRepeat)?.min ?? null;
      m.train_samples_per_s_max = range(perRepeat)?.max ?? null;
      m.train_step_ms_p50 = nullable(quantile(raw.train_step_ms, 0.5));
      m.train_step_ms_p90 = nullable(quantile(raw.train_step_ms, 0.9));
    }
    m.infer_latency_ms_p50 = nullable(quantile(raw.infer_latency_ms, 0.5));
    m.infer_latency_ms_p99 = nullable(quantile(raw.infer_latency_ms, 0.99));
    if (raw.infer_repeat_ms.length > 0) {
      const perRepeat = raw.infer_repeat_ms.map((ms) => (raw.infer_iters * job.inferBatch) / (ms / 1000));
      m.infer_samples_per_s = nullable(median(perRepeat));
      m.infer_samples_per_s_min = range(perRepeat)?.min ?? null;
      m.infer_samples_per_s_max = range(perRepeat)?.max ?? null;
    }
  } else {
    const n = job.matmulSize ?? (row.device === 'cuda' ? w.size.cuda : w.size.cpu);
    row.matmulSize = n;
    const flop = 2 * n ** 3;
    const perRepeat = raw.matmul_repeat_ms.map((ms) => (job.steps * flop) / (ms / 1000) / 1e12);
    m.tflops = nullable(median(perRepeat));
    m.tflops_min = range(perRepeat)?.min ?? null;
    m.tflops_max = range(perRepeat)?.max ?? null;
    const peak = matmulPeak(row, env);
    row.peakTflops = peak.tflops;
    row.peakSource = peak.source;
  }
  return row;
}

/** Flags rows whose first-batch or final losses disagree with the reference engine (PyTorch eager when present). */
export function flagLossMismatches(rows: BenchRow[], workloads: readonly WorkloadSpec[]): void {
  for (const w of workloads) {
    if (!isTrained(w)) continue;
    for (const precision of new Set(rows.map((r) => r.precision))) {
      const group = rows.filter((r) => r.workload === w.id && r.precision === precision && r.status === 'ok');
      const ref = group.find((r) => r.runner === 'torch') ?? group[0];
      if (!ref) continue;
      const loose = precision === 'fp32' ? 1 : 20;
      const tolFirst = w.equivalence.firstLossRelTol * loose;
      const tolFinal =
        precision === 'fp32' ? w.equivalence.finalLossRelTol : Math.max(0.1, w.equivalence.finalLossRelTol);
      for (const r of group) {
        if (r === ref) continue;
        const a = r.metrics.first_loss;
        const b = ref.metrics.first_loss;
        if (a !== null && b !== null && relativeDifference(a, b) > tolFirst)
          r.flags.push(
            `first-batch loss ${a.toFixed(5)} differs from ${ref.label}'s ${b.toFixed(5)} by more than ${(tolFirst * 100).toFixed(2)}%: the engines may not be computing the same model`,
          );
        const fa = r.metrics.final_loss;
        const fb = ref.metrics.final_loss;
        if (
          fa !== null &&
          fb !== null &&
          r.stepsTrained === ref.stepsTrained &&
          relativeDifference(fa, fb) > tolFinal
        )
          r.flags.push(
            `loss after ${r.stepsTrained} steps ${fa.toFixed(4)} differs from ${ref.label}'s ${fb.toFixed(4)} by more than ${(tolFinal * 100).toFixed(0)}%: training runs are not comparable`,
          );
      }
    }
  }
}

/** A random-enough id for a result document: time plus random suffix. */
export function newBenchId(now: number = Date.now()): string {
  return `bench-${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The share of a job each runner phase covers, so a bar never runs backwards when training gives way to inference. */
const PHASE_SPANS: Record<string, [number, number]> = {
  export: [0, 0.1],
  train: [0.1, 0.6],
  infer: [0.6, 1],
  matmul: [0, 1],
};

/** How far through its job a runner is (0..1), from its phase and that phase's done/total. */
export function jobFraction(phase: string, done: number, total: number): number {
  const [from, to] = PHASE_SPANS[phase] ?? [0, 1];
  const part = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  return from + (to - from) * part;
}

function describe(job: BenchJob): string {
  return `${job.workload.id} · ${RUNNER_INFO[job.runner].label} · ${job.precision}`;
}

/**
 * Runs a benchmark: one job at a time, each in its own process, with progress events and cancellation.
 * Unknown workload/engine names throw a UserError before anything starts.
 * @example
 * const doc = await runBenchmark({ workloads: ['mlp'], engines: ['pytorch'] }, { runner, workloads, signal });
 * doc.rows[0]; // { workload: 'mlp', runner: 'torch', status: 'ok', metrics: { train_samples_per_s: 41200.5, … } }
 */
export async function runBenchmark(request: BenchRequest, deps: RunBenchmarkDeps): Promise<BenchResultDoc> {
  const resolved = resolveBenchRequest(request, deps.workloads);
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const emit = deps.onProgress ?? (() => {});
  const environment = await deps.runner.environment();
  const { jobs, notes } = planJobs(resolved, environment);
  const rows: BenchRow[] = [];
  const jobCount = jobs.length;
  emit({
    kind: 'start',
    jobIndex: 0,
    jobCount,
    workload: null,
    runner: null,
    precision: null,
    phase: null,
    fraction: 0,
    message: `${jobCount} run(s) planned`,
  });
  let completed = true;
  for (const [i, job] of jobs.entries()) {
    const base = {
      jobIndex: i,
      jobCount,
      workload: job.workload.id,
      runner: job.runner,
      precision: job.precision,
    };
    let outcome: JobOutcome;
    if (deps.signal?.aborted) {
      completed = false;
      outcome = { status: 'failed', reason: 'cancelled before it started', stderrTail: '', hello: null };
    } else {
      emit({ ...base, kind: 'job-start', phase: null, fraction: i / jobCount, message: describe(job) });
      let within = 0;
      const hooks: Parameters<BenchmarkRunner['run']>[1] = {
        onProgress: (p) => {
          within = Math.max(within, jobFraction(p.phase, p.done, p.total));
          emit({
            ...base,
            kind: 'job-progress',
            phase: p.phase,
            fraction: (i + within) / jobCount,
            message: `${describe(job)} · ${p.phase} ${p.done}/${p.total}`,
          });
        },
      };
      if (deps.signal) hooks.signal = deps.signal;
      outcome = await deps.runner.run(job, hooks);
      if (deps.signal?.aborted) completed = false;
    }
    const row = buildRow(job, outcome, environment);
    for (const [k, v] of Object.entries(outcome.hello?.versions ?? {})) environment.versions[k] ??= v;
    if (row.status === 'ok' && row.engineVersion) environment.versions[job.runner] ??= row.engineVersion;
    rows.push(row);
    emit({
      ...base,
      kind: 'job-done',
      phase: null,
      fraction: (i + 1) / jobCount,
      message: `${describe(job)} · ${row.status}`,
      row,
    });
  }
  flagLossMismatches(rows, resolved.workloads);
  if (!completed) notes.push('Cancelled: the remaining runs did not execute.');
  const doc: BenchResultDoc = {
    version: BENCH_RESULT_VERSION,
    id: (deps.newId ?? (() => newBenchId(started)))(),
    createdAt: new Date(started).toISOString(),
    durationMs: Math.max(0, clock.now() - started),
    completed,
    settings: resolved.settings,
    environment,
    rows,
    notes,
  };
  emit({
    kind: 'done',
    jobIndex: jobCount,
    jobCount,
    workload: null,
    runner: null,
    precision: null,
    phase: null,
    fraction: 1,
    message: completed ? 'done' : 'cancelled',
  });
  return doc;
}
