/**
 * `tensorduel bench`: runs TensorFlow vs PyTorch (and ONNX Runtime) benchmarks on this host, one engine at a
 * time, prints a table (or `--json` / `--markdown`), writes `--chart file.png`, and saves the result to history.
 */
import { loadConfig, secretValues } from '../config.ts';
import { parseFaults } from '../core/bench/faults.ts';
import { recordBenchResult } from '../core/bench/history.ts';
import { renderMarkdown, renderText } from '../core/bench/render-table.ts';
import type { BenchProgress, BenchRequest } from '../core/bench/run.ts';
import { PRECISIONS, type Precision } from '../core/bench/workload.ts';
import { TensorDuelError, UserError } from '../core/errors.ts';
import { writeChartPng } from '../infra/bench/png.ts';
import { createBenchService } from '../infra/bench/service.ts';
import { killAllRunners } from '../infra/bench/supervisor.ts';
import { createLogger } from '../infra/logger.ts';
import { FileStore } from '../infra/store/FileStore.ts';
import { type OptionSpecs, parseCommandArgs, requireValue, UsageError } from './args.ts';

/** `tensorduel bench --help`. */
export const usage = `Usage: tensorduel bench [options]

  --workloads mlp,cnn,...      workloads to run (default: all in benchmarks/)
  --engines tensorflow,pytorch,onnxruntime   engines (default: all)
  --device auto|cpu|cuda       device (default auto: CUDA where an engine has it)
  --repeats N                  repetitions per process (default 3)
  --processes N                runner processes per engine, interleaved (default 3; claims use their spread)
  --steps N                    timed steps per repetition (default: per workload)
  --warmup N                   untimed warm-up steps after the first (default: per workload)
  --threads N                  threads for every engine (default 1, like-for-like with TF.js wasm)
  --precision fp32,tf32,bf16   precisions of the training workloads (default: per workload; tf32/bf16 need CUDA)
  --compile                    also run the compiled modes: torch.compile and TensorFlow XLA (jit_compile)
  --tfjs-backend auto|tensorflow|wasm|cpu   TF.js backend (default TENSORDUEL_TFJS_BACKEND)
  --timeout S                  per-run time limit in seconds (default TENSORDUEL_BENCH_TIMEOUT_S)
  --infer-batch N              large inference batch (default: per workload)
  --matmul-size N              matmul N on every device (default: per workload and device)
  --json                       print the result document as JSON
  --markdown                   print Markdown tables
  --chart file.png             also write a PNG bar chart
  --no-save                    do not add the result to the history
  --quiet                      no progress output
  -h, --help                   this help`;

/** Parsed command-line options. */
export interface BenchCliOptions {
  request: BenchRequest;
  output: 'text' | 'json' | 'markdown';
  chart: string | null;
  save: boolean;
  quiet: boolean;
  help: boolean;
}

const OPTIONS = {
  workloads: { type: 'string' },
  engines: { type: 'string' },
  device: { type: 'string' },
  repeats: { type: 'string' },
  processes: { type: 'string' },
  steps: { type: 'string' },
  warmup: { type: 'string' },
  threads: { type: 'string' },
  precision: { type: 'string' },
  'tfjs-backend': { type: 'string' },
  timeout: { type: 'string' },
  'infer-batch': { type: 'string' },
  'matmul-size': { type: 'string' },
  chart: { type: 'string' },
  compile: { type: 'boolean' },
  json: { type: 'boolean' },
  markdown: { type: 'boolean' },
  'no-save': { type: 'boolean' },
  quiet: { type: 'boolean' },
} satisfies OptionSpecs;

