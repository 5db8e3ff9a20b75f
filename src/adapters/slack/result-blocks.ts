/**
 * A benchmark result as Slack messages with native `table` blocks, and the code-block rendering kept as the
 * fallback: a workspace or client that refuses the table block (`invalid_blocks`) gets the monospace tables
 * of result-code-blocks.ts instead. One table per message, so each message stays valid wherever
 * Slack limits tables per message; each message's notification text carries its table in monospace.
 */
import type { types } from '@slack/bolt';
import { claimLines } from '../../core/bench/claims.ts';
import { inferenceTable, matmulTable, trainingTable } from '../../core/bench/render-table.ts';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import { SLACK_LIMITS } from '../shared/limits.ts';
import { truncate } from '../shared/split-markdown.ts';
import { escapeMrkdwn, type SlackMessage, toMrkdwn } from './render.ts';
import { renderSlackBlocks, resultHeadBlocks, resultTailBlocks } from './result-code-blocks.ts';

/** A result in both renderings: native tables first, the code blocks where Slack refuses those. */
export interface ResultMessages {
  native: SlackMessage[];
  codeBlocks: SlackMessage[];
}

const section = (text: string): types.SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) },
});

/**
 * Cells of a Markdown table as the core renders it (`| a | b |`, a `---` rule, `\|` inside cells).
 * @example markdownCells('| A | B |\n| --- | ---: |\n| x | 1 |') // [['A', 'B'], ['x', '1']]
 */
export function markdownCells(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line, i) => line.startsWith('|') && i !== 1)
    .map((line) =>
      line
        .slice(2, -2)
        .split(/(?<!\\) \| /)
        .map((cell) => cell.replace(/\\\|/g, '|')),
    );
}

/** A `table` block of `cells` (header row first): the first column left-aligned, figures right-aligned. */
export function tableBlock(cells: string[][]): types.TableBlock {
  const columns = Math.min(SLACK_LIMITS.tableColumns, Math.max(...cells.map((r) => r.length)));
  let rows = cells.map((r) => r.slice(0, columns));
  if (rows.length > SLACK_LIMITS.tableRows) {
    const cut = rows.length - (SLACK_LIMITS.tableRows - 1);
    rows = [...rows.slice(0, SLACK_LIMITS.tableRows - 1), [`… ${cut} more row(s)`]];
  }
  return {
    type: 'table',
    column_settings: Array.from({ length: columns }, (_, i) => ({ align: i === 0 ? 'left' : 'right' })),
    rows: rows.map((r) =>
      Array.from({ length: columns }, (_, i) => ({ type: 'raw_text' as const, text: r[i] ?? '' })),
    ),
  };
}

/**
 * The result as messages: the first carries the header, the host and (if any) the partial-result note, and
 * every message one table; claims, problems and notes follow the last table.
 */
export function renderResultMessages(doc: BenchResultDoc, partial: string | undefined): ResultMessages {
  const tables: Array<[string, string | null, string | null]> = [
    [
      'Training — samples/s (higher is better)',
      trainingTable(doc.rows, 'markdown', true),
      trainingTable(doc.rows, 'text', true),
    ],
    [
      'Inference — batch-1 latency and large-batch samples/s',
      inferenceTable(doc.rows, 'markdown', true),
      inferenceTable(doc.rows, 'text', true),
    ],
    ['Matmul — TFLOP/s', matmulTable(doc.rows, 'markdown', true), matmulTable(doc.rows, 'text', true)],
  ];
  const head = resultHeadBlocks(doc) as types.KnownBlock[];
  // Below the header, so that the first thing read under the title is that the result is partial.
  if (partial) head.push(section(toMrkdwn(partial)));
  const ok = doc.rows.filter((r) => r.status === 'ok').length;
  const summary = `TensorDuel benchmark: ${ok}/${doc.rows.length} runs ok. ${claimLines(doc)[0] ?? ''}`;
  const headline = escapeMrkdwn(partial ? `${partial.replace(/\*\*/g, '')} ${summary}` : summary);

  const native: SlackMessage[] = [];
  for (const [title, markdown, text] of tables) {
    if (!markdown || !text) continue;
    const blocks: types.KnownBlock[] = native.length === 0 ? [...head] : [];
    blocks.push(section(`*${escapeMrkdwn(title)}*`), tableBlock(markdownCells(markdown)));
    const caption = `${native.length === 0 ? `${headline}\n` : ''}${title}\n\`\`\`\n${text}\n\`\`\``;
    native.push({ text: truncate(caption, SLACK_LIMITS.fallbackText), blocks });
  }
  const tail = resultTailBlocks(doc) as types.KnownBlock[];
  const last = native[native.length - 1];
  if (!last) native.push({ text: truncate(headline, SLACK_LIMITS.fallbackText), blocks: [...head, ...tail] });
  else last.blocks.push(...tail.slice(0, SLACK_LIMITS.blocksPerMessage - last.blocks.length));

  const fallback = renderSlackBlocks(doc);
  const blocks = [...fallback.blocks] as types.KnownBlock[];
  if (partial) blocks.splice(1, 0, section(toMrkdwn(partial)));
  blocks.splice(SLACK_LIMITS.blocksPerMessage);
  const codeBlocks = [
    {
      text: truncate(
        escapeMrkdwn(partial ? `${partial} ${fallback.text}` : fallback.text),
        SLACK_LIMITS.fallbackText,
      ),
      blocks,
    },
  ];
  return { native, codeBlocks };
}
