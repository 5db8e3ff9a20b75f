/** Markdown and monospace renderings of a result document: tables, problems, claim checks and notes. */
import { claimLines, matmulLines } from './claims.ts';
import {
  engineName,
  fmt,
  fmtSpread,
  hostLine,
  okRows,
  problemGroups,
  settingsLine,
  shortBackend,
  table,
  workloadName,
} from './format.ts';
import type { BenchResultDoc, BenchRow } from './result.ts';

/** Output flavour: Markdown tables, or aligned plain text for terminals and code blocks. */
export type TableFormat = 'markdown' | 'text';

/** Training table (rows that trained). */
export function trainingTable(
  rows: readonly BenchRow[],
  format: TableFormat,
  compact = false,
): string | null {
  const trained = rows.filter((r) => r.status === 'ok' && r.metrics.train_samples_per_s !== null);
  if (trained.length === 0) return null;
  if (compact)
    return table(
      ['Workload', 'Engine', 'Prec', 'Samples/s', 'p50 ms', '1st ms'],
      trained.map((r) => [
        workloadName(r.workload),
        `${r.label.replace(' (Python)', ' py')} ${shortBackend(r)}`,
        r.precision,
        fmt(r.metrics.train_samples_per_s),
        fmt(r.metrics.train_step_ms_p50),
        fmt(r.metrics.first_step_ms),
      ]),
      format,
    );
  return table(
    [
      'Workload',
      'Engine',
      'Device',
      'Prec',
      'TF32',
      'Samples/s (min–max)',
      'Step p50 / p90 ms',
      'First step ms',
      'Loss first → final',
    ],
    trained.map((r) => [
      workloadName(r.workload),
      engineName(r),
      r.device ?? '—',
      r.precision,
      r.tf32 === null ? 'n/a' : r.tf32 ? 'on' : 'off',
      fmtSpread(
        r.metrics.train_samples_per_s,
        r.metrics.train_samples_per_s_min,
        r.metrics.train_samples_per_s_max,
      ),
      `${fmt(r.metrics.train_step_ms_p50)} / ${fmt(r.metrics.train_step_ms_p90)}`,
      fmt(r.metrics.first_step_ms),
      `${r.metrics.first_loss?.toFixed(4) ?? '—'} → ${r.metrics.final_loss?.toFixed(4) ?? '—'}${r.flags.length > 0 ? ' ⚠' : ''}`,
    ]),
    format,
  );
}

/** Inference table. */
export function inferenceTable(
  rows: readonly BenchRow[],
  format: TableFormat,
  compact = false,
): string | null {
  const inferred = rows.filter((r) => r.status === 'ok' && r.metrics.infer_latency_ms_p50 !== null);
  if (inferred.length === 0) return null;
  if (compact)
    return table(
      ['Workload', 'Engine', 'p50 ms', 'p99 ms', 'Samples/s'],
      inferred.map((r) => [
        workloadName(r.workload),
        `${r.label.replace(' (Python)', ' py')} ${shortBackend(r)}`,
        fmt(r.metrics.infer_latency_ms_p50),
        fmt(r.metrics.infer_latency_ms_p99),
        fmt(r.metrics.infer_samples_per_s),
      ]),
      format,
    );
  return table(
    [
      'Workload',
      'Engine',
      'Device',
      'Prec',
      'Batch-1 p50 / p99 ms',
      'Samples/s @ batch (min–max)',
      'First call ms',
      'Peak MB',
    ],
    inferred.map((r) => [
      workloadName(r.workload),
      engineName(r),
      r.device ?? '—',
      r.precision,
      `${fmt(r.metrics.infer_latency_ms_p50)} / ${fmt(r.metrics.infer_latency_ms_p99)}`,
      `${fmtSpread(r.metrics.infer_samples_per_s, r.metrics.infer_samples_per_s_min, r.metrics.infer_samples_per_s_max)} @ ${r.inferBatch}`,
      fmt(r.metrics.first_infer_ms),
      `${fmt(r.metrics.peak_memory_mb)}${r.memoryKind === 'cuda-allocated' ? ' (GPU)' : ' (RSS)'}`,
    ]),
    format,
  );
}

