/** Number and label formatting shared by every benchmark renderer. */
import type { BenchEnvironment, BenchResultDoc, BenchRow } from './result.ts';

/** A number with about 3 significant digits and thousands separators; "—" for null. */
export function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return '0';
  return value.toPrecision(2);
}

/** "1,234 (1,100–1,300)": a median with its spread (across processes, or over repetitions with one). */
export function fmtSpread(value: number | null, min: number | null, max: number | null): string {
  if (value === null) return '—';
  if (min === null || max === null || min === max) return fmt(value);
  return `${fmt(value)} (${fmt(min)}–${fmt(max)})`;
}

/** The backend's first word(s), e.g. "wasm", "cpu", "cuda", "tfjs-node". */
export function shortBackend(row: Pick<BenchRow, 'backend'>): string {
  if (!row.backend) return '—';
  return row.backend.split(/[\s;(]/)[0] ?? row.backend;
}

/** "PyTorch 1.13.0 (cpu)": runner, version and backend, as rows and claims name an engine. */
export function engineName(row: BenchRow, withVersion = true): string {
  const version = withVersion && row.engineVersion ? ` ${row.engineVersion}` : '';
  return `${row.label}${version} (${shortBackend(row)})`;
}

/** Workload id to a display name. */
export function workloadName(id: string): string {
  const known: Record<string, string> = {
    mlp: 'MLP',
    cnn: 'CNN',
    transformer: 'Transformer',
    matmul: 'Matmul',
  };
  return known[id] ?? id;
}

/** One line describing the host: OS, CPU, memory, GPU and runtime versions. */
export function hostLine(env: BenchEnvironment): string {
  const gpu =
    env.gpus.length > 0
      ? env.gpus
          .map(
            (g) => `${g.name}${g.driver ? ` (driver ${g.driver}${g.cuda ? `, CUDA ${g.cuda}` : ''})` : ''}`,
          )
          .join(', ')
      : 'no GPU';
  const versions = Object.entries(env.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${env.host.os} ${env.host.arch} · ${env.cpu.model} (${env.cpu.cores} cores) · ${env.memoryGb} GB · ${gpu} · ${versions}`;
}

/** One line of run settings. */
export function settingsLine(doc: BenchResultDoc): string {
  const s = doc.settings;
  const steps = s.steps === null ? 'workload default steps' : `${s.steps} steps`;
  const processes = s.processes > 1 ? `${s.processes} interleaved processes × ` : '';
  return `${processes}${s.repeats} repetitions × ${steps}, ${s.threads} thread(s), device ${s.device}${s.compile ? ', compiled modes on (torch.compile, XLA)' : ''}`;
}

/** Truncates text to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Rows with status ok. */
export function okRows(doc: BenchResultDoc): BenchRow[] {
  return doc.rows.filter((r) => r.status === 'ok');
}

/** Unavailable and failed rows grouped by runner and reason, so a missing engine is listed once. */
export function problemGroups(doc: BenchResultDoc): Array<{
  status: 'unavailable' | 'failed';
  label: string;
  workloads: string[];
  reason: string;
  hint: string | null;
}> {
  const groups = new Map<
    string,
    {
      status: 'unavailable' | 'failed';
      label: string;
      workloads: string[];
      reason: string;
      hint: string | null;
    }
  >();
  for (const r of doc.rows) {
    if (r.status === 'ok') continue;
    const key = `${r.status}|${r.runner}|${r.reason}`;
    const g = groups.get(key);
    const w = `${workloadName(r.workload)}${r.precision === 'fp32' ? '' : ` ${r.precision}`}`;
    if (g) g.workloads.push(w);
    else
      groups.set(key, {
        status: r.status,
        label: r.label,
        workloads: [w],
        reason: r.reason ?? 'unknown',
        hint: r.installHint,
      });
  }
  return [...groups.values()];
}

/** Renders rows of cells as a Markdown table or as aligned monospace text. */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  format: 'markdown' | 'text',
): string {
  if (format === 'markdown') {
    const esc = (c: string) => c.replace(/\|/g, '\\|');
    return [
      `| ${headers.map(esc).join(' | ')} |`,
      `| ${headers.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
      ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
    ].join('\n');
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
