/** The code-block rendering of a result (the fallback when Slack refuses native table blocks). */
import { beforeAll, describe, expect, it } from 'vitest';
import { SLACK_LIMITS } from '../../../src/adapters/shared/limits.ts';
import { renderSlackBlocks } from '../../../src/adapters/slack/result-code-blocks.ts';
import type { BenchResultDoc } from '../../../src/core/bench/result.ts';
import type { WorkloadSpec } from '../../../src/core/bench/workload.ts';
import { docWith, syntheticRow, tinyWorkloads } from '../../helpers/bench.ts';
import { hugeDoc, smallDoc } from '../../helpers/result-docs.ts';

let workloads: WorkloadSpec[];
let small: BenchResultDoc;
let huge: BenchResultDoc;

const byId = (id: string) => workloads.find((w) => w.id === id) as WorkloadSpec;

beforeAll(async () => {
  workloads = await tinyWorkloads();
  small = smallDoc(workloads);
  huge = hugeDoc(workloads);
});

function slackChecks(message: ReturnType<typeof renderSlackBlocks>): void {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
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

describe('Slack result code blocks', () => {
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
    expect(big.blocks.length).toBe(SLACK_LIMITS.blocksPerMessage);
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
});
