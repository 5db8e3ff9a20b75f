/**
 * Claim checks: what this host's numbers say about the article's two speed claims ("TensorFlow trains faster",
 * "PyTorch infers faster"), stated with the reasons a comparison is not like-for-like.
 */
import { engineName, fmt, workloadName } from './format.ts';
import type { BenchResultDoc, BenchRow } from './result.ts';

/** How a measurement bears on a claim. */
export type ClaimVerdict = 'consistent' | 'contrary' | 'mixed' | 'inconclusive' | 'not-measured';

/** One checked claim for one workload. */
export interface ClaimCheck {
  topic: 'training' | 'inference';
  workload: string;
  verdict: ClaimVerdict;
  /** Faster over slower (≥ 1), when both sides were measured; null for a mixed inference result. */
  ratio: number | null;
  /** The sentence shown to users. */
  text: string;
}

function backendCaveat(row: BenchRow): string | null {
  if (row.runner !== 'tfjs') return null;
  const b = row.backend ?? '';
  if (b.startsWith('wasm'))
    return "TensorFlow.js's wasm backend runs WebAssembly kernels, single-threaded, inside Node, not TensorFlow's native C++ runtime";
  if (b.startsWith('cpu'))
    return "TensorFlow.js's cpu backend runs plain JavaScript kernels, not TensorFlow's native runtime";
  if (b.startsWith('tfjs-node'))
    return 'TensorFlow.js drives libtensorflow op by op from JavaScript (eager), without tf.function graphs';
  return null;
}

/** Reasons two rows are not a like-for-like comparison. */
export function caveats(a: BenchRow, b: BenchRow): string[] {
  const out: string[] = [];
  if (a.device !== b.device) out.push(`they ran on different devices (${a.device} vs ${b.device})`);
  for (const r of [a, b]) {
    const c = backendCaveat(r);
    if (c) out.push(c);
  }
  if (a.threads !== null && b.threads !== null && a.threads !== b.threads)
    out.push(`thread counts differ (${a.threads} vs ${b.threads})`);
  for (const r of [a, b])
    for (const n of r.notes) if (!n.startsWith('inference only')) out.push(`${r.label}: ${n}`);
  if (a.flags.length > 0 || b.flags.length > 0)
    out.push('their losses disagree, so the two runs may not compute the same thing');
  return out;
}

function best(
  rows: BenchRow[],
  score: (r: BenchRow) => number | null,
  higherIsBetter: boolean,
): BenchRow | null {
  let top: BenchRow | null = null;
  let topScore = 0;
  for (const r of rows) {
    const s = score(r);
    if (s === null) continue;
    if (top === null || (higherIsBetter ? s > topScore : s < topScore)) {
      top = r;
      topScore = s;
    }
  }
  return top;
}

function missingWhy(doc: BenchResultDoc, workload: string, engine: 'tensorflow' | 'pytorch'): string {
  const all = doc.rows.filter((r) => r.workload === workload && r.engine === engine);
  if (all.length === 0) return `${engine === 'tensorflow' ? 'TensorFlow' : 'PyTorch'} was not selected`;
  // The claims compare fp32 rows; tf32/bf16 rows of the same runner fail for the same reason, said once.
  const rows = all.some((r) => r.precision === 'fp32') ? all.filter((r) => r.precision === 'fp32') : all;
  const byRunner = new Map<string, string>();
  for (const r of rows)
    if (!byRunner.has(r.label))
      byRunner.set(r.label, `${r.label}: ${r.status}${r.reason ? ` (${clip(r.reason, 120)})` : ''}`);
  return [...byRunner.values()].join('; ');
}

