/** Peak dense matmul TFLOP/s of common GPUs (vendor datasheets, cited per row) and a nominal estimate for CPUs. */
import type { Precision } from './workload.ts';

interface GpuPeak {
  /** Matched case-insensitively against the device name; first match wins, so specific names come first. */
  match: RegExp;
  name: string;
  /** Dense (no structured sparsity) TFLOP/s; null where the GPU has no such tensor-core path. */
  fp32: number;
  tf32: number | null;
  bf16: number | null;
  /** The datasheet the figures come from. */
  source: string;
}

const H100_DS = 'NVIDIA H100 Tensor Core GPU datasheet (nvidia.com/en-us/data-center/h100), dense';
const H200_DS = 'NVIDIA H200 Tensor Core GPU datasheet (nvidia.com/en-us/data-center/h200), dense';

/**
 * Datasheet figures at boost clock, dense: NVIDIA's sheets print tf32/bf16 "with sparsity"; those are halved
 * here. tf32/bf16 are tensor-core rates with FP32 accumulate. Patterns are anchored so that a variant never
 * takes its sibling's figures (H200 NVL ≠ H200 SXM, RTX 4090 Laptop ≠ RTX 4090, 3090 Ti ≠ 3090, V100 PCIe ≠ SXM2).
 */
export const GPU_PEAKS: readonly GpuPeak[] = [
  {
    match: /GH200/i,
    name: 'GH200',
    fp32: 67,
    tf32: 494.5,
    bf16: 989.5,
    source: 'NVIDIA GH200 Grace Hopper Superchip datasheet, dense',
  },
  { match: /H200\s*NVL/i, name: 'H200 NVL', fp32: 60, tf32: 417.5, bf16: 835.5, source: H200_DS },
  { match: /H200/i, name: 'H200 SXM', fp32: 67, tf32: 494.5, bf16: 989.5, source: H200_DS },
  { match: /H100\s*NVL/i, name: 'H100 NVL', fp32: 60, tf32: 417.5, bf16: 835.5, source: H100_DS },
  { match: /H100\s*PCIe/i, name: 'H100 PCIe', fp32: 51, tf32: 378, bf16: 756, source: H100_DS },
  { match: /H100/i, name: 'H100 SXM', fp32: 67, tf32: 494.5, bf16: 989.5, source: H100_DS },
  {
    match: /A100/i,
    name: 'A100',
    fp32: 19.5,
    tf32: 156,
    bf16: 312,
    source: 'NVIDIA A100 Tensor Core GPU datasheet (2021), dense',
  },
  { match: /L40S/i, name: 'L40S', fp32: 91.6, tf32: 183, bf16: 362, source: 'NVIDIA L40S datasheet, dense' },
  {
    match: /\bL40\b(?!S)/i,
    name: 'L40',
    fp32: 90.5,
    tf32: 90.5,
    bf16: 181,
    source: 'NVIDIA L40 datasheet, dense',
  },
  {
    match: /\bL4\b/i,
    name: 'L4',
    fp32: 30.3,
    tf32: 60,
    bf16: 121,
    source: 'NVIDIA L4 Tensor Core GPU datasheet, dense',
  },
  {
    match: /\bA10\b(?!0)/i,
    name: 'A10',
    fp32: 31.2,
    tf32: 62.5,
    bf16: 125,
    source: 'NVIDIA A10 Tensor Core GPU datasheet, dense',
  },
  {
    match: /V100S/i,
    name: 'V100S PCIe',
    fp32: 16.4,
    tf32: null,
    bf16: null,
    source: 'NVIDIA V100 Tensor Core GPU datasheet (2020)',
  },
  {
    match: /V100.*PCIe/i,
    name: 'V100 PCIe',
    fp32: 14,
    tf32: null,
    bf16: null,
    source: 'NVIDIA V100 Tensor Core GPU datasheet (2020)',
  },
  {
    match: /V100.*SXM|V100$/i,
    name: 'V100 SXM2',
    fp32: 15.7,
    tf32: null,
    bf16: null,
    source: 'NVIDIA V100 Tensor Core GPU datasheet (2020)',
  },
  {
    match: /\bT4\b/i,
    name: 'T4',
    fp32: 8.1,
    tf32: null,
    bf16: null,
    source: 'NVIDIA T4 Tensor Core GPU datasheet',
  },
  {
    match: /RTX 4090(?!.*Laptop)(?!\s*D)/i,
    name: 'GeForce RTX 4090',
    fp32: 82.6,
    tf32: 82.6,
    bf16: 165.2,
    source: 'NVIDIA Ada Lovelace GPU architecture whitepaper v2.1, table (RTX 4090), dense, FP32 accumulate',
  },
  {
    match: /RTX 3090 Ti/i,
    name: 'GeForce RTX 3090 Ti',
    fp32: 40,
    tf32: 40,
    bf16: 80,
    source: 'NVIDIA Ampere GA102 GPU architecture whitepaper (RTX 3090 Ti addendum), dense, FP32 accumulate',
  },
  {
    match: /RTX 3090(?!\s*Ti)/i,
    name: 'GeForce RTX 3090',
    fp32: 35.6,
    tf32: 35.6,
    bf16: 71,
    source: 'NVIDIA Ampere GA102 GPU architecture whitepaper v2.0, table (RTX 3090), dense, FP32 accumulate',
  },
];

