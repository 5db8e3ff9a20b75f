/** Two benchmark results side by side: the ok rows' key metrics and the ratio of the second to the first. */
import { fmt, workloadName } from '../bench/format.ts';
import type { BenchResultDoc, BenchRow } from '../bench/result.ts';

const METRICS = [
  { key: 'train_samples_per_s', label: 'train samples/s' },
  { key: 'infer_latency_ms_p50', label: 'infer p50 ms' },
  { key: 'tflops', label: 'TFLOP/s' },
] as const;

const rowKey = (r: BenchRow) => `${r.workload}|${r.runner}|${r.precision}|${r.device ?? 'cpu'}`;

/** The ratio B/A as "1.23×", or "—" when either side is missing. */
function ratio(a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined || a === 0) return '—';
  return `${(b / a).toFixed(2)}×`;
}

/**
 * A compact comparison of two result documents (A = first, B = second): one line per workload × engine ×
 * precision × device × metric present in either, with both values and B/A. Rows not ok on a side show "—".
 * @example
 * compareResults(a, b).table.split('\n')[0];
 * // 'Workload  Engine   Prec  Device  Metric           A (b1)  B (b2)   B/A'
 */
export function compareResults(
  a: BenchResultDoc,
  b: BenchResultDoc,
  labels: { a: string; b: string } = { a: a.id, b: b.id },
): { title: string; table: string; notes: string[] } {
  const ok = (doc: BenchResultDoc) =>
    new Map(doc.rows.filter((r) => r.status === 'ok').map((r) => [rowKey(r), r]));
  const left = ok(a);
  const right = ok(b);
  const keys = [...new Set([...left.keys(), ...right.keys()])];
  const cells: string[][] = [];
  for (const key of keys) {
    const ra = left.get(key);
    const rb = right.get(key);
    const row = (ra ?? rb) as BenchRow;
    for (const m of METRICS) {
      const va = ra?.metrics[m.key];
      const vb = rb?.metrics[m.key];
      if ((va === null || va === undefined) && (vb === null || vb === undefined)) continue;
      cells.push([
        workloadName(row.workload),
        row.label,
        row.precision,
        row.device ?? 'cpu',
        m.label,
        fmt(va),
        fmt(vb),
        ratio(va, vb),
      ]);
    }
  }
  const headers = [
    'Workload',
    'Engine',
    'Prec',
    'Device',
    'Metric',
    `A (${labels.a})`,
    `B (${labels.b})`,
    'B/A',
  ];
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (c: readonly string[]) =>
    c
      .map((x, i) => (i < 5 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const table =
    cells.length > 0
      ? [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n')
      : 'Neither run has a successful row to compare.';
  const notes: string[] = [];
  if (a.environment.host.hostname !== b.environment.host.hostname)
    notes.push('The two runs come from different hosts: compare with care.');
  if (a.settings.repeats < 5 || b.settings.repeats < 5)
    notes.push('At least one run has fewer than 5 repetitions: differences may be noise.');
  notes.push('B/A above 1 means B is higher: better for samples/s and TFLOP/s, worse for latency.');
  return {
    title: `Benchmark ${labels.a} (${a.id}) vs ${labels.b} (${b.id})`,
    table,
    notes,
  };
}