/** Matmul table. */
export function matmulTable(rows: readonly BenchRow[], format: TableFormat, compact = false): string | null {
  const mm = rows.filter((r) => r.status === 'ok' && r.metrics.tflops !== null);
  if (mm.length === 0) return null;
  const pct = (r: BenchRow) =>
    r.peakTflops ? `${((100 * (r.metrics.tflops ?? 0)) / r.peakTflops).toFixed(0)}%` : '—';
  if (compact)
    return table(
      ['Engine', 'Prec', 'N', 'TFLOP/s', '% peak'],
      mm.map((r) => [
        `${r.label} ${shortBackend(r)}`,
        r.precision,
        String(r.matmulSize ?? '—'),
        fmt(r.metrics.tflops),
        pct(r),
      ]),
      format,
    );
  return table(
    ['Engine', 'Device', 'Prec', 'TF32', 'N', 'TFLOP/s (min–max)', 'Peak TFLOP/s', '% of peak'],
    mm.map((r) => [
      engineName(r),
      r.device ?? '—',
      r.precision,
      r.tf32 === null ? 'n/a' : r.tf32 ? 'on' : 'off',
      String(r.matmulSize ?? '—'),
      fmtSpread(r.metrics.tflops, r.metrics.tflops_min, r.metrics.tflops_max),
      r.peakTflops === null ? '—' : `${fmt(r.peakTflops)}${r.device === 'cpu' ? ' (estimate)' : ''}`,
      pct(r),
    ]),
    format,
  );
}

/** "Not run" lines: one per missing engine or failure, with the install hint or the stderr tail. */
export function problemLines(doc: BenchResultDoc): string[] {
  return problemGroups(doc).map((g) => {
    const hint = g.hint ? ` Install: ${g.hint}` : '';
    return `${g.label} — ${g.status} for ${g.workloads.join(', ')}: ${g.reason}.${hint}`;
  });
}

/** Flags and notes: loss mismatches, runner notes and document notes. */
export function noteLines(doc: BenchResultDoc): string[] {
  const lines: string[] = [];
  for (const r of doc.rows)
    for (const f of r.flags) lines.push(`⚠ ${workloadName(r.workload)} · ${r.label}: ${f}`);
  const seen = new Set<string>();
  for (const r of okRows(doc))
    for (const n of r.notes) {
      const line = `${r.label}: ${n}`;
      if (!seen.has(line)) lines.push(line);
      seen.add(line);
    }
  return [...lines, ...doc.notes];
}

/**
 * The whole document as Markdown (`format: 'markdown'`) or terminal text (`'text'`).
 * @example
 * renderTables(doc, 'markdown').split('\n')[0]; // '## TensorDuel benchmark bench-20261125T1230-x1y2z3'
 */
export function renderTables(doc: BenchResultDoc, format: TableFormat = 'markdown'): string {
  const md = format === 'markdown';
  const h2 = (t: string) => (md ? `## ${t}` : `${t}\n${'='.repeat(t.length)}`);
  const h3 = (t: string) => (md ? `### ${t}` : `${t}\n${'-'.repeat(t.length)}`);
  const bullet = (t: string) => `- ${t}`;
  const out: string[] = [h2(`TensorDuel benchmark ${doc.id}`), ''];
  out.push(`${md ? '**Host:** ' : 'Host: '}${hostLine(doc.environment)}`);
  out.push(
    `${md ? '**Run:** ' : 'Run: '}${doc.createdAt} · ${settingsLine(doc)} · ${(doc.durationMs / 1000).toFixed(0)} s${doc.completed ? '' : ' · CANCELLED'}`,
  );
  const sections: Array<[string, string | null]> = [
    ['Training (samples/s: higher is better)', trainingTable(doc.rows, format)],
    ['Inference (latency: lower is better; host input → host output)', inferenceTable(doc.rows, format)],
    ['Matmul (GEMM)', matmulTable(doc.rows, format)],
  ];
  for (const [title, body] of sections) if (body) out.push('', h3(title), '', body);
  const problems = problemLines(doc);
  if (problems.length > 0) out.push('', h3('Not run'), '', ...problems.map(bullet));
  const claims = [...claimLines(doc), ...matmulLines(doc)];
  if (claims.length > 0) out.push('', h3('What this says about the article'), '', ...claims.map(bullet));
  const notes = noteLines(doc);
  if (notes.length > 0) out.push('', h3('Notes'), '', ...notes.map(bullet));
  return `${out.join('\n')}\n`;
}

/** Markdown rendering (tables, problems, claims, notes). */
export function renderMarkdown(doc: BenchResultDoc): string {
  return renderTables(doc, 'markdown');
}

/** Monospace terminal rendering. */
export function renderText(doc: BenchResultDoc): string {
  return renderTables(doc, 'text');
}
