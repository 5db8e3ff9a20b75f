import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderChartSvg } from '../../../src/core/bench/chart-svg.ts';
import {
  DISCORD_LIMITS,
  type DiscordEmbed,
  renderDiscordEmbed,
} from '../../../src/core/bench/render-discord.ts';
import { renderSlackBlocks, SLACK_LIMITS } from '../../../src/core/bench/render-slack.ts';
import { renderMarkdown, renderText } from '../../../src/core/bench/render-table.ts';
import type { BenchResultDoc, BenchRow } from '../../../src/core/bench/result.ts';
import { benchResultSchema } from '../../../src/core/bench/result.ts';
import type { WorkloadSpec } from '../../../src/core/bench/workload.ts';
import { renderChartPng } from '../../../src/infra/bench/png.ts';
import { docWith, syntheticRow, tinyWorkloads } from '../../helpers/bench.ts';

let workloads: WorkloadSpec[];
let small: BenchResultDoc;
let huge: BenchResultDoc;

const byId = (id: string) => workloads.find((w) => w.id === id) as WorkloadSpec;

/** A realistic CPU result: TF.js, PyTorch and ONNX Runtime on every workload, TF-Python missing. */
function smallDoc(): BenchResultDoc {
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
function hugeDoc(): BenchResultDoc {
  const rows: BenchRow[] = [];
  const mlp = byId('mlp');
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

beforeAll(async () => {
  workloads = await tinyWorkloads();
  small = smallDoc();
  huge = hugeDoc();
});

function discordChecks(embed: DiscordEmbed): void {
  expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
  expect(embed.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
  expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
  expect(embed.footer.text.length).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
  let total = embed.title.length + embed.description.length + embed.footer.text.length;
  for (const f of embed.fields) {
    expect(f.name.length).toBeGreaterThan(0);
    expect(f.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
    expect(f.value.length).toBeGreaterThan(0);
    expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    total += f.name.length + f.value.length;
  }
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
}

function slackChecks(message: ReturnType<typeof renderSlackBlocks>): void {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(3000);
  for (const b of message.blocks) {
    if (b.type === 'header') {
      expect(b.text.type).toBe('plain_text');
      expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    } else if (b.type === 'section') {
      expect(b.text.text.length).toBeGreaterThan(0);
      expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    } else if (b.type === 'context') {
      expect(b.elements.length).toBeGreaterThan(0);
      expect(b.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    } else expect(b.type).toBe('divider');
  }
  // Code blocks must stay closed even when rows are cut.
  for (const b of message.blocks)
    if (b.type === 'section' && b.text.text.includes('```'))
      expect(b.text.text.split('```').length % 2, b.text.text.slice(0, 80)).toBe(1);
}

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

  it('Slack Block Kit stays within block limits for a small and a huge result', () => {
    const message = renderSlackBlocks(small);
    slackChecks(message);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'TensorDuel benchmark', emoji: false },
    });
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('Training');
    expect(all).toContain('Mixed result');
    const big = renderSlackBlocks(huge);
    slackChecks(big);
    expect(big.blocks.length).toBe(SLACK_LIMITS.blocks);
    // Failure reasons are escaped for mrkdwn, never raw angle brackets.
    const failed = renderSlackBlocks(
      docWith([
        ...small.rows.filter((r) => r.runner !== 'tf-python'),
        syntheticRow('tf-python', byId('mlp'), { status: 'failed', reason: '<crash> & more' }),
      ]),
    );
    slackChecks(failed);
    const json = JSON.stringify(failed.blocks);
    expect(json.includes('<crash>')).toBe(false);
    expect(json.includes('&lt;crash&gt; &amp; more')).toBe(true);
  });

  it('Discord embed stays within 25 fields, 1024 per value and 6000 in total', () => {
    const embed = renderDiscordEmbed(small);
    discordChecks(embed);
    expect(embed.fields.map((f) => f.name)).toContain('Training · MLP');
    expect(embed.fields.map((f) => f.name)).toContain('Not run');
    expect(embed.description).toMatch(/Training speed \(MLP\)/);
    const big = renderDiscordEmbed(huge);
    discordChecks(big);
    expect(big.fields.length).toBeGreaterThan(0);
    for (const f of big.fields.filter((x) => x.value.startsWith('```')))
      expect(f.value.endsWith('```'), f.name).toBe(true);
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
