import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../../src/core/bench/engines.ts';
import { planJobs, resolveBenchRequest } from '../../../src/core/bench/run.ts';
import { DataFileError, UserError } from '../../../src/core/errors.ts';
import { loadWorkloads } from '../../../src/infra/bench/workloads.ts';
import { TEST_ENV } from '../../helpers/bench.ts';

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'td-bench-spec-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

async function failure(dir: string): Promise<DataFileError> {
  try {
    await loadWorkloads(dir);
  } catch (err) {
    if (err instanceof DataFileError) return err;
    throw err;
  }
  throw new Error('loadWorkloads accepted a bad spec');
}

describe('workload specs (benchmarks/*.yaml)', () => {
  it('loads the four shipped workloads in a fixed order with their defaults', async () => {
    const workloads = await loadWorkloads('benchmarks');
    expect(workloads.map((w) => w.id)).toEqual(['mlp', 'cnn', 'transformer', 'matmul']);
    const mlp = workloads[0];
    if (mlp?.kind !== 'mlp') throw new Error('mlp missing');
    expect(mlp.model.hidden).toBe(128);
    expect(mlp.train.batch).toBe(128);
    expect(mlp.train.optimizer.lr).toBe(0.001);
    for (const w of workloads) expect(w.run.repeats).toBeGreaterThanOrEqual(5);
  });

  it('names the file and the field of a bad spec', async () => {
    const mlp = await readFile('benchmarks/mlp.yaml', 'utf8');
    const badBatch = await dirWith({ 'mlp.yaml': mlp.replace('batch: 128', 'batch: -4') });
    const err = await failure(badBatch);
    expect(err.file).toMatch(/mlp\.yaml$/);
    expect(err.field).toBe('train.batch');
    expect(err.message).toContain('mlp.yaml');

    const unknownKey = await dirWith({
      'mlp.yaml': mlp.replace('hidden: 128', 'hidden: 128\n  dropout: 0.5'),
    });
    const err2 = await failure(unknownKey);
    expect(err2.message).toMatch(/dropout/);
    expect(err2.field).toMatch(/^model/);

    const syntax = await dirWith({ 'broken.yaml': 'id: [mlp\n' });
    const err3 = await failure(syntax);
    expect(err3.file).toMatch(/broken\.yaml$/);
    expect(err3.field).toBe('(syntax)');
  });

  it('rejects a transformer whose width is not a multiple of its heads, and duplicate ids', async () => {
    const tr = await readFile('benchmarks/transformer.yaml', 'utf8');
    const heads = await dirWith({ 't.yaml': tr.replace(/heads: \d+/, 'heads: 7') });
    expect((await failure(heads)).field).toBe('model.heads');
    const mlp = await readFile('benchmarks/mlp.yaml', 'utf8');
    const dup = await dirWith({ 'a.yaml': mlp, 'b.yaml': mlp });
    const err = await failure(dup);
    expect(err.field).toBe('id');
    expect(err.message).toMatch(/duplicate workload id "mlp"/);
  });
});

describe('benchmark request names', () => {
  it('rejects an unknown workload and lists the valid ones', async () => {
    const workloads = await loadWorkloads('benchmarks');
    expect(() => resolveBenchRequest({ workloads: ['mlp', 'resnet'] }, workloads)).toThrow(UserError);
    expect(() => resolveBenchRequest({ workloads: ['resnet'] }, workloads)).toThrow(
      'Unknown workload "resnet". Valid workloads: mlp, cnn, transformer, matmul.',
    );
  });

  it('rejects an unknown engine and lists the valid ones', async () => {
    const workloads = await loadWorkloads('benchmarks');
    expect(() => resolveBenchRequest({ engines: ['pytorch', 'jax'] }, workloads)).toThrow(
      `Unknown engine "jax". Valid engines: ${ENGINES.join(', ')}.`,
    );
    expect(() => resolveBenchRequest({ engines: [','] }, workloads)).toThrow(/Valid engines/);
  });

  it('accepts comma lists in any case and plans fp32 only on a host without a GPU', async () => {
    const workloads = await loadWorkloads('benchmarks');
    const resolved = resolveBenchRequest(
      { workloads: ['MLP, matmul'], engines: ['PyTorch'], repeats: 2, processes: 2 },
      workloads,
    );
    expect(resolved.settings.workloads).toEqual(['mlp', 'matmul']);
    const { jobs, notes } = planJobs(resolved, TEST_ENV);
    expect(jobs.map((j) => `${j.workload.id}/${j.runner}/${j.precision}`)).toEqual([
      'mlp/torch/fp32',
      'matmul/torch/fp32',
    ]);
    expect(notes.join('\n')).toMatch(/tf32, bf16 skipped/);
    expect(notes.join('\n')).toMatch(/Only 4 repetition\(s\) in all: fewer than 5/);
    expect(notes.join('\n')).toMatch(/Only 2 process\(es\) per engine: fewer than 3/);
  });

  it('defaults to 3 interleaved processes per engine with 3 repetitions each', async () => {
    const resolved = resolveBenchRequest({}, await loadWorkloads('benchmarks'));
    expect(resolved.settings.processes).toBe(3);
    expect(resolved.settings.repeats).toBe(3);
    expect(() => resolveBenchRequest({ processes: 0 }, [])).toThrow();
  });
});
