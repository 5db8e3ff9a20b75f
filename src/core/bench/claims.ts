/**
 * Claim checks: what this host's numbers say about the article's two speed claims ("TensorFlow trains faster",
 * "PyTorch infers faster"), stated with the reasons a comparison is not like-for-like.
 */
import { engineName, fmt, shortBackend, workloadName } from './format.ts';
import type { BenchResultDoc, BenchRow } from './result.ts';

/** How a measurement bears on a claim. */
export type ClaimVerdict =
  | 'not-comparable'
  | 'consistent'
  | 'contrary'
  | 'mixed'
  | 'inconclusive'
  | 'not-measured';

/** One checked claim for one workload. */
export interface ClaimCheck {
  topic: 'training' | 'inference';
  workload: string;
  verdict: ClaimVerdict;
  /** Faster over slower (≥ 1), when both sides were measured; null for a mixed inference result. */
  ratio: number | null;
  /** The sentence shown to users. */
  text: string;
  /** Runner processes (and repetitions in all) on each side the verdict rests on; null when not measured. */
  basis: { processes: [number, number]; repetitions: [number, number] } | null;
  /** The faster side's short engine name and the slower's ("TensorFlow (Python)", "TensorFlow.js (wasm)"). */
  sides: { fast: string; slow: string } | null;
  /** One clause for answers, e.g. "PyTorch trained the MLP 6.4× faster than TensorFlow.js (wasm)"; null when not measured. */
  summary: string | null;
}

/** A runner's short name for one-line summaries: TF.js keeps its backend, since that is what it measured. */
export function shortName(row: BenchRow): string {
  return row.runner === 'tfjs' ? `TensorFlow.js (${shortBackend(row)})` : row.label;
}

/** True for TensorFlow's native runtime (Python TensorFlow, graph or XLA); TF.js is its own engine here. */
export function isNativeTensorFlow(row: Pick<BenchRow, 'runner'>): boolean {
  return row.runner === 'tf-python' || row.runner === 'tf-xla';
}

/** Why two rows cannot be compared at all (different runtime, device or precision); empty when they can. */
export function notComparable(a: BenchRow, b: BenchRow): string[] {
  const out: string[] = [];
  for (const r of [a, b])
    if (r.runner === 'tfjs') out.push(`${engineName(r)} is not TensorFlow's native runtime`);
  if (a.device !== b.device) out.push(`they ran on different devices (${a.device} vs ${b.device})`);
  if (a.precision !== b.precision) out.push(`different precisions (${a.precision} vs ${b.precision})`);
  return out;
}

/** "3 + 3 processes, 9 + 9 repetitions": what a verdict rests on. */
function basisOf(a: BenchRow, b: BenchRow): NonNullable<ClaimCheck['basis']> {
  return {
    processes: [a.processes, b.processes],
    repetitions: [a.processes * a.repeats, b.processes * b.repeats],
  };
}

function basisText(basis: NonNullable<ClaimCheck['basis']>): string {
  return `Rests on ${basis.processes[0]} + ${basis.processes[1]} runner processes (${basis.repetitions[0]} + ${basis.repetitions[1]} repetitions).`;
}

/** Whether two per-process ranges of a metric overlap (true when either side has fewer than two processes). */
function processesOverlap(a: BenchRow, b: BenchRow, key: 'infer_latency_ms_p50'): boolean {
  const va = a.perProcess.map((p) => p[key]).filter((v): v is number => v !== null);
  const vb = b.perProcess.map((p) => p[key]).filter((v): v is number => v !== null);
  if (va.length < 2 || vb.length < 2) return false;
  return Math.min(...va) <= Math.max(...vb) && Math.min(...vb) <= Math.max(...va);
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
    return `Python TensorFlow (the native runtime) did not run here (${clip(py.reason ?? py.status, 100)})`;
  if (!py) return 'Python TensorFlow (the native runtime) was not run';
  return null;
}

/** The TensorFlow side of a comparison: native TensorFlow when it ran, else TF.js (then not comparable). */
function tensorflowSide(rows: BenchRow[], score: (r: BenchRow) => number | null, higher: boolean) {
  const native = best(
    rows.filter((r) => r.engine === 'tensorflow' && isNativeTensorFlow(r)),
    score,
    higher,
  );
  return (
    native ??
    best(
      rows.filter((r) => r.runner === 'tfjs'),
      score,
      higher,
    )
  );
}

function notComparableText(doc: BenchResultDoc, w: string, reasons: string[], reference: string): string {
  const missing = reasons.some((r) => r.includes('native runtime')) ? tfMissingNote(doc, w) : null;
  // The figures stay, the verdict words go: a cross-runtime gap says nothing about the article's claim.
  const figures = reference
    .replace(/,? (consistent with|contrary to) the claim\./, '.')
    .replace(/ The claim holds for [^.]* only\./, '');
  return `Not comparable: ${[...reasons, missing].filter(Boolean).join('; ')}. For reference only: ${figures}`;
}

