/** The BenchmarkRunner port on child processes: one supervised process per job, Python found on demand. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RUNNER_INFO, RUNNERS, type RunnerId } from '../../core/bench/engines.ts';
import type { BenchJob, BenchmarkRunner, JobOutcome, JobProgress } from '../../core/bench/port.ts';
import { encodeRequest, type RunnerHello, type RunnerMessage } from '../../core/bench/protocol.ts';
import type { BenchEnvironment } from '../../core/bench/result.ts';
import type { Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { collectEnvironment } from './environment.ts';
import { type PreparedFiles, prepareWorkload } from './prepare.ts';
import { type ChildRunResult, runChild } from './supervisor.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** Script paths of the runners. */
export const RUNNER_SCRIPTS = {
  tfjs: here('./tfjs-runner.ts'),
  onnxruntime: here('./ort-runner.ts'),
  torch: here('./python/torch_runner.py'),
  tensorflow: here('./python/tf_runner.py'),
} as const;

/** The project's Python environment, made by scripts/setup.sh from python/requirements-*.txt. */
export const PROJECT_PYTHON = fileURLToPath(new URL('../../../.venv/bin/python', import.meta.url));

/** The interpreters tried, in order, when TENSORDUEL_PYTHON is not set: the project's .venv first. */
export const DEFAULT_PYTHONS = [PROJECT_PYTHON, '/usr/bin/python3', 'python3', 'python'] as const;

/** A command line that starts a runner. */
export interface RunnerCommand {
  command: string;
  args: string[];
}

/** Options of the process runner. */
export interface ProcessRunnerOptions {
  /** Folder for the shared weights, data and ONNX files. */
  workDir: string;
  /** TENSORDUEL_PYTHON: the interpreter for PyTorch and TensorFlow; default the first that imports the module. */
  python?: string | undefined;
  logger?: Logger;
  /** Time between SIGTERM and SIGKILL when a runner is stopped. */
  killGraceMs?: number;
  /** Base environment of the children (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Replaces a runner's program (tests use this for fake runners). */
  commands?: Partial<Record<RunnerId, RunnerCommand>>;
  /** Host facts; default collected from this machine. */
  environment?: () => BenchEnvironment;
}

/** What `probe` learns about one runner (for `tensorduel doctor`). */
export interface RunnerProbe {
  runner: RunnerId;
  available: boolean;
  version: string | null;
  /** Backends, devices, interpreter and other facts the runner reported. */
  info: Record<string, unknown>;
  reason: string | null;
  installHint: string;
}

type PythonFound = { python: string; version: string } | { python: null; reason: string };

/** Node plus the tsx loader, so the TypeScript runners start without a build step. */
function nodeCommand(script: string): RunnerCommand {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { command: process.execPath, args: ['--import', tsx, script] };
}

/** First line of an error, for reasons shown in rows. */
function firstLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1)?.slice(0, 300) ?? '';
}

/** Interprets a finished child run as a job outcome. */
export function outcomeOf(result: ChildRunResult, timeoutS: number): JobOutcome {
  const hello = (result.messages.filter((m) => m.type === 'hello').at(-1) as RunnerHello | undefined) ?? null;
  const tail = result.stderrTail;
  if (result.aborted) return { status: 'failed', reason: 'cancelled', stderrTail: tail, hello };
  if (result.timedOut)
    return {
      status: 'failed',
      reason: `timed out after ${timeoutS} s; the runner's process group was killed`,
      stderrTail: tail,
      hello,
    };
  if (result.spawnError)
    return { status: 'failed', reason: `could not start: ${result.spawnError}`, stderrTail: tail, hello };
  const unavailable = result.messages.find((m) => m.type === 'unavailable');
  if (unavailable?.type === 'unavailable')
    return { status: 'unavailable', reason: unavailable.reason, hello };
  const done = result.messages.find((m) => m.type === 'result');
  if (done?.type === 'result') {
    if (!hello)
      return { status: 'failed', reason: 'runner sent a result without a hello', stderrTail: tail, hello };
    return { status: 'ok', hello, raw: done.raw };
  }
  const error = result.messages.find((m) => m.type === 'error');
  if (error?.type === 'error') return { status: 'failed', reason: error.message, stderrTail: tail, hello };
  const how =
    result.exitSignal !== null ? `was killed by ${result.exitSignal}` : `exited with code ${result.exitCode}`;
  const last = firstLine(tail);
  return {
    status: 'failed',
    reason: `runner ${how} before reporting a result${last ? `: ${last}` : ''}`,
    stderrTail: tail,
    hello,
  };
}