/** `text` cut to about `max` characters at a word boundary, with an ellipsis when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:(]+$/, '')}…`;
}

function tfMissingNote(doc: BenchResultDoc, workload: string): string | null {
  const py = doc.rows.find((r) => r.workload === workload && r.runner === 'tf-python');
  if (py && py.status !== 'ok')
    return 'Python TensorFlow (the native runtime) was not available here, so TensorFlow is represented by TensorFlow.js';
  return null;
}

/** The claim checks of a result document, training then inference, per workload (fp32 rows only). */
export function claimChecks(doc: BenchResultDoc): ClaimCheck[] {
  const out: ClaimCheck[] = [];
  const workloads = [...new Set(doc.rows.map((r) => r.workload))].filter((w) => w !== 'matmul');
  for (const w of workloads) {
    const rows = doc.rows.filter((r) => r.workload === w && r.status === 'ok' && r.precision === 'fp32');
    const name = workloadName(w);

    // Training: the article says TensorFlow is faster.
    const trainScore = (r: BenchRow) => r.metrics.train_samples_per_s;
    const tf = best(
      rows.filter((r) => r.engine === 'tensorflow'),
      trainScore,
      true,
    );
    const pt = best(
      rows.filter((r) => r.engine === 'pytorch'),
      trainScore,
      true,
    );
    const lead = `Training speed (${name}) — the article says TensorFlow trains faster.`;
    if (!tf || !pt) {
      const gone = [!tf && missingWhy(doc, w, 'tensorflow'), !pt && missingWhy(doc, w, 'pytorch')]
        .filter(Boolean)
        .join('; ');
      out.push({
        topic: 'training',
        workload: w,
        verdict: 'not-measured',
        ratio: null,
        text: `${lead} Not measured here: ${gone}.`,
      });
    } else {
      const [fast, slow] =
        (tf.metrics.train_samples_per_s ?? 0) >= (pt.metrics.train_samples_per_s ?? 0) ? [tf, pt] : [pt, tf];
      const ratio =
        (fast.metrics.train_samples_per_s ?? 0) / Math.max(1e-12, slow.metrics.train_samples_per_s ?? 0);
      const overlap =
        fast.metrics.train_samples_per_s_min !== null &&
        slow.metrics.train_samples_per_s_max !== null &&
        fast.metrics.train_samples_per_s_min <= slow.metrics.train_samples_per_s_max;
      const verdict: ClaimVerdict =
        overlap || ratio < 1.05 ? 'inconclusive' : fast === tf ? 'consistent' : 'contrary';
      const numbers = `${fmt(fast.metrics.train_samples_per_s)} vs ${fmt(slow.metrics.train_samples_per_s)} samples/s`;
      const result =
        verdict === 'inconclusive'
          ? `Here ${engineName(fast)} and ${engineName(slow)} are within noise (${numbers}; the repetition ranges overlap or differ by under 5%).`
          : `Here ${engineName(fast)} trained the ${name} ${ratio.toFixed(1)}× faster than ${engineName(slow)} (${numbers}), ${verdict === 'consistent' ? 'consistent with' : 'contrary to'} the claim.`;
      const why = [...caveats(fast, slow), tfMissingNote(doc, w)].filter((c): c is string => Boolean(c));
      out.push({
        topic: 'training',
        workload: w,
        verdict,
        ratio,
        text: `${lead} ${result}${why.length > 0 ? ` Not like-for-like: ${why.join('; ')}.` : ''}`,
      });
    }

    // Inference: the article says PyTorch is faster (batch-1 latency, the serving case).
    const latency = (r: BenchRow) => r.metrics.infer_latency_ms_p50;
    const tfi = best(
      rows.filter((r) => r.engine === 'tensorflow'),
      latency,
      false,
    );
    const pti = best(
      rows.filter((r) => r.engine === 'pytorch'),
      latency,
      false,
    );
    const ort = best(
      rows.filter((r) => r.engine === 'onnxruntime'),
      latency,
      false,
    );
    const leadI = `Inference speed (${name}) — the article says PyTorch infers faster.`;
    const ortNote = ort
      ? ` ONNX Runtime running the exported PyTorch model: p50 ${fmt(ort.metrics.infer_latency_ms_p50)} ms, ${fmt(ort.metrics.infer_samples_per_s)} samples/s at batch ${ort.inferBatch}.`
      : '';
    if (!tfi || !pti) {
      const gone = [!tfi && missingWhy(doc, w, 'tensorflow'), !pti && missingWhy(doc, w, 'pytorch')]
        .filter(Boolean)
        .join('; ');
      out.push({
        topic: 'inference',
        workload: w,
        verdict: 'not-measured',
        ratio: null,
        text: `${leadI} Not measured here: ${gone}.${ortNote}`,
      });
      continue;
    }
    const tft =
      best(
        rows.filter((r) => r.engine === 'tensorflow'),
        (r) => r.metrics.infer_samples_per_s,
        true,
      ) ?? tfi;
    const ptt =
      best(
        rows.filter((r) => r.engine === 'pytorch'),
        (r) => r.metrics.infer_samples_per_s,
        true,
      ) ?? pti;
    const check = inferenceVerdict({ tfLatency: tfi, ptLatency: pti, tfThroughput: tft, ptThroughput: ptt });
    const why = [...new Set([...check.caveats, tfMissingNote(doc, w)])].filter((c): c is string =>
      Boolean(c),
    );
    out.push({
      topic: 'inference',
      workload: w,
      verdict: check.verdict,
      ratio: check.ratio,
      text: `${leadI} ${check.text}${why.length > 0 ? ` Not like-for-like: ${why.join('; ')}.` : ''}${ortNote}`,
    });
  }
  return out;
}

