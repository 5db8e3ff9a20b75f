import { describe, expect, it } from 'vitest';
import {
  markdownCells,
  renderResultMessages,
  tableBlock,
} from '../../../src/adapters/slack/result-blocks.ts';
import { docWith } from '../../helpers/bench.ts';

describe('Slack result tables', () => {
  it('reads the cells of the core Markdown tables, escaped pipes included', () => {
    expect(markdownCells('| A | B |\n| --- | ---: |\n| x \\| y | 1 |')).toEqual([
      ['A', 'B'],
      ['x | y', '1'],
    ]);
  });

  it('keeps a table block within 100 rows and 20 columns, saying what was cut', () => {
    const cells = Array.from({ length: 150 }, (_, i) => Array.from({ length: 25 }, (_, j) => `${i}.${j}`));
    const block = tableBlock(cells);
    expect(block.rows).toHaveLength(100);
    expect(block.rows.every((r) => r.length === 20)).toBe(true);
    expect(block.rows[99]?.[0]).toEqual({ type: 'raw_text', text: '… 51 more row(s)' });
    expect(block.column_settings?.[0]).toEqual({ align: 'left' });
    expect(block.column_settings?.[1]).toEqual({ align: 'right' });
  });

  it('still says something for a result with no table, partial note first', () => {
    const { native, codeBlocks } = renderResultMessages(
      docWith([], { completed: false }),
      '⚠️ **Partial result:** cut off.',
    );
    expect(native).toHaveLength(1);
    expect(native[0]?.blocks.map((b) => b.type).slice(0, 3)).toEqual(['header', 'context', 'section']);
    expect(native[0]?.text).toMatch(/^⚠️ Partial result: cut off\. TensorDuel benchmark: 0\/0 runs ok/);
    expect(JSON.stringify(codeBlocks[0]?.blocks[1])).toContain('Partial result');
  });
});