/** Runs every job in its own supervised child process. */
export class ProcessBenchmarkRunner implements BenchmarkRunner {
  readonly #options: ProcessRunnerOptions;
  readonly #logger: Logger;
  readonly #pythons = new Map<string, Promise<PythonFound>>();
  #environment: BenchEnvironment | undefined;

  constructor(options: ProcessRunnerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  hostLoad(): number | null {
    const load = loadavg()[0];
    return load !== undefined && Number.isFinite(load) ? load : null;
  }

  async environment(): Promise<BenchEnvironment> {
    this.#environment ??= (this.#options.environment ?? collectEnvironment)();
    return structuredClone(this.#environment);
  }

  /** The first interpreter that imports `module` (TENSORDUEL_PYTHON only, when set). */
  findPython(module: 'torch' | 'tensorflow'): Promise<PythonFound> {
    let found = this.#pythons.get(module);
    if (!found) {
      found = this.#searchPython(module);
      this.#pythons.set(module, found);
    }
    return found;
  }

  async #searchPython(module: string): Promise<PythonFound> {
    const candidates = this.#options.python ? [this.#options.python] : [...DEFAULT_PYTHONS];
    const tried: string[] = [];
    for (const python of candidates) {
      const result = await new Promise<{ ok: boolean; out: string }>((resolve) => {
        execFile(
          python,
          [
            '-c',
            'import importlib,sys; m=importlib.import_module(sys.argv[1]); print(m.__version__)',
            module,
          ],
          { timeout: 180_000, env: { ...this.#childEnv(1, 'auto'), PYTHONDONTWRITEBYTECODE: '1' } },
          (err, stdout, stderr) =>
            resolve({ ok: !err, out: err ? firstLine(stderr || err.message) : stdout.trim() }),
        );
      });
      if (result.ok) return { python, version: result.out };
      tried.push(`${python}: ${result.out}`);
    }
    const via = this.#options.python ? 'TENSORDUEL_PYTHON=' : 'tried ';
    const errors = new Set(tried.map((t) => t.slice(t.indexOf(': ') + 2)));
    const detail =
      errors.size === 1 ? `${via}${candidates.join(', ')}: ${[...errors][0]}` : `${via}${tried.join('; ')}`;
    return { python: null, reason: `no Python can import ${module} (${detail})` };
  }

  #childEnv(
    threads: number,
    device: BenchJob['device'],
    precision: BenchJob['precision'] = 'fp32',
  ): NodeJS.ProcessEnv {
    const n = String(threads);
    const env: NodeJS.ProcessEnv = {
      ...(this.#options.env ?? process.env),
      OMP_NUM_THREADS: n,
      OPENBLAS_NUM_THREADS: n,
      MKL_NUM_THREADS: n,
      TF_NUM_INTRAOP_THREADS: n,
      TF_NUM_INTEROP_THREADS: '1',
      TF_CPP_MIN_LOG_LEVEL: '2',
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    };
    if (device === 'cpu') env.CUDA_VISIBLE_DEVICES = '-1';
    // fp32 means fp32: cuBLAS/cuDNN (ONNX Runtime's CUDA EP defaults to use_tf32=1, libtensorflow too) must not
    // switch to TF32 behind the row's back. tf32 rows set TF32 through each engine's own switch.
    if (precision === 'fp32') env.NVIDIA_TF32_OVERRIDE = '0';
    return env;
  }

  /** The command of a runner, or why it cannot start. */
  async commandFor(runner: RunnerId): Promise<RunnerCommand | { unavailable: string }> {
    const override = this.#options.commands?.[runner];
    if (override) return override;
    switch (runner) {
      case 'tfjs':
        return nodeCommand(RUNNER_SCRIPTS.tfjs);
      case 'onnxruntime':
        return nodeCommand(RUNNER_SCRIPTS.onnxruntime);
      case 'torch':
      case 'torch-compile': {
        const found = await this.findPython('torch');
        return found.python !== null
          ? { command: found.python, args: [RUNNER_SCRIPTS.torch] }
          : { unavailable: found.reason };
      }
      case 'tf-python':
      case 'tf-xla': {
        const found = await this.findPython('tensorflow');
        return found.python !== null
          ? { command: found.python, args: [RUNNER_SCRIPTS.tensorflow] }
          : { unavailable: found.reason };
      }
    }
  }

  async #effectiveDevice(device: BenchJob['device']): Promise<BenchJob['device']> {
    if (device !== 'auto') return device;
    return (await this.environment()).gpus.length > 0 ? 'auto' : 'cpu';
  }

  #request(
    job: BenchJob,
    op: 'run' | 'export' | 'harness',
    device: BenchJob['device'],
    files: PreparedFiles,
    onnx: string | null,
  ) {
    return encodeRequest({
      protocol: 1,
      op,
      runner: job.runner,
      workload: job.workload,
      device,
      precision: job.precision,
      threads: job.threads,
      repeats: job.repeats,
      steps: job.steps,
      warmup: job.warmup,
      inferBatch: job.inferBatch,
      matmulSize: job.matmulSize,
      backend: job.tfjsBackend,
      files: { ...files, onnx },
      fault: op === 'export' ? 'none' : job.fault,
    });
  }

  async #spawn(
    command: RunnerCommand,
    request: string,
    job: BenchJob,
    device: BenchJob['device'],
    hooks: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void },
  ): Promise<ChildRunResult> {
    const options: Parameters<typeof runChild>[0] = {
      command: command.command,
      args: command.args,
      request,
      env: this.#childEnv(job.threads, device, job.precision),
      timeoutMs: job.timeoutS * 1000,
      onMessage: (m: RunnerMessage) => {
        if (m.type === 'progress') hooks.onProgress?.({ phase: m.phase, done: m.done, total: m.total });
      },
    };
    if (hooks.signal) options.signal = hooks.signal;
    if (this.#options.killGraceMs !== undefined) options.killGraceMs = this.#options.killGraceMs;
    const result = await runChild(options);
    this.#logger.debug('bench runner finished', {
      runner: job.runner,
      workload: job.workload.id,
      exitCode: result.exitCode,
      exitSignal: result.exitSignal,
      timedOut: result.timedOut,
    });
    return result;
  }

  async run(
    job: BenchJob,
    hooks: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void },
  ): Promise<JobOutcome> {
    return this.#run(job, hooks, 'run');
  }

  /** Runs the PyTorch harness op: the runner's timing loop and torch.utils.benchmark on the same step. */
  harness(job: BenchJob, hooks: { signal?: AbortSignal } = {}): Promise<JobOutcome> {
    return this.#run(job, hooks, 'harness');
  }

  async #run(
    job: BenchJob,
    hooks: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void },
    op: 'run' | 'harness',
  ): Promise<JobOutcome> {
    let command: Awaited<ReturnType<ProcessBenchmarkRunner['commandFor']>>;
    try {
      command = await this.commandFor(job.runner);
    } catch (err) {
      // E.g. node_modules replaced under a running benchmark (tsx gone): this run fails, the others go on.
      const reason = `could not start the runner: ${err instanceof Error ? err.message : String(err)}`;
      return { status: 'failed', reason, stderrTail: '', hello: null };
    }
    if ('unavailable' in command) return { status: 'unavailable', reason: command.unavailable, hello: null };
    const device = await this.#effectiveDevice(job.device);
    let files: PreparedFiles;
    try {
      await mkdir(this.#options.workDir, { recursive: true });
      files = await prepareWorkload(job.workload, this.#options.workDir);
    } catch (err) {
      return {
        status: 'failed',
        reason: `could not prepare the shared weights/data: ${err instanceof Error ? err.message : String(err)}`,
        stderrTail: '',
        hello: null,
      };
    }
    let onnx: string | null = null;
    if (job.runner === 'onnxruntime') {
      const exported = await this.#exportOnnx(job, files, hooks);
      if ('status' in exported) return exported;
      onnx = exported.path;
    }
    const result = await this.#spawn(
      command,
      this.#request(job, op, device, files, onnx),
      job,
      device,
      hooks,
    );
    return outcomeOf(result, job.timeoutS);
  }

  async #exportOnnx(
    job: BenchJob,
    files: PreparedFiles,
    hooks: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void },
  ): Promise<{ path: string } | JobOutcome> {
    const torch = this.#options.commands?.torch ?? (await this.commandFor('torch'));
    if ('unavailable' in torch)
      return {
        status: 'unavailable',
        reason: `the ONNX model is exported by PyTorch: ${torch.unavailable}`,
        hello: null,
      };
    const hash = createHash('sha256').update(JSON.stringify(job.workload)).digest('hex').slice(0, 12);
    const path = join(this.#options.workDir, `${job.workload.id}-${hash}.onnx`);
    hooks.onProgress?.({ phase: 'export', done: 0, total: 1 });
    const exportJob: BenchJob = { ...job, runner: 'torch', fault: 'none' };
    const result = await this.#spawn(
      torch,
      this.#request(exportJob, 'export', 'cpu', files, path),
      exportJob,
      'cpu',
      hooks,
    );
    if (result.messages.some((m) => m.type === 'exported')) return { path };
    const outcome = outcomeOf(result, job.timeoutS);
    if (outcome.status === 'ok')
      return { status: 'failed', reason: 'ONNX export reported no file', stderrTail: '', hello: null };
    return outcome.status === 'unavailable'
      ? { ...outcome, reason: `ONNX export: ${outcome.reason}`, hello: null }
      : { ...outcome, reason: `ONNX export failed: ${outcome.reason}`, hello: null };
  }

  /** Asks a runner for its versions, backends and devices (never throws). */
  async probe(runner: RunnerId, timeoutS = 180): Promise<RunnerProbe> {
    const installHint = RUNNER_INFO[runner].installHint;
    const base = { runner, installHint };
    const command = await this.commandFor(runner);
    if ('unavailable' in command)
      return { ...base, available: false, version: null, info: {}, reason: command.unavailable };
    const request = encodeRequest({
      protocol: 1,
      op: 'probe',
      runner,
      workload: null,
      device: 'auto',
      precision: 'fp32',
      threads: 1,
      repeats: 1,
      steps: 1,
      warmup: 0,
      inferBatch: 1,
      matmulSize: null,
      files: { weights: null, weightTensors: [], data: null, dataTensors: [], onnx: null },
    });
    const result = await runChild({
      command: command.command,
      args: command.args,
      request,
      env: this.#childEnv(1, 'auto'),
      timeoutMs: timeoutS * 1000,
    });
    const probe = result.messages.find((m) => m.type === 'probe');
    if (probe?.type === 'probe') {
      const info = { ...probe.info };
      if (runner === 'onnxruntime') {
        const torch = await this.findPython('torch');
        info.exporter = torch.python !== null ? `PyTorch ${torch.version} (${torch.python})` : torch.reason;
      }
      const version = typeof info.version === 'string' ? info.version : null;
      if (runner === 'torch-compile' && info.compile !== true)
        return {
          ...base,
          available: false,
          version,
          info,
          reason:
            typeof info.compileError === 'string'
              ? info.compileError
              : `torch.compile needs PyTorch 2.0 or newer (found ${version})`,
        };
      return { ...base, available: true, version, info, reason: null };
    }
    const outcome = outcomeOf(result, timeoutS);
    return {
      ...base,
      available: false,
      version: null,
      info: {},
      reason: outcome.status === 'ok' ? 'no probe reply' : outcome.reason,
    };
  }

  /** Probes every runner, one after another (torch-compile and tf-xla are read off the probes they share). */
  async probeAll(): Promise<RunnerProbe[]> {
    const out: RunnerProbe[] = [];
    for (const runner of RUNNERS) {
      const torch = out.find((p) => p.runner === 'torch');
      if (runner === 'torch-compile' && torch) {
        const installHint = RUNNER_INFO[runner].installHint;
        // The PyTorch probe compiled a tiny function for real: hasattr(torch, 'compile') is not enough.
        const ok = torch.available && torch.info.compile === true;
        const reason = !torch.available
          ? torch.reason
          : ok
            ? null
            : typeof torch.info.compileError === 'string'
              ? torch.info.compileError
              : `torch.compile needs PyTorch 2.0 or newer (found ${torch.version})`;
        out.push({ ...torch, runner, installHint, available: ok, reason });
        continue;
      }
      const tf = out.find((p) => p.runner === 'tf-python');
      if (runner === 'tf-xla' && tf) {
        out.push({
          ...tf,
          runner,
          installHint: RUNNER_INFO[runner].installHint,
          info: { mode: 'XLA jit_compile' },
        });
        continue;
      }
      out.push(await this.probe(runner));
    }
    return out;
  }
}
