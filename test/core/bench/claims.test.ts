import { beforeAll, describe, expect, it } from 'vitest';
import { claimChecks, claimLines, matmulLines } from '../../../src/core/bench/claims.ts';
import { flagLossMismatches } from '../../../src/core/bench/run.ts';
import type { WorkloadSpec } from '../../../src/core/bench/workload.ts';
import { docWith, syntheticRow, tinyWorkloads } from '../../helpers/bench.ts';

let mlp: WorkloadSpec;
let matmul: WorkloadSpec;

beforeAll(async () => {
  const all = await tinyWorkloads();
  mlp = all.find((w) => w.id === 'mlp') as WorkloadSpec;
  matmul = all.find((w) => w.id === 'matmul') as WorkloadSpec;
});

const inference = (doc: ReturnType<typeof docWith>) => claimChecks(doc).find((c) => c.topic === 'inference');
const training = (doc: ReturnType<typeof docWith>) => claimChecks(doc).find((c) => c.topic === 'training');

describe('claim checks', () => {
  it('calls inference mixed when one engine wins batch-1 latency and the other large-batch throughput', () => {
    // TF.js answers one digit sooner; PyTorch pushes 3× the samples/s through the large batch.
    const doc = docWith([
      syntheticRow('tfjs', mlp, { latencyMs: 0.035, largeMs: 30 }),
      syntheticRow('torch', mlp, { latencyMs: 0.047, largeMs: 10 }),
    ]);
    const check = inference(doc);
    expect(check?.verdict).toBe('mixed');
    expect(check?.ratio).toBeNull();
    const text = check?.text ?? '';
    expect(text).toMatch(/Mixed result/);
    expect(text).toMatch(/at batch 1 TensorFlow\.js [^ ]+ \(wasm\) answered 1\.3× faster/);
    expect(text).toMatch(new RegExp(`at batch ${mlp.kind === 'matmul' ? 0 : mlp.infer.largeBatch} PyTorch`));
    expect(text).toMatch(/3\.0× the throughput/);
    expect(text).not.toMatch(/contrary to the claim/);
    // The wasm caveat still explains why this is not like-for-like.
    expect(text).toMatch(/Not like-for-like: .*wasm/);
  });

  it('says the mixed result the other way round when PyTorch wins latency and TensorFlow throughput', () => {
    const doc = docWith([
      syntheticRow('tfjs', mlp, { latencyMs: 0.2, largeMs: 5 }),
      syntheticRow('torch', mlp, { latencyMs: 0.1, largeMs: 10 }),
    ]);
    const check = inference(doc);
    expect(check?.verdict).toBe('mixed');
    expect(check?.text).toMatch(/at batch 1 PyTorch .* answered 2\.0× faster/);
    expect(check?.text).toMatch(/TensorFlow\.js .* had 2\.0× the throughput/);
    expect(check?.text).toMatch(/holds for single-input latency only/);
  });

  it('is consistent with the claim when PyTorch wins both latency and throughput', () => {
    const doc = docWith([
      syntheticRow('tfjs', mlp, { latencyMs: 0.3, largeMs: 30 }),
      syntheticRow('torch', mlp, { latencyMs: 0.1, largeMs: 10 }),
    ]);
    const check = inference(doc);
    expect(check?.verdict).toBe('consistent');
    expect(check?.ratio).toBeCloseTo(3, 5);
    expect(check?.text).toMatch(/consistent with the claim/);
  });

  it('is contrary when TensorFlow wins latency and throughput is within 10%', () => {
    const doc = docWith([
      syntheticRow('tfjs', mlp, { latencyMs: 0.05, largeMs: 10 }),
      syntheticRow('torch', mlp, { latencyMs: 0.1, largeMs: 10.5 }),
    ]);
    const check = inference(doc);
    expect(check?.verdict).toBe('contrary');
    expect(check?.text).toMatch(/throughput is within noise/);
  });

  it('does not count a throughput gap whose repetition ranges overlap', () => {
    // Batch-1 latency equal; PyTorch's median throughput 1.5× higher, but one slow repetition of TF.js overlaps it.
    const tf = syntheticRow('tfjs', mlp, { latencyMs: 0.1, largeMs: 15 });
    const pt = syntheticRow('torch', mlp, { latencyMs: 0.1, largeMs: 10 });
    tf.metrics.infer_samples_per_s_max = (pt.metrics.infer_samples_per_s_min as number) * 1.01;
    const check = inference(docWith([tf, pt]));
    expect(check?.verdict).toBe('inconclusive');
    expect(check?.text).toMatch(/overlapping repetition ranges/);
  });

  it('is inconclusive when both latency and throughput are within 10%', () => {
    const doc = docWith([
      syntheticRow('tfjs', mlp, { latencyMs: 0.1, largeMs: 10 }),
      syntheticRow('torch', mlp, { latencyMs: 0.105, largeMs: 10.2 }),
    ]);
    expect(inference(doc)?.verdict).toBe('inconclusive');
  });

  it('reports the training ratio with the faster engine first, and overlapping ranges as inconclusive', () => {
    const faster = docWith([
      syntheticRow('tfjs', mlp, { stepMs: 6 }),
      syntheticRow('torch', mlp, { stepMs: 2 }),
    ]);
    const t = training(faster);
    expect(t?.verdict).toBe('contrary');
    expect(t?.ratio).toBeCloseTo(3, 5);
    expect(t?.text).toMatch(/PyTorch 1\.13\.0 \(cpu\) trained the MLP 3\.0× faster than TensorFlow\.js/);
    const close = docWith([
      syntheticRow('tfjs', mlp, { stepMs: 2.01 }),
      syntheticRow('torch', mlp, { stepMs: 2 }),
    ]);
    expect(training(close)?.verdict).toBe('inconclusive');
  });

  it('says why a claim was not measured, naming the missing engine', () => {
    const doc = docWith([
      syntheticRow('tfjs', mlp, {}),
      syntheticRow('torch', mlp, { status: 'unavailable', reason: 'no Python can import torch' }),
    ]);
    const lines = claimLines(doc);
    expect(lines[0]).toMatch(/Not measured here: PyTorch: unavailable \(no Python can import torch\)/);
    expect(claimChecks(doc).every((c) => c.verdict === 'not-measured')).toBe(true);
  });

  it('names each missing runner once (not once per precision) and cuts a long reason at a word', () => {
    const reason = `no usable TF.js backend on CUDA: ${'wasm: no CUDA; '.repeat(12)}end`;
    const doc = docWith([
      syntheticRow('tfjs', mlp, { status: 'unavailable', reason }),
      syntheticRow('tfjs', mlp, { status: 'unavailable', reason }, { precision: 'tf32' }),
      syntheticRow('torch', mlp, {}),
    ]);
    const line = claimLines(doc)[0] ?? '';
    expect(line.match(/TensorFlow\.js/g)).toHaveLength(1);
    expect(line).toMatch(/ wasm: no…\)\.$/); // cut after a whole word
    expect(line).not.toContain('end)');
  });

  it('mentions the loss disagreement as a caveat once a row is flagged', () => {
    const rows = [
      syntheticRow('tfjs', mlp, { loss: [2.5, 1.0] }),
      syntheticRow('torch', mlp, { loss: [2.3, 1.0] }),
    ];
    flagLossMismatches(rows, [mlp]);
    expect(rows[0]?.flags[0]).toMatch(/first-batch loss 2\.50000 differs from PyTorch's 2\.30000/);
    expect(rows[1]?.flags).toEqual([]);
    expect(training(docWith(rows))?.text).toMatch(/their losses disagree/);
  });

  it('puts the matmul TFLOP/s next to the peak estimate', () => {
    const doc = docWith([syntheticRow('torch', matmul, { matmulMs: 1 })]);
    const [line] = matmulLines(doc);
    const row = doc.rows[0];
    expect(row?.metrics.tflops).toBeGreaterThan(0);
    expect(row?.peakTflops).toBeGreaterThan(0);
    expect(line).toMatch(/^Matmul fp32 N=64: PyTorch .* reached .* TFLOP\/s = \d+% of .* TFLOP\/s peak/);
  });
});