/** The smallest ratio (slower over faster) that counts as a difference for inference. */
const INFER_MARGIN = 1.1;

/**
 * The inference verdict from batch-1 latency and large-batch throughput together. When the two disagree (one
 * engine answers a single input sooner, the other pushes more samples/s through a large batch) the verdict is
 * `mixed` and the text names the winner of each, instead of reporting only the latency.
 */
function inferenceVerdict(rows: {
  tfLatency: BenchRow;
  ptLatency: BenchRow;
  tfThroughput: BenchRow;
  ptThroughput: BenchRow;
}): { verdict: ClaimVerdict; ratio: number | null; text: string; caveats: string[] } {
  const { tfLatency, ptLatency, tfThroughput, ptThroughput } = rows;
  const [lFast, lSlow] =
    (ptLatency.metrics.infer_latency_ms_p50 ?? Infinity) <=
    (tfLatency.metrics.infer_latency_ms_p50 ?? Infinity)
      ? [ptLatency, tfLatency]
      : [tfLatency, ptLatency];
  const lRatio =
    (lSlow.metrics.infer_latency_ms_p50 ?? 0) / Math.max(1e-12, lFast.metrics.infer_latency_ms_p50 ?? 0);
  const lDecisive = lRatio >= INFER_MARGIN;
  const latencyText = `p50 ${fmt(lFast.metrics.infer_latency_ms_p50)} vs ${fmt(lSlow.metrics.infer_latency_ms_p50)} ms`;

  const tfT = tfThroughput.metrics.infer_samples_per_s;
  const ptT = ptThroughput.metrics.infer_samples_per_s;
  const measuredT = tfT !== null && ptT !== null;
  const [tFast, tSlow] =
    (ptT ?? 0) >= (tfT ?? 0) ? [ptThroughput, tfThroughput] : [tfThroughput, ptThroughput];
  const tRatio =
    (tFast.metrics.infer_samples_per_s ?? 0) / Math.max(1e-12, tSlow.metrics.infer_samples_per_s ?? 0);
  // As for training: overlapping repetition ranges mean the throughput gap is within this host's noise.
  const tOverlap =
    tFast.metrics.infer_samples_per_s_min !== null &&
    tSlow.metrics.infer_samples_per_s_max !== null &&
    tFast.metrics.infer_samples_per_s_min <= tSlow.metrics.infer_samples_per_s_max;
  const tDecisive = measuredT && tRatio >= INFER_MARGIN && !tOverlap;
  const batch = tFast.inferBatch ?? tSlow.inferBatch;
  const throughputText = measuredT
    ? `${fmt(tFast.metrics.infer_samples_per_s)} vs ${fmt(tSlow.metrics.infer_samples_per_s)} samples/s`
    : 'not measured';
  const isPt = (r: BenchRow) => r.engine === 'pytorch';
  const allCaveats = [...new Set([...caveats(lFast, lSlow), ...caveats(tFast, tSlow)])];
  const claimWord = (consistent: boolean) => (consistent ? 'consistent with' : 'contrary to');

  if (lDecisive && tDecisive && isPt(lFast) !== isPt(tFast)) {
    return {
      verdict: 'mixed',
      ratio: null,
      text: `Mixed result: at batch 1 ${engineName(lFast)} answered ${lRatio.toFixed(1)}× faster (${latencyText}), but at batch ${batch} ${engineName(tFast)} had ${tRatio.toFixed(1)}× the throughput (${throughputText}). The claim holds for ${isPt(lFast) ? 'single-input latency' : 'large-batch throughput'} only.`,
      caveats: allCaveats,
    };
  }
  if (lDecisive) {
    const rest = tDecisive
      ? ` and had ${tRatio.toFixed(1)}× its throughput at batch ${batch} (${throughputText})`
      : `; at batch ${batch} the throughput is within noise (${throughputText})`;
    return {
      verdict: isPt(lFast) ? 'consistent' : 'contrary',
      ratio: lRatio,
      text: `Here ${engineName(lFast)} answered ${lRatio.toFixed(1)}× faster than ${engineName(lSlow)} at batch 1 (${latencyText})${rest}, ${claimWord(isPt(lFast))} the claim.`,
      caveats: caveats(lFast, lSlow),
    };
  }
  if (tDecisive) {
    return {
      verdict: isPt(tFast) ? 'consistent' : 'contrary',
      ratio: tRatio,
      text: `At batch 1 ${engineName(lFast)} and ${engineName(lSlow)} are within 10% (${latencyText}); at batch ${batch} ${engineName(tFast)} had ${tRatio.toFixed(1)}× the throughput of ${engineName(tSlow)} (${throughputText}), ${claimWord(isPt(tFast))} the claim.`,
      caveats: caveats(tFast, tSlow),
    };
  }
  return {
    verdict: 'inconclusive',
    ratio: lRatio,
    text: `Here ${engineName(lFast)} and ${engineName(lSlow)} are within noise of each other (batch-1 ${latencyText}, under 10% apart; at batch ${batch}: ${throughputText}, under 10% apart or overlapping repetition ranges).`,
    caveats: caveats(lFast, lSlow),
  };
}

