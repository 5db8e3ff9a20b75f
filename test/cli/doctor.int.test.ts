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
