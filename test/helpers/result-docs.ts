/** Result documents for renderer tests: a realistic small one and one far larger than any chat message holds. */
import type { BenchResultDoc, BenchRow } from '../../src/core/bench/result.ts';
import type { WorkloadSpec } from '../../src/core/bench/workload.ts';
import { docWith, syntheticRow } from './bench.ts';

/** A realistic CPU result: TF.js, PyTorch and ONNX Runtime on every workload, TF-Python missing. */
export function smallDoc(workloads: readonly WorkloadSpec[]): BenchResultDoc {
  const rows: BenchRow[] = [];
  for (const w of workloads) {
    rows.push(syntheticRow('tfjs', w, { stepMs: 12, latencyMs: 0.035, largeMs: 11, matmulMs: 60 }));
    rows.push(
      syntheticRow('tf-python', w, {
        status: 'unavailable',
        reason: "no Python can import tensorflow (ModuleNotFoundError: No module named 'tensorflow')",
      }),
    );
    rows.push(syntheticRow('torch', w, { stepMs: 1, latencyMs: 0.047, largeMs: 2, matmulMs: 20 }));
    rows.push(syntheticRow('onnxruntime', w, { latencyMs: 0.04, largeMs: 1.2, matmulMs: 24 }));
  }
  return docWith(rows);
}

/** Far more than a chat message can hold: 30 workloads, every runner, a failure with a long reason. */
export function hugeDoc(workloads: readonly WorkloadSpec[]): BenchResultDoc {
  const rows: BenchRow[] = [];
  const mlp = workloads.find((w) => w.id === 'mlp') as WorkloadSpec;
  for (let i = 0; i < 30; i++) {
    const w = { ...structuredClone(mlp), id: `workload-${i}` } as WorkloadSpec;
    for (const precision of ['fp32', 'tf32', 'bf16'] as const) {
      rows.push(syntheticRow('tfjs', w, { stepMs: 3 + i }, { precision }));
      rows.push(syntheticRow('torch', w, { stepMs: 1 + i }, { precision }));
      rows.push(syntheticRow('torch-compile', w, { stepMs: 0.5 + i }, { precision }));
      rows.push(syntheticRow('onnxruntime', w, { latencyMs: 0.02 }, { precision }));
      rows.push(
        syntheticRow(
          'tf-python',
          w,
          { status: 'failed', reason: `<crash> & ${'x'.repeat(5000)}` },
          { precision },
        ),
      );
    }
  }
  return docWith(rows, { notes: Array.from({ length: 40 }, (_, i) => `note ${i}: ${'n'.repeat(200)}`) });
}