/** A line on the GEMM rows: achieved TFLOP/s next to the (labelled) peak. */
export function matmulLines(doc: BenchResultDoc): string[] {
  return doc.rows
    .filter((r) => r.workload === 'matmul' && r.status === 'ok' && r.metrics.tflops !== null)
    .map((r) => {
      const pct = r.peakTflops
        ? ` = ${((100 * (r.metrics.tflops ?? 0)) / r.peakTflops).toFixed(0)}% of ${fmt(r.peakTflops)} TFLOP/s peak (${r.peakSource})`
        : ` (peak: ${r.peakSource ?? 'unknown'})`;
      return `Matmul ${r.precision} N=${r.matmulSize}: ${engineName(r)} reached ${fmt(r.metrics.tflops)} TFLOP/s${pct}.`;
    });
}

/**
 * The claim-check lines shown under every rendering.
 * @example
 * claimLines(doc)[0];
 * // 'Training speed (MLP) — the article says TensorFlow trains faster. Here PyTorch 1.13.0a0 (cpu) trained the MLP 9.2× faster than TensorFlow.js 4.22.0 (wasm) (…), contrary to the claim. Not like-for-like: …'
 */
export function claimLines(doc: BenchResultDoc): string[] {
  return claimChecks(doc).map((c) => c.text);
}