/** A peak figure and where it comes from. */
export interface PeakEstimate {
  tflops: number | null;
  source: string;
}

/** Peak TFLOP/s of a GPU for a precision, from the datasheet table; null when unknown or unsupported. */
export function gpuPeak(deviceName: string, precision: Precision): PeakEstimate {
  const entry = GPU_PEAKS.find((g) => g.match.test(deviceName));
  if (!entry) return { tflops: null, source: `no datasheet figure for "${deviceName}"` };
  const tflops = entry[precision];
  if (tflops === null) return { tflops: null, source: `${entry.name} has no ${precision} tensor-core path` };
  return { tflops, source: `${entry.name}: ${entry.source} ${precision}` };
}

/** What the CPU peak estimate is built from. */
export interface CpuFacts {
  threads: number;
  /** The clock: cpufreq's maximum (boost) where known, else /proc/cpuinfo's current MHz. */
  mhz: number | null;
  maxMhz?: number | null;
  vendor?: string | null;
  family?: number | null;
  modelNumber?: number | null;
  modelName?: string | null;
  simd: readonly string[];
}

/**
 * fp32 FLOP per cycle per core by microarchitecture: FMA units × SIMD lanes × 2. AVX-512 does not double it
 * everywhere: Zen 4 runs 512-bit ops on 256-bit units, Xeon Silver/Bronze have one 512-bit FMA unit.
 */
export function cpuFlopsPerCycle(cpu: Omit<CpuFacts, 'threads' | 'mhz'>): { flops: number; arch: string } {
  const has = (f: string) => cpu.simd.includes(f);
  const avx2fma = has('avx2') && has('fma');
  const vendor = cpu.vendor ?? '';
  const family = cpu.family ?? null;
  if (vendor === 'AuthenticAMD' && family !== null) {
    if (family >= 0x1a)
      return { flops: has('avx512f') ? 64 : 32, arch: 'AMD Zen 5 (4 × 512-bit FP pipes, 2 FMA)' };
    if (family === 0x19 && has('avx512f')) return { flops: 32, arch: 'AMD Zen 4 (AVX-512 on 256-bit units)' };
    if (family === 0x19) return { flops: 32, arch: 'AMD Zen 3 (2 × 256-bit FMA)' };
    if (family === 0x17 && (cpu.modelNumber ?? 0) >= 0x30)
      return { flops: 32, arch: 'AMD Zen 2 (2 × 256-bit FMA)' };
    if (family === 0x17) return { flops: 16, arch: 'AMD Zen/Zen+ (2 × 128-bit FMA)' };
  }
  if (has('avx512f')) {
    const oneUnit = /\b(Silver|Bronze)\b/i.test(cpu.modelName ?? '');
    return oneUnit
      ? { flops: 32, arch: 'Intel AVX-512, one 512-bit FMA unit (Xeon Silver/Bronze)' }
      : { flops: 64, arch: 'AVX-512, two 512-bit FMA units' };
  }
  if (avx2fma) return { flops: 32, arch: 'AVX2, two 256-bit FMA units' };
  if (has('avx')) return { flops: 16, arch: 'AVX, no FMA' };
  return { flops: 8, arch: 'SSE' };
}

/**
 * A nominal estimate of a CPU's fp32 peak: threads × clock × FLOP per cycle of its microarchitecture. Never a
 * measured or datasheet figure: without cpufreq (VMs) the clock is the one /proc/cpuinfo reports, and turbo can
 * exceed it, which is why a measured GEMM above 100% is flagged rather than hidden.
 */
export function cpuPeakEstimate(cpu: CpuFacts): PeakEstimate {
  const clock = cpu.maxMhz && cpu.maxMhz > 0 ? cpu.maxMhz : cpu.mhz;
  if (!clock || clock <= 0) return { tflops: null, source: 'CPU clock unknown: no peak estimate' };
  const { flops, arch } = cpuFlopsPerCycle(cpu);
  const tflops = (cpu.threads * clock * 1e6 * flops) / 1e12;
  const clockWhat =
    cpu.maxMhz && cpu.maxMhz > 0
      ? 'max clock (cpufreq)'
      : 'clock reported by /proc/cpuinfo; boost may be higher';
  return {
    tflops,
    source: `nominal estimate, not a datasheet: ${cpu.threads} thread(s) × ${(clock / 1000).toFixed(2)} GHz (${clockWhat}) × ${flops} FLOP/cycle (${arch})`,
  };
}
