/** Host facts for the result document: OS, CPU (model, clock, SIMD), memory, NVIDIA GPUs and driver. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, hostname, release, totalmem, type } from 'node:os';
import type { BenchEnvironment } from '../../core/bench/result.ts';

const SIMD = [
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'avx512f',
  'avx512_bf16',
  'amx_bf16',
  'amx_tile',
  'neon',
  'asimd',
];

interface CpuInfo {
  mhz: number | null;
  simd: string[];
  model: string | null;
  vendor: string | null;
  family: number | null;
  modelNumber: number | null;
}

/** Facts of the first CPU in a /proc/cpuinfo text. */
export function parseCpuinfo(text: string): CpuInfo {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? null;
  const flags = (field('flags') ?? field('Features') ?? '').split(/\s+/);
  const mhz = Number(field('cpu MHz'));
  const int = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : null);
  return {
    mhz: Number.isFinite(mhz) && mhz > 0 ? mhz : null,
    simd: SIMD.filter((f) => flags.includes(f)),
    model: field('model name'),
    vendor: field('vendor_id'),
    family: int(field('cpu family')),
    modelNumber: int(field('model')),
  };
}

function cpuinfo(): CpuInfo {
  try {
    return parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return { mhz: null, simd: [], model: null, vendor: null, family: null, modelNumber: null };
  }
}

/** cpufreq's maximum clock in MHz (the boost clock), or null where the host does not expose it (most VMs). */
function maxMhz(): number | null {
  try {
    const khz = Number(readFileSync('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq', 'utf8').trim());
    return Number.isFinite(khz) && khz > 0 ? khz / 1000 : null;
  } catch {
    return null;
  }
}

/** NVIDIA GPUs as nvidia-smi reports them; empty when there is no driver (or no nvidia-smi). */
export function nvidiaGpus(run: typeof spawnSync = spawnSync): BenchEnvironment['gpus'] {
  const query = run(
    'nvidia-smi',
    ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader,nounits'],
    {
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  if (query.status !== 0 || typeof query.stdout !== 'string') return [];
  const header = run('nvidia-smi', [], { encoding: 'utf8', timeout: 10_000 });
  const cuda =
    typeof header.stdout === 'string' ? (/CUDA Version:\s*([\d.]+)/.exec(header.stdout)?.[1] ?? null) : null;
  return query.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = 'unknown GPU', driver = '', memory = ''] = line.split(',').map((s) => s.trim());
      const memoryMb = Number(memory);
      return { name, driver: driver || null, cuda, memoryMb: Number.isFinite(memoryMb) ? memoryMb : null };
    });
}

/** Collects the host facts (runtime versions beyond Node are added from the runners' hello lines). */
export function collectEnvironment(): BenchEnvironment {
  const info = cpuinfo();
  const first = cpus()[0];
  return {
    host: { os: type(), release: release(), arch: arch(), hostname: hostname() },
    cpu: {
      model: info.model ?? first?.model ?? 'unknown CPU',
      cores: availableParallelism(),
      mhz: info.mhz ?? (first?.speed ? first.speed : null),
      simd: info.simd,
      vendor: info.vendor,
      family: info.family,
      modelNumber: info.modelNumber,
      maxMhz: maxMhz(),
    },
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    gpus: nvidiaGpus(),
    versions: { node: process.versions.node },
    loadMax: null,
  };
}