/** More runnable processes than this many per core and the host is too busy to decide a claim. */
export const BUSY_LOAD_PER_CORE = 1.5;

/** Why this host was too busy for a verdict (load average above 1.5 per core), or null. */
export function busyHost(doc: BenchResultDoc): string | null {
  const load = doc.environment.loadMax;
  const cores = doc.environment.cpu.cores;
  // Documents read without the schema (older ones) have no loadMax at all.
  if (typeof load !== 'number' || load <= BUSY_LOAD_PER_CORE * cores) return null;
  return `the host was busy (load average up to ${load.toFixed(1)} on ${cores} cores while this ran), so other processes' scheduling decides gaps like this one`;
}

/** A decisive verdict on a busy host becomes inconclusive; the figures stay, prefixed with why. */
function gateOnLoad(doc: BenchResultDoc, check: ClaimCheck): ClaimCheck {
  const busy = busyHost(doc);
  if (!busy || !['consistent', 'contrary', 'mixed'].includes(check.verdict)) return check;
  const [lead, ...rest] = check.text.split('. ');
  const body = rest
    .join('. ')
    .replace(/,? (consistent with|contrary to) the claim\./, '.')
    .replace(/ The claim holds for [^.]* only\./, '');
  return {
    ...check,
    verdict: 'inconclusive',
    text: `${lead}. Inconclusive: ${busy}. Measured: ${body.replace(/^Here /, '')}`,
    summary: check.summary ? `${check.summary}, on a busy host` : null,
  };
}

/** The claim checks of a result document, training then inference, per workload (fp32 rows only). */
export function claimChecks(doc: BenchResultDoc): ClaimCheck[] {
  return rawClaimChecks(doc).map((c) => gateOnLoad(doc, c));
}

