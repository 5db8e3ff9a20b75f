/** `tensorduel doctor [--json]`: host, engines, versions, backends and devices; what is missing and how to install it. */
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { blasLine, blasWarning } from '../core/bench/blas.ts';
import { RUNNER_INFO } from '../core/bench/engines.ts';
import { hostLine } from '../core/bench/format.ts';
import { type BlasInfo, blasInfoSchema } from '../core/bench/protocol.ts';
import type { BenchEnvironment } from '../core/bench/result.ts';
import {
  DEFAULT_PYTHONS,
  ProcessBenchmarkRunner,
  type RunnerProbe,
} from '../infra/bench/ProcessBenchmarkRunner.ts';
import { loadWorkloads } from '../infra/bench/workloads.ts';
import { parseCommandArgs } from './args.ts';

/** What doctor reports (also its `--json` output). */
export interface DoctorReport {
  environment: BenchEnvironment;
  python: { configured: string | null; torch: string | null; tensorflow: string | null };
  workloads: { ok: boolean; ids: string[]; error: string | null };
  runners: RunnerProbe[];
  missing: Array<{ runner: string; reason: string; install: string }>;
  /** Problems with this host's setup that skew figures (a generic BLAS core), with the fix; never fixed silently. */
  warnings: string[];
}

/** What doctor says about TF.js's native GPU package, whether or not it is installed. */
export const TFJS_GPU_NOTE =
  "tfjs-node-gpu (opt-in) is libtensorflow 2.9.1 built for CUDA 11.2 + cuDNN 8.1: it has no kernels for sm_90 (H100/H200) and newer GPUs and does not run on CUDA 12+, so its GPU figures are not representative; on a GPU, Python TensorFlow is TensorFlow's engine (pip install 'tensorflow[and-cuda]'; scripts/setup.sh does it)";

function blasOf(info: Record<string, unknown>): BlasInfo | null {
  const parsed = blasInfoSchema.safeParse(info.blas);
  return parsed.success ? parsed.data : null;
}

function describe(info: Record<string, unknown>): string {
  const parts: string[] = [];
  const list = (v: unknown) =>
    Array.isArray(v)
      ? v
          .map((x) => {
            if (typeof x !== 'object' || x === null) return String(x);
            const b = x as { name?: string; bundled?: boolean };
            return `${b.name}${b.bundled === false ? ' (not bundled)' : ''}`;
          })
          .join(', ')
      : null;
  if (info.backends) parts.push(`backends: ${list(info.backends)}`);
  if (info.python)
    parts.push(
      `python: ${String(info.python)}${info.pythonVersion ? ` (${String(info.pythonVersion)})` : ''}`,
    );
  if ('cudaAvailable' in info)
    parts.push(`CUDA: ${info.cudaAvailable ? `yes (${String(info.cuda)})` : 'no'}`);
  const devices = list(info.devices);
  if (devices) parts.push(`GPUs: ${devices}`);
  const blas = blasOf(info);
  if (blas) parts.push(`BLAS: ${blasLine(blas)}`);
  if ('compile' in info) parts.push(`torch.compile: ${info.compile ? 'yes' : 'no'}`);
  if ('onnx' in info)
    parts.push(`onnx: ${info.onnx ?? 'not installed (torch.onnx.export works without it)'}`);
  if (info.exporter) parts.push(`exporter: ${String(info.exporter)}`);
  return parts.join(' · ');
}

function torchBlas(report: DoctorReport): string {
  const torch = report.runners.find((p) => p.runner === 'torch');
  const blas = torch ? blasOf(torch.info) : null;
  if (!blas) return torch?.available ? 'not reported' : 'PyTorch not found';
  const warned = report.warnings.some((w) => w.startsWith('OpenBLAS'));
  return `${blasLine(blas)}${warned ? ' — WARNING, see below' : ' — no generic-core warning'}`;
}

