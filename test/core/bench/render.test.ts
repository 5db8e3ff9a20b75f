import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderChartSvg } from '../../../src/core/bench/chart-svg.ts';
import { renderMarkdown, renderText } from '../../../src/core/bench/render-table.ts';
import type { BenchResultDoc } from '../../../src/core/bench/result.ts';
import { benchResultSchema } from '../../../src/core/bench/result.ts';
import type { WorkloadSpec } from '../../../src/core/bench/workload.ts';
import { renderChartPng } from '../../../src/infra/bench/png.ts';
import { docWith, tinyWorkloads } from '../../helpers/bench.ts';
import { hugeDoc, smallDoc } from '../../helpers/result-docs.ts';

let workloads: WorkloadSpec[];
let small: BenchResultDoc;
let huge: BenchResultDoc;

beforeAll(async () => {
  workloads = await tinyWorkloads();
  small = smallDoc(workloads);
  huge = hugeDoc(workloads);
});

describe('renderers', () => {
  it('the synthetic documents are valid result documents', () => {
    expect(() => benchResultSchema.parse(small)).not.toThrow();
    expect(() => benchResultSchema.parse(huge)).not.toThrow();
  });

  it('Markdown: one table line per measured row, a "Not run" line with the install hint, claims', () => {
    const md = renderMarkdown(small);
    const lines = md.split('\n');
    expect(lines[0]).toBe('## TensorDuel benchmark bench-test');
    const trainingRows = lines.filter((l) => /^\| (MLP|CNN|Transformer) \| (TensorFlow\.js|PyTorch)/.test(l));
    // Training: TF.js + PyTorch × 3 trained workloads; inference: TF.js + PyTorch + ORT × 3.
    expect(trainingRows).toHaveLength(3 * 2 + 3 * 2);
    const tables = lines.filter((l) => l.startsWith('|'));
    const columns = (l: string) => l.split('|').length;
    for (const block of md.split('\n\n').filter((b) => b.startsWith('|'))) {
      const widths = new Set(block.split('\n').filter(Boolean).map(columns));
      expect(widths.size, block.slice(0, 60)).toBe(1);
    }
    expect(tables.some((l) => /^\| ---/.test(l))).toBe(true);
    expect(md).toMatch(
      /### Not run\n\n- TensorFlow \(Python\) — unavailable for MLP, CNN, Transformer, Matmul: .*Install: bash scripts\/setup\.sh/,
    );
    expect(md).toMatch(/### What this says about the article/);
    expect(md).toMatch(/Mixed result: at batch 1 TensorFlow\.js/);
    expect(md).toMatch(/Matmul fp32 N=64: PyTorch/);
  });

  it('text: the same content without Markdown table syntax', () => {
    const text = renderText(small);
    expect(text).not.toMatch(/^\| ---/m);
    expect(text).toMatch(/^TensorDuel benchmark bench-test\n=+$/m);
    expect(text).toMatch(/PyTorch 2\.13\.0 \(cpu\)/);
  });

  it('PNG chart decodes with the SVG size, and grows with the number of rows', async () => {
    const { width, height } = renderChartSvg(small);
    const meta = await sharp(await renderChartPng(small)).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(width);
    expect(meta.height).toBe(height);
    const onlyMlp = docWith(small.rows.filter((r) => r.workload === 'mlp'));
    const smaller = renderChartSvg(onlyMlp);
    expect(smaller.height).toBeLessThan(height);
    const meta2 = await sharp(await renderChartPng(onlyMlp)).metadata();
    expect([meta2.width, meta2.height]).toEqual([smaller.width, smaller.height]);
    // The image is not blank: the bars are drawn in colour.
    const stats = await sharp(await renderChartPng(small)).stats();
    expect(stats.isOpaque).toBe(true);
    expect(stats.channels[0]?.min).toBeLessThan(200);
  });
});
