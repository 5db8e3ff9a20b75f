/**
 * A benchmark result as one Block Kit message of monospace code blocks (a pure function): the rendering for
 * clients that refuse native `table` blocks (result-blocks.ts falls back to it). Slack's wire format lives here,
 * in the Slack adapter; the core gives it the tables, claim checks and notes as text.
 */
import { claimLines, matmulLines } from '../../core/bench/claims.ts';
import { hostLine, settingsLine } from '../../core/bench/format.ts';
import {
  inferenceTable,
  matmulTable,
  noteLines,
  problemLines,
  trainingTable,
} from '../../core/bench/render-table.ts';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import { SLACK_LIMITS } from '../shared/limits.ts';
import { truncate } from '../shared/split-markdown.ts';
import { escapeMrkdwn } from './render.ts';

/** The Block Kit blocks this renderer emits. */
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }
  | { type: 'divider' };

/** A code block that fits a section: whole lines only, with a count of what was cut. */
function codeSection(title: string, body: string): SlackBlock {
  const head = `*${title}*\n\`\`\`\n`;
  const foot = '\n```';
  const lines = escapeMrkdwn(body).split('\n');
  const kept: string[] = [];
  let size = head.length + foot.length + 40;
  for (const [i, line] of lines.entries()) {
    if (size + line.length + 1 > SLACK_LIMITS.sectionText) {
      kept.push(`… ${lines.length - i} more row(s)`);
      break;
    }
    kept.push(line);
    size += line.length + 1;
  }
  return { type: 'section', text: { type: 'mrkdwn', text: `${head}${kept.join('\n')}${foot}` } };
}

const section = (text: string): SlackBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) },
});

/** The title and host context every rendering of a result starts with (code blocks and native tables alike). */
export function resultHeadBlocks(doc: BenchResultDoc): SlackBlock[] {
  return [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate('TensorDuel benchmark', SLACK_LIMITS.headerText),
        emoji: false,
      },
    },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: truncate(escapeMrkdwn(hostLine(doc.environment)), SLACK_LIMITS.contextText) },
        {
          type: 'mrkdwn',
          text: escapeMrkdwn(
            `${doc.createdAt} · ${settingsLine(doc)} · id ${doc.id}${doc.completed ? '' : ' · cancelled'}`,
          ),
        },
      ],
    },
  ];
}

/** What a result says about the article, what did not run, and its notes: the end of every rendering. */
export function resultTailBlocks(doc: BenchResultDoc): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  const claims = [...claimLines(doc), ...matmulLines(doc)];
  if (claims.length > 0) {
    blocks.push({ type: 'divider' }, section('*What this says about the article*'));
    for (const c of claims) blocks.push(section(`• ${escapeMrkdwn(c)}`));
  }
  const problems = problemLines(doc);
  if (problems.length > 0)
    blocks.push(section(`*Not run*\n${problems.map((p) => `• ${escapeMrkdwn(p)}`).join('\n')}`));
  const notes = noteLines(doc);
  if (notes.length > 0)
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: truncate(escapeMrkdwn(notes.join(' · ')), SLACK_LIMITS.contextText) },
      ],
    });
  return blocks;
}

/**
 * Block Kit message for a result: header, host context, compact monospace tables, claim checks, problems, notes.
 * `text` is the notification fallback.
 * @example
 * renderSlackBlocks(doc).blocks[0]; // { type: 'header', text: { type: 'plain_text', text: 'TensorDuel benchmark', emoji: false } }
 */
export function renderSlackBlocks(doc: BenchResultDoc): { text: string; blocks: SlackBlock[] } {
  const blocks: SlackBlock[] = resultHeadBlocks(doc);
  const tables: Array<[string, string | null]> = [
    ['Training — samples/s (higher is better)', trainingTable(doc.rows, 'text', true)],
    ['Inference — batch-1 latency and large-batch samples/s', inferenceTable(doc.rows, 'text', true)],
    ['Matmul — TFLOP/s', matmulTable(doc.rows, 'text', true)],
  ];
  for (const [title, body] of tables) if (body) blocks.push(codeSection(title, body));
  blocks.push(...resultTailBlocks(doc));
  if (blocks.length > SLACK_LIMITS.blocksPerMessage) {
    blocks.length = SLACK_LIMITS.blocksPerMessage - 1;
    blocks.push(section('_More results were cut to fit Slack; see `tensorduel bench --markdown`._'));
  }
  const ok = doc.rows.filter((r) => r.status === 'ok').length;
  return {
    text: truncate(
      `TensorDuel benchmark: ${ok}/${doc.rows.length} runs ok. ${claimLines(doc)[0] ?? ''}`,
      SLACK_LIMITS.fallbackText,
    ),
    blocks,
  };
}
