/** Rasterises the benchmark chart (SVG from src/core/bench/chart-svg.ts) to PNG with sharp. */
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { renderChartSvg } from '../../core/bench/chart-svg.ts';
import type { BenchResultDoc } from '../../core/bench/result.ts';

/**
 * The chart as PNG bytes (same pixel size as the SVG; density 72 keeps 1 SVG unit = 1 pixel).
 * @example
 * const png = await renderChartPng(doc); // Buffer starting with 0x89 'PNG'
 */
export async function renderChartPng(doc: BenchResultDoc): Promise<Buffer> {
  const { svg } = renderChartSvg(doc);
  return sharp(Buffer.from(svg), { density: 72 }).png().toBuffer();
}

/** Writes the chart PNG to `file`. */
export async function writeChartPng(doc: BenchResultDoc, file: string): Promise<void> {
  await writeFile(file, await renderChartPng(doc));
}
