/** runBenchmark: plans (workload × runner × precision) jobs, runs them one after another, and builds the result document. */
import { ErrorCode, UserError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import { systemClock } from '../ports.ts';
import { ENGINES, type EngineId, RUNNER_INFO, type RunnerId, runnersFor } from './engines.ts';
import { flagLossMismatches } from './equivalence.ts';
import type { BenchJob, BenchmarkRunner, JobOutcome } from './port.ts';
import {
  BENCH_RESULT_VERSION,
  type BenchEnvironment,
  type BenchResultDoc,
  type BenchRow,
  type BenchSettings,
} from './result.ts';
import { buildRow } from './rows.ts';
import { isTrained, type Precision, type WorkloadSpec } from './workload.ts';

export { flagLossMismatches } from './equivalence.ts';
export { buildRow } from './rows.ts';

/** What a caller may ask for; everything is optional. */
export interface BenchRequest {
  /** Workload ids (default: all loaded workloads). */
  workloads?: readonly string[];
  /** Engines (default: all). */
  engines?: readonly string[];
  device?: 'auto' | 'cpu' | 'cuda';
  /** Repetitions per process (default 3; with 3 processes, 9 in all). */
  repeats?: number;
  /** Runner processes per engine, interleaved with the other engines' (default 3; 1 for smoke tests). */
  processes?: number;
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
  positive('processes', request.processes);
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
      repeats: request.repeats ?? 3,
      steps: request.steps ?? null,
      warmup: request.warmup ?? null,
      threads: request.threads ?? 1,
      compile: request.compile ?? false,
      timeoutS: request.timeoutS ?? 600,
      processes: request.processes ?? 3,
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
  if (settings.processes < 3)
    notes.push(
      `Only ${settings.processes} process(es) per engine: fewer than 3, so the spread claims are gated on comes from one process's repetitions only.`,
    );
  if (settings.repeats * settings.processes < 5)
    notes.push(
      `Only ${settings.repeats * settings.processes} repetition(s) in all: fewer than 5, so the spread is not meaningful.`,
    );
  return { jobs, notes };
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
  const rounds = resolved.settings.processes;
  // Interleaved: every job once per round, the order reversed every other round (A B C, C B A, A B C), so
  // machine drift and order effects fall on every engine alike. A runner that is unavailable stays so.
  const schedule: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = jobs.map((_, i) => i);
    schedule.push(...(r % 2 === 0 ? order : order.reverse()));
  }
  const outcomes: JobOutcome[][] = jobs.map(() => []);
  const jobCount = schedule.length;
  emit({
    kind: 'start',
    jobIndex: 0,
    jobCount,
    workload: null,
    runner: null,
    precision: null,
    phase: null,
    fraction: 0,
    message: `${jobs.length} run(s) × ${rounds} process(es) planned`,
  });
  let completed = true;
  for (const [i, jobIndex] of schedule.entries()) {
    const job = jobs[jobIndex] as BenchJob;
    const round = Math.floor(i / jobs.length);
    const base = {
      jobIndex: i,
      jobCount,
      workload: job.workload.id,
      runner: job.runner,
      precision: job.precision,
    };
    const previous = outcomes[jobIndex] as JobOutcome[];
    const load = deps.runner.hostLoad?.() ?? null;
    if (load !== null) environment.loadMax = Math.max(environment.loadMax ?? 0, load);
    let outcome: JobOutcome;
    if (previous.some((o) => o.status === 'unavailable')) continue;
    const label = `${describe(job)}${rounds > 1 ? ` · process ${round + 1}/${rounds}` : ''}`;
    if (deps.signal?.aborted) {
      completed = false;
      if (previous.length > 0) continue;
      outcome = { status: 'failed', reason: 'cancelled before it started', stderrTail: '', hello: null };
    } else {
      emit({ ...base, kind: 'job-start', phase: null, fraction: i / jobCount, message: label });
      let within = 0;
      const hooks: Parameters<BenchmarkRunner['run']>[1] = {
        onProgress: (p) => {
          within = Math.max(within, jobFraction(p.phase, p.done, p.total));
          emit({
            ...base,
            kind: 'job-progress',
            phase: p.phase,
            fraction: (i + within) / jobCount,
            message: `${label} · ${p.phase} ${p.done}/${p.total}`,
          });
        },
      };
      if (deps.signal) hooks.signal = deps.signal;
      outcome = await deps.runner.run(job, hooks);
      if (deps.signal?.aborted) {
        completed = false;
        // A process cut short by Ctrl-C says nothing about the engine; earlier processes keep their figures.
        if (previous.length > 0 && outcome.status !== 'ok') continue;
      }
    }
    previous.push(outcome);
    for (const [k, v] of Object.entries(outcome.hello?.versions ?? {})) environment.versions[k] ??= v;
    if (outcome.status === 'ok' && outcome.hello.engineVersion)
      environment.versions[job.runner] ??= outcome.hello.engineVersion;
    emit({
      ...base,
      kind: 'job-done',
      phase: null,
      fraction: (i + 1) / jobCount,
      message: `${label} · ${outcome.status}`,
      row: buildRow(job, previous, environment),
    });
  }
  const rows: BenchRow[] = jobs.map((job, i) => buildRow(job, outcomes[i] as JobOutcome[], environment));
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
