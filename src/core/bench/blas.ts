/** The host's BLAS as an engine found it: one line for rows and doctor, and a warning when its kernels are generic. */
import type { BlasInfo } from './protocol.ts';

/** OpenBLAS cores without AVX2 kernels (generic x86-64, SSE-era and pre-Haswell targets). */
const PRE_AVX2_CORES = [
  'prescott',
  'core2',
  'penryn',
  'dunnington',
  'nehalem',
  'atom',
  'katmai',
  'coppermine',
  'northwood',
  'banias',
  'opteron',
  'barcelona',
  'bobcat',
  'bulldozer',
  'piledriver',
  'steamroller',
  'excavator',
  'sandybridge',
  'generic',
];

/** OpenBLAS cores with AVX-512 kernels. */
const AVX512_CORES = ['skylakex', 'cooperlake', 'sapphirerapids'];

/**
 * A warning when OpenBLAS runs kernels below what the CPU can do (e.g. Debian's OpenBLAS 0.3.21 picks
 * "Prescott" on CPUs it does not know), with the fix; null when the core fits or is not OpenBLAS.
 * Nothing is ever set for the user: the measured row describes the host as it is.
 * @example
 * blasWarning({ library: 'openblas', core: 'Prescott', … }, ['avx2', 'fma', 'avx512f']);
 * // 'OpenBLAS runs its generic "Prescott" kernels on a CPU with AVX-512: …'
 */
export function blasWarning(blas: BlasInfo | null, simd: readonly string[]): string | null {
  if (blas?.library !== 'openblas' || !blas.core) return null;
  const core = blas.core.toLowerCase();
  const avx512 = simd.includes('avx512f');
  const avx2 = simd.includes('avx2') && simd.includes('fma');
  const forced = blas.coretypeEnv ? ` (OPENBLAS_CORETYPE=${blas.coretypeEnv} is set)` : '';
  const fix = `set OPENBLAS_CORETYPE=${avx512 ? 'SkylakeX' : 'Haswell'} before starting, or install an OpenBLAS that knows this CPU (pip's torch uses MKL)`;
  if ((avx2 || avx512) && PRE_AVX2_CORES.includes(core))
    return `OpenBLAS runs its generic "${blas.core}" kernels${forced} on a CPU with ${avx512 ? 'AVX-512' : 'AVX2'}: CPU matmuls are several times slower than this host can do; ${fix}`;
  if (avx512 && !AVX512_CORES.includes(core))
    return `OpenBLAS runs its "${blas.core}" kernels${forced} on a CPU with AVX-512: matmuls leave the 512-bit units idle; ${fix}`;
  return null;
}

/** One line naming the BLAS, e.g. "mkl 2024.2 · ATen AVX512" or "openblas core Prescott (libopenblasp-r0.3.21.so)". */
export function blasLine(blas: BlasInfo): string {
  const parts = [`${blas.library ?? 'unknown BLAS'}${blas.version ? ` ${blas.version}` : ''}`];
  if (blas.library === 'openblas')
    parts.push(
      `core ${blas.core ?? 'unknown'}${blas.coretypeEnv ? ' (OPENBLAS_CORETYPE set)' : ' (detected by OpenBLAS)'}`,
    );
  else if (blas.core) parts.push(blas.core);
  if (blas.cpuCapability) parts.push(`ATen CPU capability ${blas.cpuCapability}`);
  const others =
    blas.library === 'mkl' ? blas.libraries : blas.libraries.filter((l) => !l.includes(blas.library ?? '?'));
  if (blas.library === 'mkl' && others.length > 0)
    parts.push(`also mapped, not torch's: ${others.join(', ')}`);
  else if (blas.libraries.length > 0) parts.push(`loaded: ${blas.libraries.join(', ')}`);
  return parts.join(' · ');
}
