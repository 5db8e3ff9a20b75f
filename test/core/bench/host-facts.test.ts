/** BLAS warnings, CPU and GPU peaks, and /proc/cpuinfo parsing: the host facts a row is read against. */
import { describe, expect, it } from 'vitest';
import { blasLine, blasWarning } from '../../../src/core/bench/blas.ts';
import { cpuFlopsPerCycle, cpuPeakEstimate, gpuPeak } from '../../../src/core/bench/peaks.ts';
import type { BlasInfo } from '../../../src/core/bench/protocol.ts';
import { parseCpuinfo } from '../../../src/infra/bench/environment.ts';

const openblas = (core: string, coretypeEnv: string | null = null): BlasInfo => ({
  library: 'openblas',
  version: null,
  core,
  cpuCapability: 'AVX512',
  libraries: ['openblas-pthread/libopenblasp-r0.3.21.so'],
  coretypeEnv,
});
const AVX512 = ['avx', 'avx2', 'fma', 'avx512f'];

describe('BLAS warnings', () => {
  it('warns when OpenBLAS runs its generic Prescott kernels on an AVX-512 CPU, and says how to fix it', () => {
    const w = blasWarning(openblas('Prescott'), AVX512);
    expect(w).toMatch(/generic "Prescott" kernels on a CPU with AVX-512/);
    expect(w).toMatch(/OPENBLAS_CORETYPE=SkylakeX/);
  });

  it('warns for AVX2 kernels on AVX-512 and names a forced core type as forced', () => {
    expect(blasWarning(openblas('Haswell', 'Haswell'), AVX512)).toMatch(
      /"Haswell" kernels \(OPENBLAS_CORETYPE=Haswell is set\) on a CPU with AVX-512/,
    );
  });

  it('stays quiet when the core fits the CPU, or the BLAS is not OpenBLAS', () => {
    expect(blasWarning(openblas('SkylakeX'), AVX512)).toBeNull();
    expect(blasWarning(openblas('Cooperlake'), AVX512)).toBeNull();
    expect(blasWarning(openblas('Haswell'), ['avx', 'avx2', 'fma'])).toBeNull();
    expect(blasWarning(openblas('Prescott'), ['sse4_2'])).toBeNull();
    expect(blasWarning({ ...openblas('x'), library: 'mkl', core: null }, AVX512)).toBeNull();
    expect(blasWarning(null, AVX512)).toBeNull();
  });

  it('names library, core and who chose it in one line', () => {
    expect(blasLine(openblas('Prescott'))).toBe(
      'openblas · core Prescott (detected by OpenBLAS) · ATen CPU capability AVX512 · loaded: openblas-pthread/libopenblasp-r0.3.21.so',
    );
  });
});

describe('peaks', () => {
  it('gives each GPU variant its own datasheet row, with the source cited', () => {
    expect(gpuPeak('NVIDIA H200 NVL', 'bf16').tflops).toBe(835.5);
    expect(gpuPeak('NVIDIA H200', 'bf16').tflops).toBe(989.5);
    expect(gpuPeak('NVIDIA H100 PCIe', 'tf32').tflops).toBe(378);
    expect(gpuPeak('NVIDIA GeForce RTX 4090 Laptop GPU', 'fp32').tflops).toBeNull();
    expect(gpuPeak('NVIDIA GeForce RTX 4090', 'fp32').tflops).toBe(82.6);
    expect(gpuPeak('NVIDIA GeForce RTX 3090 Ti', 'fp32').tflops).toBe(40);
    expect(gpuPeak('NVIDIA GeForce RTX 3090', 'fp32').tflops).toBe(35.6);
    expect(gpuPeak('Tesla V100-PCIE-16GB', 'fp32').tflops).toBe(14);
    expect(gpuPeak('Tesla V100-SXM2-16GB', 'fp32').tflops).toBe(15.7);
    expect(gpuPeak('NVIDIA A100-SXM4-80GB', 'tf32').source).toMatch(/A100 Tensor Core GPU datasheet/);
    expect(gpuPeak('Tesla T4', 'bf16')).toEqual({ tflops: null, source: 'T4 has no bf16 tensor-core path' });
  });

  it('counts FLOP per cycle by microarchitecture, not by the AVX-512 flag alone', () => {
    expect(
      cpuFlopsPerCycle({ vendor: 'AuthenticAMD', family: 0x19, modelNumber: 0x11, simd: AVX512 }).flops,
    ).toBe(32);
    expect(
      cpuFlopsPerCycle({ vendor: 'AuthenticAMD', family: 0x1a, modelNumber: 2, simd: AVX512 }).flops,
    ).toBe(64);
    expect(
      cpuFlopsPerCycle({ vendor: 'AuthenticAMD', family: 0x17, modelNumber: 0x31, simd: ['avx2', 'fma'] })
        .flops,
    ).toBe(32);
    expect(
      cpuFlopsPerCycle({
        vendor: 'GenuineIntel',
        family: 6,
        modelName: 'Intel(R) Xeon(R) Silver 4214',
        simd: AVX512,
      }).flops,
    ).toBe(32);
    expect(
      cpuFlopsPerCycle({
        vendor: 'GenuineIntel',
        family: 6,
        modelName: 'Intel(R) Xeon(R) Gold 6248',
        simd: AVX512,
      }).flops,
    ).toBe(64);
  });

  it('labels the CPU peak a nominal estimate and prefers the max clock when the host gives one', () => {
    const base = { threads: 1, mhz: 2000, vendor: 'GenuineIntel', family: 6, simd: ['avx2', 'fma'] };
    expect(cpuPeakEstimate(base)).toEqual({
      tflops: 0.064,
      source:
        'nominal estimate, not a datasheet: 1 thread(s) × 2.00 GHz (clock reported by /proc/cpuinfo; boost may be higher) × 32 FLOP/cycle (AVX2, two 256-bit FMA units)',
    });
    expect(cpuPeakEstimate({ ...base, maxMhz: 3000 }).tflops).toBeCloseTo(0.096, 10);
    expect(cpuPeakEstimate({ ...base, mhz: null }).tflops).toBeNull();
  });
});

describe('/proc/cpuinfo', () => {
  it('reads vendor, family, model, clock and the SIMD flags of the first CPU', () => {
    const text = [
      'processor\t: 0',
      'vendor_id\t: AuthenticAMD',
      'cpu family\t: 26',
      'model\t\t: 2',
      'model name\t: AMD EPYC',
      'cpu MHz\t\t: 2596.122',
      'flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512_bf16',
    ].join('\n');
    expect(parseCpuinfo(text)).toEqual({
      mhz: 2596.122,
      simd: ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_bf16'],
      model: 'AMD EPYC',
      vendor: 'AuthenticAMD',
      family: 26,
      modelNumber: 2,
    });
  });
});