/** Renders the report for a terminal. */
export function formatDoctor(report: DoctorReport): string {
  const lines = ['TensorDuel doctor', '', `Host: ${hostLine(report.environment)}`, ''];
  lines.push(
    `Python: ${report.python.configured ? `TENSORDUEL_PYTHON=${report.python.configured}` : `TENSORDUEL_PYTHON not set (searching ${DEFAULT_PYTHONS.join(', ')})`}`,
    `  torch from: ${report.python.torch ?? 'none'} · tensorflow from: ${report.python.tensorflow ?? 'none'}`,
    `BLAS (PyTorch's CPU matmuls): ${torchBlas(report)}`,
    `Workloads: ${report.workloads.ok ? report.workloads.ids.join(', ') : `INVALID: ${report.workloads.error}`}`,
    '',
    'Engines:',
  );
  for (const p of report.runners) {
    const label = RUNNER_INFO[p.runner].label;
    lines.push(`  ${p.available ? '✓' : '✗'} ${label}${p.version ? ` ${p.version}` : ''}`);
    const details = describe(p.info);
    if (details) lines.push(`      ${details}`);
    if (!p.available && p.reason) lines.push(`      why: ${p.reason}`);
    const missing = Array.isArray(p.info.missing) ? (p.info.missing as string[]) : [];
    for (const m of missing) lines.push(`      optional backend missing: ${m}`);
    if (p.runner === 'tfjs') lines.push(`      note: ${TFJS_GPU_NOTE}`);
  }
  for (const w of report.warnings) lines.push('', `⚠ ${w}`);
  if (report.missing.length > 0) {
    lines.push('', 'Missing (install to add their rows):');
    for (const m of report.missing) lines.push(`  ${m.runner}: ${m.install}`);
  } else lines.push('', 'Every engine is available.');
  if (report.environment.gpus.length === 0)
    lines.push('', 'No NVIDIA GPU found (nvidia-smi): every engine runs on CPU; tf32/bf16 rows are skipped.');
  return `${lines.join('\n')}\n`;
}

/** Builds the report by probing every runner in its own process. */
export async function doctorReport(
  runner: ProcessBenchmarkRunner,
  benchmarksDir = 'benchmarks',
  configured: string | null = null,
): Promise<DoctorReport> {
  const environment = await runner.environment();
  let workloads: DoctorReport['workloads'];
  try {
    workloads = { ok: true, ids: (await loadWorkloads(benchmarksDir)).map((w) => w.id), error: null };
  } catch (err) {
    workloads = { ok: false, ids: [], error: err instanceof Error ? err.message : String(err) };
  }
  const runners = await runner.probeAll();
  const torch = await runner.findPython('torch');
  const tf = await runner.findPython('tensorflow');
  for (const p of runners)
    if (p.available && p.version && p.runner !== 'torch-compile') environment.versions[p.runner] = p.version;
  return {
    environment,
    python: {
      configured,
      torch: torch.python !== null ? `${torch.python} (torch ${torch.version})` : null,
      tensorflow: tf.python !== null ? `${tf.python} (tensorflow ${tf.version})` : null,
    },
    workloads,
    runners,
    warnings: runners
      .map((p) => blasWarning(blasOf(p.info), environment.cpu.simd))
      .filter((w): w is string => w !== null)
      .filter((w, i, all) => all.indexOf(w) === i),
    missing: runners
      .filter((p) => !p.available)
      .map((p) => ({
        runner: RUNNER_INFO[p.runner].label,
        reason: p.reason ?? 'unavailable',
        install: p.installHint,
      })),
  };
}

/** `tensorduel doctor --help`. */
export const usage = `Usage: tensorduel doctor [--json]

  Lists the benchmark engines this host has (TensorFlow.js, Python TensorFlow, PyTorch, ONNX Runtime), their
  versions, backends and devices, and the command that installs what is missing.
  --json      print the report as JSON
  -h, --help  this help`;

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (parsed.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const config = loadConfig();
  const runner = new ProcessBenchmarkRunner({
    workDir: join(config.TENSORDUEL_CACHE_DIR, 'bench'),
    python: config.TENSORDUEL_PYTHON,
  });
  const report = await doctorReport(runner, 'benchmarks', config.TENSORDUEL_PYTHON ?? null);
  process.stdout.write(parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report));
  return 0;
}
