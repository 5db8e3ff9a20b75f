import { beforeAll, describe, expect, it } from 'vitest';
import { measuredLine } from '../../../src/core/bench/measured.ts';
import type { WorkloadSpec } from '../../../src/core/bench/workload.ts';
import { docWith, syntheticRow, tinyWorkloads } from '../../helpers/bench.ts';

let mlp: WorkloadSpec;
let cnn: WorkloadSpec;
beforeAll(async () => {
  const all = await tinyWorkloads();
  mlp = all.find((w) => w.id === 'mlp') as WorkloadSpec;
  cnn = all.find((w) => w.id === 'cnn') as WorkloadSpec;
});

describe('measuredLine', () => {
  it('cites the run, its date and device, and says where native TensorFlow and PyTorch stand', () => {
    const doc = docWith(
      [
        syntheticRow('tf-python', mlp, { stepMs: 1, latencyMs: 0.2, largeMs: 10 }),
        syntheticRow('torch', mlp, { stepMs: 2, latencyMs: 0.1, largeMs: 10 }),
      ],
      { id: 'b12', createdAt: '2026-11-30T09:00:00.000Z' },
    );
    expect(measuredLine([doc], 'training')).toBe(
      'Measured here on 2026-11-30 (run `b12`, CPU): TensorFlow (Python) trained the MLP 2.0× faster than PyTorch (consistent with the article).',
    );
    expect(measuredLine([doc], 'inference')).toBe(
      'Measured here on 2026-11-30 (run `b12`, CPU): PyTorch answered the MLP 2.0× sooner than TensorFlow (Python) at batch 1 (consistent with the article).',
    );
  });

  it('says "not comparable" when only TF.js stood for TensorFlow', () => {
    const doc = docWith(
      [
        syntheticRow('tfjs', mlp, { stepMs: 6.4 }),
        syntheticRow('tf-python', mlp, { status: 'unavailable', reason: 'no Python can import tensorflow' }),
        syntheticRow('torch', mlp, { stepMs: 1 }),
      ],
      { id: 'b12', createdAt: '2026-11-30T09:00:00.000Z' },
    );
    expect(measuredLine([doc], 'training')).toBe(
      'Measured here on 2026-11-30 (run `b12`, CPU): PyTorch trained the MLP 6.4× faster than TensorFlow.js (wasm); not comparable: PyTorch vs TensorFlow.js (wasm).',
    );
  });

  it('uses the newest completed run that measured the aspect, one clause per workload', () => {
    const old = docWith(
      [syntheticRow('tf-python', mlp, { stepMs: 1 }), syntheticRow('torch', mlp, { stepMs: 3 })],
      {
        id: 'old',
        createdAt: '2026-11-01T00:00:00.000Z',
      },
    );
    const cancelled = docWith([syntheticRow('torch', mlp, { stepMs: 1 })], {
      id: 'cancelled',
      createdAt: '2026-12-01T00:00:00.000Z',
      completed: false,
    });
    const torchOnly = docWith([syntheticRow('torch', mlp, { stepMs: 1 })], {
      id: 'torch-only',
      createdAt: '2026-11-20T00:00:00.000Z',
    });
    const both = docWith(
      [
        syntheticRow('tf-python', mlp, { stepMs: 1 }),
        syntheticRow('torch', mlp, { stepMs: 1.01 }),
        syntheticRow('tf-python', cnn, { stepMs: 3 }),
        syntheticRow('torch', cnn, { stepMs: 1 }),
      ],
      { id: 'both', createdAt: '2026-11-10T00:00:00.000Z' },
    );
    expect(measuredLine([old, cancelled, torchOnly, both], 'training')).toBe(
      'Measured here on 2026-11-10 (run `both`, CPU): TensorFlow (Python) and PyTorch trained the MLP within noise of each other (too close to call); PyTorch trained the CNN 3.0× faster than TensorFlow (Python) (contrary to the article).',
    );
  });

  it('is null when no run measured both sides', () => {
    expect(measuredLine([], 'training')).toBeNull();
    const torchOnly = docWith([syntheticRow('torch', mlp, {})]);
    expect(measuredLine([torchOnly], 'inference')).toBeNull();
  });
});