function integer(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} needs a whole number (got "${value}").`);
  return n;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Parses `tensorduel bench` arguments (node:util parseArgs); a bad one is a UsageError naming the valid values. */
export function parseBenchArgs(args: readonly string[]): BenchCliOptions {
  const { values, help } = parseCommandArgs(args, OPTIONS);
  const value = (name: keyof typeof OPTIONS) => requireValue(values, name);
  const request: BenchRequest = {};
  const opts: BenchCliOptions = {
    request,
    output: values.json ? 'json' : values.markdown ? 'markdown' : 'text',
    chart: value('chart') ?? null,
    save: values['no-save'] !== true,
    quiet: values.quiet === true,
    help,
  };
  const workloads = value('workloads');
  if (workloads !== undefined) request.workloads = list(workloads);
  const engines = value('engines');
  if (engines !== undefined) request.engines = list(engines);
  const device = value('device');
  if (device !== undefined) {
    if (!['auto', 'cpu', 'cuda'].includes(device))
      throw new UsageError(`Unknown device "${device}". Valid devices: auto, cpu, cuda.`);
    request.device = device as 'auto' | 'cpu' | 'cuda';
  }
  for (const [name, key] of [
    ['repeats', 'repeats'],
    ['processes', 'processes'],
    ['steps', 'steps'],
    ['warmup', 'warmup'],
    ['threads', 'threads'],
    ['infer-batch', 'inferBatch'],
    ['matmul-size', 'matmulSize'],
  ] as const) {
    const v = value(name);
    if (v !== undefined) request[key] = integer(name, v);
  }
  const precision = value('precision');
  if (precision !== undefined) {
    const ps = list(precision);
    const bad = ps.filter((p) => !(PRECISIONS as readonly string[]).includes(p));
    if (bad.length > 0 || ps.length === 0)
      throw new UsageError(
        `Unknown precision "${bad.join(', ')}". Valid precisions: ${PRECISIONS.join(', ')}.`,
      );
    request.precisions = ps as Precision[];
  }
  if (values.compile === true) request.compile = true;
  const backend = value('tfjs-backend');
  if (backend !== undefined) {
    if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend))
      throw new UsageError(`Unknown TF.js backend "${backend}". Valid: auto, tensorflow, wasm, cpu.`);
    request.tfjsBackend = backend;
  }
  const timeout = value('timeout');
  if (timeout !== undefined) {
    const seconds = Number(timeout);
    if (!(seconds > 0)) throw new UsageError(`--timeout needs seconds > 0 (got "${timeout}").`);
    request.timeoutS = seconds;
  }
  return opts;
}

/** A one-line progress bar, e.g. "[#######-------------]  35% mlp · PyTorch · fp32 · train 3/5". */
export function progressBar(event: BenchProgress, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, event.fraction)) * width);
  const pct = `${Math.round(event.fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct} ${event.message}`;
}

/** Runs the command; exit codes: 0 done, 1 failure, 2 bad arguments, 130 interrupted. */
export async function run(args: string[]): Promise<number> {
  const opts = parseBenchArgs(args);
  if (opts.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger({
    level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
    secrets: secretValues(config),
  });
  try {
    opts.request.faults = parseFaults(process.env.TENSORDUEL_BENCH_FAULT);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const service = createBenchService(config, { logger });

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\n${signal}: stopping the current run (its process group is killed)…\n`);
      controller.abort();
    } else {
      killAllRunners();
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const tty = Boolean(process.stdout.isTTY) && Boolean(process.stderr.isTTY);
  const onProgress = (e: BenchProgress) => {
    if (opts.quiet) return;
    if (tty) {
      const line = progressBar(e).slice(0, (process.stderr.columns || 100) - 1);
      process.stderr.write(`\r\x1b[2K${line}${e.kind === 'done' ? '\n' : ''}`);
    } else if (e.kind === 'job-done') {
      process.stderr.write(`[${e.jobIndex + 1}/${e.jobCount}] ${e.message}\n`);
    }
  };

  try {
    await service.workloads();
    const doc = await service.execute(opts.request, { signal: controller.signal, onProgress });
    if (opts.output === 'json') process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else process.stdout.write(opts.output === 'markdown' ? renderMarkdown(doc) : renderText(doc));
    if (opts.chart) {
      await writeChartPng(doc, opts.chart);
      if (!opts.quiet) process.stderr.write(`chart written to ${opts.chart}\n`);
    }
    if (opts.save) {
      // Only the results folder is written: a running bot writing its own results at the same moment loses none.
      await recordBenchResult(new FileStore({ file: config.TENSORDUEL_DB_FILE, logger }).results, doc);
    }
    if (controller.signal.aborted) return 130;
    return doc.rows.some((r) => r.status === 'ok') ? 0 : 1;
  } catch (err) {
    if (err instanceof UserError) {
      console.error(err.message);
      return 2;
    }
    if (err instanceof TensorDuelError) {
      console.error(`tensorduel bench: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
