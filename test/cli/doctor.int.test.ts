import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doctorReport, formatDoctor } from '../../src/cli/doctor.ts';
import { RUNNER_INFO, RUNNERS } from '../../src/core/bench/engines.ts';
import { ProcessBenchmarkRunner } from '../../src/infra/bench/ProcessBenchmarkRunner.ts';

describe('tensorduel doctor', () => {
  it('probes every runner on this host and lists what is missing with the install command', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'td-doctor-'));
    const report = await doctorReport(new ProcessBenchmarkRunner({ workDir }));
    expect(report.runners.map((p) => p.runner)).toEqual([...RUNNERS]);
    const probe = (id: (typeof RUNNERS)[number]) => report.runners.find((p) => p.runner === id);
    // The engines the tests run on must be found, with their versions and backends.
    expect(probe('tfjs')).toMatchObject({ available: true });
    expect(probe('tfjs')?.info.backends).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    expect(probe('torch')?.available).toBe(true);
    expect(probe('torch')?.version).toMatch(/^\d+\.\d+/);
    expect(probe('onnxruntime')?.available).toBe(true);
    expect(report.python.torch).toMatch(/torch \d/);
    expect(report.workloads).toEqual({ ok: true, ids: ['mlp', 'cnn', 'transformer', 'matmul'], error: null });
    // Whatever is missing is listed with the runner's install hint, and the text shows it.
    const text = formatDoctor(report);
    for (const p of report.runners.filter((r) => !r.available)) {
      expect(report.missing).toContainEqual({
        runner: RUNNER_INFO[p.runner].label,
        reason: p.reason,
        install: p.installHint,
      });
      expect(text).toContain(`✗ ${RUNNER_INFO[p.runner].label}`);
      expect(text).toContain(`${RUNNER_INFO[p.runner].label}: ${p.installHint}`);
    }
    expect(text).toMatch(/✓ PyTorch \d/);
    expect(text).toMatch(/✓ TensorFlow\.js \d/);
    // The BLAS PyTorch's CPU matmuls use is named, with its core or how it picks one.
    expect(text).toMatch(/^BLAS \(PyTorch's CPU matmuls\): (mkl|openblas|blas)\b/m);
    expect(text).toMatch(/tfjs-node-gpu \(opt-in\) is libtensorflow 2\.9\.1 built for CUDA 11\.2/);
  }, 240_000);

  it('warns about a generic OpenBLAS core on an AVX-512 CPU and says how to fix it', () => {
    const report = {
      environment: {
        host: { os: 'Linux', release: '6', arch: 'x64', hostname: 'h' },
        cpu: {
          model: 'Xeon',
          cores: 2,
          mhz: 2100,
          simd: ['avx2', 'fma', 'avx512f'],
          vendor: 'GenuineIntel',
          family: 6,
          modelNumber: 85,
          maxMhz: null,
        },
        memoryGb: 8,
        gpus: [],
        versions: {},
        loadMax: null,
      },
      python: { configured: null, torch: '/usr/bin/python3 (torch 1.13.0)', tensorflow: null },
      workloads: { ok: true, ids: ['mlp'], error: null },
      runners: [
        {
          runner: 'torch' as const,
          available: true,
          version: '1.13.0',
          reason: null,
          installHint: RUNNER_INFO.torch.installHint,
          info: {
            blas: {
              library: 'openblas',
              version: null,
              core: 'Prescott',
              cpuCapability: 'AVX512',
              libraries: ['libopenblasp-r0.3.21.so'],
              coretypeEnv: null,
            },
          },
        },
      ],
      missing: [],
      warnings: [] as string[],
    };
    report.warnings.push(
      'OpenBLAS runs its generic "Prescott" kernels on a CPU with AVX-512: … set OPENBLAS_CORETYPE=SkylakeX before starting',
    );
    const text = formatDoctor(report);
    expect(text).toMatch(
      /^BLAS \(PyTorch's CPU matmuls\): openblas · core Prescott \(detected by OpenBLAS\).* — WARNING, see below$/m,
    );
    expect(text).toMatch(/^⚠ OpenBLAS runs its generic "Prescott" kernels/m);
  });

  it('reports a broken workload folder and a Python that does not exist', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'td-doctor-'));
    const specs = await mkdtemp(join(tmpdir(), 'td-doctor-specs-'));
    await writeFile(join(specs, 'bad.yaml'), 'id: Not Kebab\n');
    const runner = new ProcessBenchmarkRunner({ workDir, python: '/nonexistent/python3' });
    const report = await doctorReport(runner, specs, '/nonexistent/python3');
    expect(report.workloads.ok).toBe(false);
    expect(report.workloads.error).toMatch(/bad\.yaml/);
    for (const id of ['torch', 'torch-compile', 'tf-python'] as const) {
      const p = report.runners.find((r) => r.runner === id);
      expect(p?.available, id).toBe(false);
      expect(p?.reason, id).toMatch(/TENSORDUEL_PYTHON=\/nonexistent\/python3/);
    }
    const text = formatDoctor(report);
    expect(text).toMatch(/Python: TENSORDUEL_PYTHON=\/nonexistent\/python3/);
    expect(text).toMatch(/Workloads: INVALID: .*bad\.yaml/);
    expect(text).toContain(`PyTorch: ${RUNNER_INFO.torch.installHint}`);
  });
});
