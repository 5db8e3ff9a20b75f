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
    // TensorFlow answers one digit sooner; PyTorch pushes 3× the samples/s through the large batch.
    const doc = docWith([
      syntheticRow('tf-python', mlp, { latencyMs: 0.035, largeMs: 30 }),
      syntheticRow('torch', mlp, { latencyMs: 0.047, largeMs: 10 }),
    ]);
    const check = inference(doc);
    expect(check?.verdict).toBe('mixed');
    expect(check?.ratio).toBeNull();
    const text = check?.text ?? '';
    expect(text).toMatch(/Mixed result/);
    expect(text).toMatch(/at batch 1 TensorFlow \(Python\) [^ ]+ \(cpu\) answered 1\.3× faster/);
    expect(text).toMatch(new RegExp(`at batch ${mlp.kind === 'matmul' ? 0 : mlp.infer.largeBatch} PyTorch`));
    expect(text).toMatch(/3\.0× the throughput/);
    expect(text).not.toMatch(/contrary to the claim/);
    expect(text).toMatch(/Rests on 1 \+ 1 runner processes \(5 \+ 5 repetitions\)/);
  });

  it('says the mixed result the other way round when PyTorch wins latency and TensorFlow throughput', () => {
    const doc = docWith([
      syntheticRow('tf-python', mlp, { latencyMs: 0.2, largeMs: 5 }),
      syntheticRow('torch', mlp, { latencyMs: 0.1, largeMs: 10 }),
    ]);
    const check = inference(doc);
    expect(check?.verdict).toBe('mixed');
    expect(check?.text).toMatch(/at batch 1 PyTorch .* answered 2\.0× faster/);
    expect(check?.text).toMatch(/TensorFlow \(Python\) .* had 2\.0× the throughput/);
    expect(check?.text).toMatch(/holds for single-input latency only/);
  });

  it('is consistent with the claim when PyTorch wins both latency and throughput', () => {
    const doc = docWith([
      syntheticRow('tf-python', mlp, { latencyMs: 0.3, largeMs: 30 }),
      syntheticRow('torch', mlp, { latencyMs: 0.1, largeMs: 10 }),
    ]);
    const check = inference(doc);
    expect(check?.verdict).toBe('consistent');
    expect(check?.ratio).toBeCloseTo(3, 5);
    expect(check?.text).toMatch(/consistent with the claim/);
  });

  it('is contrary when TensorFlow wins latency and throughput is within 10%', () => {
    const doc = docWith([
      syntheticRow('tf-python', mlp, { latencyMs: 0.05, largeMs: 10 }),
      syntheticRow('torch', mlp, { latencyMs: 0.1, largeMs: 10.5 }),
    ]);
    const check = inference(doc);
    expect(check?.verdict).toBe('contrary');
    expect(check?.text).toMatch(/throughput is within noise/);
  });

  it('does not count a throughput gap whose repetition ranges overlap', () => {
    // Batch-1 latency equal; PyTorch's median throughput 1.5× higher, but one slow repetition of TensorFlow overlaps it.
    const tf = syntheticRow('tf-python', mlp, { latencyMs: 0.1, largeMs: 15 });
    const pt = syntheticRow('torch', mlp, { latencyMs: 0.1, largeMs: 10 });
    tf.metrics.infer_samples_per_s_max = (pt.metrics.infer_samples_per_s_min as number) * 1.01;
    const check = inference(docWith([tf, pt]));
    expect(check?.verdict).toBe('inconclusive');
    expect(check?.text).toMatch(/overlapping ranges/);
  });

  it('is inconclusive when both latency and throughput are within 10%', () => {
    const doc = docWith([
      syntheticRow('tf-python', mlp, { latencyMs: 0.1, largeMs: 10 }),
      syntheticRow('torch', mlp, { latencyMs: 0.105, largeMs: 10.2 }),
    ]);
    expect(inference(doc)?.verdict).toBe('inconclusive');
  });

  it('reports the training ratio with the faster engine first, and overlapping ranges as inconclusive', () => {
    const faster = docWith([
      syntheticRow('tf-python', mlp, { stepMs: 6 }),
      syntheticRow('torch', mlp, { stepMs: 2 }),
    ]);
    const t = training(faster);
    expect(t?.verdict).toBe('contrary');
    expect(t?.ratio).toBeCloseTo(3, 5);
    expect(t?.text).toMatch(
      /PyTorch 2\.13\.0 \(cpu\) trained the MLP 3\.0× faster than TensorFlow \(Python\)/,
    );
    const close = docWith([
      syntheticRow('tf-python', mlp, { stepMs: 2.01 }),
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

  it('says "not comparable" first when the TensorFlow side is TF.js, and still gives the figures for reference', () => {
    const doc = docWith([
      syntheticRow('tfjs', mlp, { stepMs: 6, latencyMs: 0.3, largeMs: 30 }),
      syntheticRow('tf-python', mlp, { status: 'unavailable', reason: 'no Python can import tensorflow' }),
      syntheticRow('torch', mlp, { stepMs: 2, latencyMs: 0.1, largeMs: 10 }),
    ]);
    for (const check of [training(doc), inference(doc)]) {
      expect(check?.verdict).toBe('not-comparable');
      expect(check?.text).toMatch(
        /faster\. Not comparable: TensorFlow\.js 4\.22\.0 \(wasm\) is not TensorFlow's native runtime/,
      );
      expect(check?.text).toMatch(
        /Python TensorFlow \(the native runtime\) did not run here \(no Python can import tensorflow\)/,
      );
      expect(check?.text).not.toMatch(/contrary to the claim|consistent with the claim/);
    }
    expect(training(doc)?.text).toMatch(
      /For reference only: PyTorch 2\.13\.0 \(cpu\) trained the MLP 3\.0× faster than TensorFlow\.js/,
    );
  });

  it('prefers native TensorFlow over TF.js when both ran, so the verdict is a real one', () => {
    const doc = docWith([
      syntheticRow('tfjs', mlp, { stepMs: 60 }),
      syntheticRow('tf-python', mlp, { stepMs: 6 }),
      syntheticRow('torch', mlp, { stepMs: 2 }),
    ]);
    const t = training(doc);
    expect(t?.verdict).toBe('contrary');
    expect(t?.sides?.slow).toMatch(/^TensorFlow \(Python\)/);
  });

  it('is not comparable when the two sides ran on different devices', () => {
    const tf = syntheticRow('tf-python', mlp, { stepMs: 6 });
    tf.device = 'cuda';
    const doc = docWith([tf, syntheticRow('torch', mlp, { stepMs: 2 })]);
    expect(training(doc)?.verdict).toBe('not-comparable');
    expect(training(doc)?.text).toMatch(
      /Not comparable: they ran on different devices \(cuda vs cpu\)|Not comparable: they ran on different devices \(cpu vs cuda\)/,
    );
  });

  it('gates batch-1 latency on every process: a gap whose per-process p50s overlap is noise', () => {
    const tf = syntheticRow('tf-python', mlp, { latencyMs: 0.2, largeMs: 10 });
    const pt = syntheticRow('torch', mlp, { latencyMs: 0.1, largeMs: 10 });
    const proc = (p50: number) => ({
      train_samples_per_s: null,
      infer_latency_ms_p50: p50,
      infer_samples_per_s: null,
      tflops: null,
    });
    tf.processes = 3;
    pt.processes = 3;
    tf.perProcess = [proc(0.2), proc(0.21), proc(0.09)];
    pt.perProcess = [proc(0.1), proc(0.1), proc(0.11)];
    const check = inference(docWith([tf, pt]));
    expect(check?.verdict).toBe('inconclusive');
    expect(check?.text).toMatch(/Rests on 3 \+ 3 runner processes \(15 \+ 15 repetitions\)/);
    tf.perProcess = [proc(0.2), proc(0.21), proc(0.19)];
    expect(inference(docWith([tf, pt]))?.verdict).toBe('consistent');
  });

  it('flags a GEMM above the nominal CPU peak instead of printing an impossible share silently', () => {
    // 64³ · 2 FLOP in 1e-6 ms per multiplication is far beyond a 2 GHz AVX2 core.
    const doc = docWith([syntheticRow('torch', matmul, { matmulMs: 1e-6 })]);
    const row = doc.rows[0];
    expect(row?.flags.join(' ')).toMatch(/of the nominal peak: the estimate is too low for this host/);
    expect(matmulLines(doc)[0]).toMatch(/over 100%: the nominal peak is too low/);
    expect(row?.peakSource).toMatch(/^nominal estimate/);
  });

  it('turns a decisive verdict into "inconclusive" on a busy host, keeping the figures', () => {
    const rows = [syntheticRow('tf-python', mlp, { stepMs: 6 }), syntheticRow('torch', mlp, { stepMs: 2 })];
    const quiet = docWith(rows);
    quiet.environment.loadMax = 2.5;
    expect(training(quiet)?.verdict).toBe('contrary');
    const busy = docWith(rows);
    busy.environment.loadMax = 12.5;
    const t = training(busy);
    expect(t?.verdict).toBe('inconclusive');
    expect(t?.text).toMatch(
      /Inconclusive: the host was busy \(load average up to 12\.5 on 2 cores while this ran\)/,
    );
    expect(t?.text).toMatch(/PyTorch 2\.13\.0 \(cpu\) trained the MLP 3\.0× faster/);
    expect(t?.text).not.toMatch(/contrary to the claim/);
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
