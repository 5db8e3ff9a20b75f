/** A bar chart of a result document as SVG (drawn here, rasterised to PNG by src/infra/bench/png.ts). */
import type { RunnerId } from './engines.ts';
import { fmt, shortBackend, workloadName } from './format.ts';
import type { BenchMetrics, BenchResultDoc, BenchRow } from './result.ts';

/** Bar colours per runner (TensorFlow ambers, PyTorch reds, ONNX Runtime blue). */
export const RUNNER_COLORS: Record<RunnerId, string> = {
  tfjs: '#F59E0B',
  'tf-python': '#B45309',
  'tf-xla': '#78350F',
  torch: '#DC2626',
  'torch-compile': '#7F1D1D',
  onnxruntime: '#2563EB',
};

interface Panel {
  title: string;
  metric: keyof BenchMetrics;
  min?: keyof BenchMetrics;
  max?: keyof BenchMetrics;
  unit: string;
}

const PANELS: readonly Panel[] = [
  {
    title: 'Training throughput — samples/s (higher is better)',
    metric: 'train_samples_per_s',
    min: 'train_samples_per_s_min',
    max: 'train_samples_per_s_max',
    unit: '/s',
  },
  {
    title: 'Inference latency, batch 1 — p50 ms (lower is better)',
    metric: 'infer_latency_ms_p50',
    unit: ' ms',
  },
  {
    title: 'Inference throughput, large batch — samples/s (higher is better)',
    metric: 'infer_samples_per_s',
    min: 'infer_samples_per_s_min',
    max: 'infer_samples_per_s_max',
    unit: '/s',
  },
  {
    title: 'Matmul — TFLOP/s (higher is better)',
    metric: 'tflops',
    min: 'tflops_min',
    max: 'tflops_max',
    unit: ' TFLOP/s',
  },
];

/** Escapes text for SVG. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const LAYOUT = {
  width: 960,
  pad: 20,
  label: 250,
  value: 170,
  bar: 18,
  gap: 6,
  group: 24,
  title: 34,
} as const;

/**
 * The chart: one panel per metric, one group per workload (scaled to its own maximum, values printed), one bar
 * per engine, whiskers for the min–max over repetitions.
 * @example
 * const { svg, width, height } = renderChartSvg(doc); // width 960, height grows with the rows
 */
export function renderChartSvg(doc: BenchResultDoc): { svg: string; width: number; height: number } {
  const L = LAYOUT;
  const barArea = L.width - 2 * L.pad - L.label - L.value;
  const parts: string[] = [];
  let y = L.pad;
  const text = (x: number, yy: number, t: string, attrs = '') =>
    parts.push(`<text x="${x}" y="${yy}" ${attrs}>${xmlEscape(t)}</text>`);

  text(L.pad, y + 18, 'TensorDuel benchmark', 'font-size="20" font-weight="bold"');
  const gpu = doc.environment.gpus[0]?.name ?? 'no GPU';
  text(
    L.pad,
    y + 38,
    `${doc.environment.cpu.model} · ${gpu} · ${doc.createdAt.slice(0, 16).replace('T', ' ')} UTC · ${doc.settings.threads} thread(s)`,
    'font-size="12" fill="#555"',
  );
  y += 52;
  // Legend: the runners that appear.
  const present = [...new Set(doc.rows.filter((r) => r.status === 'ok').map((r) => r.runner))];
  let lx = L.pad;
  for (const runner of present) {
    const label = doc.rows.find((r) => r.runner === runner)?.label ?? runner;
    parts.push(`<rect x="${lx}" y="${y}" width="12" height="12" fill="${RUNNER_COLORS[runner]}"/>`);
    text(lx + 16, y + 11, label, 'font-size="12"');
    lx += 24 + label.length * 7;
  }
  y += 24;

  for (const panel of PANELS) {
    const rows = doc.rows.filter((r) => r.status === 'ok' && typeof r.metrics[panel.metric] === 'number');
    if (rows.length === 0) continue;
    y += 10;
    text(L.pad, y + 18, panel.title, 'font-size="15" font-weight="bold"');
    y += L.title;
    const groups = new Map<string, BenchRow[]>();
    for (const r of rows) {
      const key =
        panel.metric === 'tflops' ? `${workloadName(r.workload)} ${r.precision}` : workloadName(r.workload);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const [group, members] of groups) {
      text(L.pad, y + 14, group, 'font-size="13" font-weight="bold" fill="#333"');
      y += L.group;
      const values = members.map((r) => r.metrics[panel.metric] as number);
      const maxes = members.map((r) => (panel.max ? (r.metrics[panel.max] ?? 0) : 0));
      const scale = Math.max(...values, ...maxes) || 1;
      for (const r of members) {
        const v = r.metrics[panel.metric] as number;
        const w = Math.max(1, (v / scale) * barArea);
        const x0 = L.pad + L.label;
        text(
          x0 - 8,
          y + 13,
          `${r.label} · ${shortBackend(r)}${r.precision === 'fp32' ? '' : ` · ${r.precision}`}`,
          'font-size="12" text-anchor="end"',
        );
        parts.push(
          `<rect x="${x0}" y="${y}" width="${w.toFixed(1)}" height="${L.bar}" fill="${RUNNER_COLORS[r.runner]}" rx="2"/>`,
        );
        const lo = panel.min ? r.metrics[panel.min] : null;
        const hi = panel.max ? r.metrics[panel.max] : null;
        // The value label goes after the bar or its whisker, whichever ends later, so the two never overlap.
        let labelX = x0 + w + 6;
        if (typeof lo === 'number' && typeof hi === 'number' && hi > lo) {
          const a = x0 + (lo / scale) * barArea;
          const b = x0 + (hi / scale) * barArea;
          const mid = y + L.bar / 2;
          parts.push(
            `<path d="M${a.toFixed(1)} ${mid}H${b.toFixed(1)}M${a.toFixed(1)} ${mid - 4}V${mid + 4}M${b.toFixed(1)} ${mid - 4}V${mid + 4}" stroke="#111" stroke-width="1.2"/>`,
          );
          labelX = Math.max(labelX, b + 6);
        }
        const flag = r.flags.length > 0 ? ' ⚠' : '';
        text(labelX, y + 13, `${fmt(v)}${panel.unit}${flag}`, 'font-size="12"');
        y += L.bar + L.gap;
      }
    }
  }
  if (present.length === 0) {
    text(L.pad, y + 20, 'No successful runs to chart.', 'font-size="14"');
    y += 30;
  }
  y += L.pad;
  const height = Math.ceil(y);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${height}" viewBox="0 0 ${L.width} ${height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
  return { svg, width: L.width, height };
}