function rawClaimChecks(doc: BenchResultDoc): ClaimCheck[] {
  const out: ClaimCheck[] = [];
  const workloads = [...new Set(doc.rows.map((r) => r.workload))].filter((w) => w !== 'matmul');
  for (const w of workloads) {
    const rows = doc.rows.filter((r) => r.workload === w && r.status === 'ok' && r.precision === 'fp32');
    const name = workloadName(w);

    // Training: the article says TensorFlow is faster.
    const trainScore = (r: BenchRow) => r.metrics.train_samples_per_s;
    const tf = tensorflowSide(rows, trainScore, true);
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
        basis: null,
        sides: null,
        summary: null,
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
      const blocked = notComparable(fast, slow);
      const decided: ClaimVerdict =
        overlap || ratio < 1.05 ? 'inconclusive' : fast === tf ? 'consistent' : 'contrary';
      const verdict: ClaimVerdict = blocked.length > 0 ? 'not-comparable' : decided;
      const numbers = `${fmt(fast.metrics.train_samples_per_s)} vs ${fmt(slow.metrics.train_samples_per_s)} samples/s`;
      const spreadWord =
        Math.min(fast.processes, slow.processes) > 1
          ? 'the ranges across processes'
          : 'the repetition ranges';
      const measured =
        decided === 'inconclusive'
          ? `${engineName(fast)} and ${engineName(slow)} are within noise (${numbers}; ${spreadWord} overlap or differ by under 5%).`
          : `${engineName(fast)} trained the ${name} ${ratio.toFixed(1)}× faster than ${engineName(slow)} (${numbers})`;
      const basis = basisOf(fast, slow);
      const result =
        verdict === 'not-comparable'
          ? notComparableText(doc, w, blocked, measured.endsWith('.') ? measured : `${measured}.`)
          : decided === 'inconclusive'
            ? `Here ${measured}`
            : `Here ${measured}, ${verdict === 'consistent' ? 'consistent with' : 'contrary to'} the claim.`;
      const why = caveats(fast, slow).filter((c) => !blocked.some((b) => c.includes(b)));
      out.push({
        topic: 'training',
        workload: w,
        verdict,
        ratio,
        text: `${lead} ${result}${why.length > 0 ? ` Not like-for-like: ${why.join('; ')}.` : ''} ${basisText(basis)}`,
        basis,
        sides: { fast: shortName(fast), slow: shortName(slow) },
        summary:
          decided === 'inconclusive'
            ? `${shortName(fast)} and ${shortName(slow)} trained the ${name} within noise of each other`
            : `${shortName(fast)} trained the ${name} ${ratio.toFixed(1)}× faster than ${shortName(slow)}`,
      });
    }

    // Inference: the article says PyTorch is faster (batch-1 latency, the serving case).
    const latency = (r: BenchRow) => r.metrics.infer_latency_ms_p50;
    const tfi = tensorflowSide(rows, latency, false);
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
        basis: null,
        sides: null,
        summary: null,
      });
      continue;
    }
    const tft =
      (isNativeTensorFlow(tfi)
        ? best(
            rows.filter((r) => isNativeTensorFlow(r)),
            (r) => r.metrics.infer_samples_per_s,
            true,
          )
        : null) ?? tfi;
    const ptt =
      best(
        rows.filter((r) => r.engine === 'pytorch'),
        (r) => r.metrics.infer_samples_per_s,
        true,
      ) ?? pti;
    const check = inferenceVerdict({ tfLatency: tfi, ptLatency: pti, tfThroughput: tft, ptThroughput: ptt });
    const blocked = [...new Set([...notComparable(tfi, pti), ...notComparable(tft, ptt)])];
    const why = [...new Set(check.caveats)].filter((c) => !blocked.some((b) => c.includes(b)));
    const basis = basisOf(tfi, pti);
    const text =
      blocked.length > 0 ? notComparableText(doc, w, blocked, check.text.replace(/^Here /, '')) : check.text;
    out.push({
      topic: 'inference',
      workload: w,
      verdict: blocked.length > 0 ? 'not-comparable' : check.verdict,
      ratio: check.ratio,
      text: `${leadI} ${text}${why.length > 0 ? ` Not like-for-like: ${why.join('; ')}.` : ''} ${basisText(basis)}${ortNote}`,
      basis,
      sides: check.sides,
      summary: check.summary.replace('{name}', name),
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
}): {
  verdict: ClaimVerdict;
  ratio: number | null;
  text: string;
  caveats: string[];
  sides: { fast: string; slow: string };
  /** A clause with "{name}" standing for the workload's name. */
  summary: string;
} {
  const { tfLatency, ptLatency, tfThroughput, ptThroughput } = rows;
  const [lFast, lSlow] =
    (ptLatency.metrics.infer_latency_ms_p50 ?? Infinity) <=
    (tfLatency.metrics.infer_latency_ms_p50 ?? Infinity)
      ? [ptLatency, tfLatency]
      : [tfLatency, ptLatency];
  const lRatio =
    (lSlow.metrics.infer_latency_ms_p50 ?? 0) / Math.max(1e-12, lFast.metrics.infer_latency_ms_p50 ?? 0);
  // Each process's p50 must fall on the same side: a near-tie that flips between processes is noise.
  const lDecisive = lRatio >= INFER_MARGIN && !processesOverlap(lFast, lSlow, 'infer_latency_ms_p50');
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
      sides: { fast: shortName(lFast), slow: shortName(lSlow) },
      summary: `${shortName(lFast)} answered the {name} ${lRatio.toFixed(1)}× sooner at batch 1, ${shortName(tFast)} had ${tRatio.toFixed(1)}× the throughput at batch ${batch}`,
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
      sides: { fast: shortName(lFast), slow: shortName(lSlow) },
      summary: `${shortName(lFast)} answered the {name} ${lRatio.toFixed(1)}× sooner than ${shortName(lSlow)} at batch 1`,
    };
  }
  if (tDecisive) {
    return {
      verdict: isPt(tFast) ? 'consistent' : 'contrary',
      ratio: tRatio,
      text: `At batch 1 ${engineName(lFast)} and ${engineName(lSlow)} are within 10% (${latencyText}); at batch ${batch} ${engineName(tFast)} had ${tRatio.toFixed(1)}× the throughput of ${engineName(tSlow)} (${throughputText}), ${claimWord(isPt(tFast))} the claim.`,
      caveats: caveats(tFast, tSlow),
      sides: { fast: shortName(tFast), slow: shortName(tSlow) },
      summary: `${shortName(tFast)} had ${tRatio.toFixed(1)}× the {name} throughput of ${shortName(tSlow)} at batch ${batch}`,
    };
  }
  return {
    verdict: 'inconclusive',
    ratio: lRatio,
    text: `Here ${engineName(lFast)} and ${engineName(lSlow)} are within noise of each other (batch-1 ${latencyText}, under 10% apart or overlapping across processes; at batch ${batch}: ${throughputText}, under 10% apart or overlapping ranges).`,
    caveats: caveats(lFast, lSlow),
    sides: { fast: shortName(lFast), slow: shortName(lSlow) },
    summary: `${shortName(lFast)} and ${shortName(lSlow)} inferred the {name} within noise of each other`,
  };
}

/** A line on the GEMM rows: achieved TFLOP/s next to the (labelled) peak. */
export function matmulLines(doc: BenchResultDoc): string[] {
  return doc.rows
    .filter((r) => r.workload === 'matmul' && r.status === 'ok' && r.metrics.tflops !== null)
    .map((r) => {
      const share = r.peakTflops ? (100 * (r.metrics.tflops ?? 0)) / r.peakTflops : null;
      const over =
        share !== null && share > 100 ? ' — over 100%: the nominal peak is too low for this host' : '';
      const pct = r.peakTflops
        ? ` = ${(share ?? 0).toFixed(0)}% of ${fmt(r.peakTflops)} TFLOP/s peak (${r.peakSource})${over}`
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
