/** Peak dense matmul TFLOP/s of common GPUs (vendor datasheets) and a labelled estimate for CPUs. */
import type { Precision } from './workload.ts';

interface GpuPeak {
  /** Matched case-insensitively against the device name, first match wins (so specific names come first). */
  match: RegExp;
  name: string;
  /** Dense (no structured sparsity) TFLOP/s; null where the GPU has no such tensor-core path. */
  fp32: number;
  tf32: number | null;
  bf16: number | null;
}

// Datasheet figures at boost clock, dense. tf32/bf16 are tensor-core rates (FP32 accumulate).
const GPU_PEAKS: readonly GpuPeak[] = [
  { match: /GH200/i, name: 'GH200', fp32: 67, tf32: 494.7, bf16: 989.4 },
  { match: /H200/i, name: 'H200 SXM', fp32: 67, tf32: 494.7, bf16: 989.4 },
  { match: /H100.*NVL/i, name: 'H100 NVL', fp32: 60, tf32: 417.5, bf16: 835 },
  { match: /H100.*PCIe/i, name: 'H100 PCIe', fp32: 51, tf32: 378, bf16: 756 },
  { match: /H100/i, name: 'H100 SXM', fp32: 67, tf32: 494.7, bf16: 989.4 },
  { match: /A100/i, name: 'A100', fp32: 19.5, tf32: 156, bf16: 312 },
  { match: /L40S/i, name: 'L40S', fp32: 91.6, tf32: 183, bf16: 362.05 },
  { match: /L40/i, name: 'L40', fp32: 90.5, tf32: 90.5, bf16: 181 },
  { match: /\bL4\b/i, name: 'L4', fp32: 30.3, tf32: 60, bf16: 121 },
  { match: /\bA10\b/i, name: 'A10', fp32: 31.2, tf32: 62.5, bf16: 125 },
  { match: /V100/i, name: 'V100', fp32: 15.7, tf32: null, bf16: null },
  { match: /\bT4\b/i, name: 'T4', fp32: 8.1, tf32: null, bf16: null },
  { match: /RTX 4090/i, name: 'GeForce RTX 4090', fp32: 82.6, tf32: 82.6, bf16: 165.2 },
  { match: /RTX 3090/i, name: 'GeForce RTX 3090', fp32: 35.6, tf32: 35.6, bf16: 71 },
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
  return { tflops, source: `${entry.name} datasheet, dense ${precision}` };
}

/**
 * A labelled estimate of a CPU's fp32 peak: threads × clock × FLOP per cycle per core
 * (2 FMA units × 8 fp32 lanes × 2 for AVX2; ×2 again with AVX-512). Never a measured figure.
 */
export function cpuPeakEstimate(options: {
  threads: number;
  mhz: number | null;
  avx512: boolean;
  avx2: boolean;
}): PeakEstimate {
  if (!options.mhz || options.mhz <= 0)
    return { tflops: null, source: 'CPU clock unknown: no peak estimate' };
  const flopsPerCycle = options.avx512 ? 64 : options.avx2 ? 32 : 8;
  const tflops = (options.threads * options.mhz * 1e6 * flopsPerCycle) / 1e12;
  return {
    tflops,
    source: `estimate, not a datasheet: ${options.threads} thread(s) × ${(options.mhz / 1000).toFixed(2)} GHz × ${flopsPerCycle} FLOP/cycle (${options.avx512 ? 'AVX-512' : options.avx2 ? 'AVX2' : 'SSE'} FMA)`,
  };
}
