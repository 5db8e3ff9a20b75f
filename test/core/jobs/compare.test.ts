import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkloadSpec } from '../../../src/core/bench/workload.ts';
import { compareResults } from '../../../src/core/jobs/compare.ts';
import { docWith, syntheticRow, tinyWorkloads } from '../../helpers/bench.ts';

describe('compareResults', () => {
  let mlp: WorkloadSpec;
  let matmul: WorkloadSpec;
  beforeAll(async () => {
    const all = await tinyWorkloads();
    mlp = all.find((w) => w.id === 'mlp') as WorkloadSpec;
    matmul = all.find((w) => w.id === 'matmul') as WorkloadSpec;
  });

  it('lines up the ok rows of two runs with B/A for samples/s, p50 latency and TFLOP/s', () => {
    const a = docWith(
      [syntheticRow('torch', mlp, { stepMs: 4 }), syntheticRow('torch', matmul, { matmulMs: 2 })],
      {
        id: 'bench-a',
      },
    );
    const b = docWith(
      [syntheticRow('torch', mlp, { stepMs: 2 }), syntheticRow('torch', matmul, { matmulMs: 1 })],
      {
        id: 'bench-b',
      },
    );
    const { title, table, notes } = compareResults(a, b, { a: 'b1', b: 'b2' });
    expect(title).toBe('Benchmark b1 (bench-a) vs b2 (bench-b)');
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^Workload\s+Engine\s+Prec\s+Device\s+Metric\s+A \(b1\)\s+B \(b2\)\s+B\/A$/);
    const train = lines.find((l) => l.includes('train samples/s'));
    // Half the step time: twice the samples per second.
    expect(train).toMatch(/MLP\s+PyTorch.*2\.00×$/);
    expect(lines.find((l) => l.includes('TFLOP/s'))).toMatch(/Matmul.*2\.00×$/);
    expect(lines.some((l) => l.includes('infer p50 ms'))).toBe(true);
    expect(notes.at(-1)).toContain('B/A above 1 means B is higher');
  });

  it('shows a dash where one side has no ok row, and says when nothing compares', () => {
    const a = docWith([syntheticRow('torch', mlp, {})]);
    const b = docWith([syntheticRow('torch', mlp, { status: 'failed', reason: 'crashed' })]);
    const { table } = compareResults(a, b);
    expect(table.split('\n').find((l) => l.includes('train samples/s'))).toMatch(/—\s+—$/);
    expect(compareResults(b, b).table).toBe('Neither run has a successful row to compare.');
  });
});
