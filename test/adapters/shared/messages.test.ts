import { describe, expect, it } from 'vitest';
import { DISCORD_SYNTAX, slackSyntax } from '../../../src/adapters/shared/command-table.ts';
import { ChatMessages } from '../../../src/adapters/shared/messages.ts';
import type { BenchRun } from '../../../src/core/jobs/bench-run.ts';

const run = (over: Partial<BenchRun>): BenchRun =>
  ({ id: 'b3', status: 'interrupted', ...over }) as unknown as BenchRun;

describe('the message catalog', () => {
  const slack = new ChatMessages(slackSyntax());
  const discord = new ChatMessages(DISCORD_SYNTAX);

  it("tells each platform's users their own bench command", () => {
    expect(discord.interruptedNotice(run({}))).toContain('Start it again with `/bench`.');
    expect(slack.interruptedNotice(run({}))).toContain('Start it again with `/tensorduel bench`.');
    expect(discord.interruptedNotice(run({ resultId: 'r1' }))).toContain('`/results b3`');
  });

  it('says a kept partial result in the status text too', () => {
    const text = 'Benchmark `b3` was interrupted by a restart; run it again to get results.';
    expect(discord.interruptedStatus(run({ resultId: 'r1' }), text)).toBe(
      'Benchmark `b3` was interrupted by a restart; what finished before the restart is kept as a partial result (`/results b3`); run it again for the full result.',
    );
    expect(discord.interruptedStatus(run({}), text)).toBe(text);
  });

  it('respells queue texts that name the Slack command', () => {
    expect(discord.relay('No benchmark has finished yet. Start one with `/tensorduel bench`.')).toBe(
      'No benchmark has finished yet. Start one with `/bench`.',
    );
    expect(new ChatMessages(slackSyntax('/td')).relay('`/tensorduel cancel b1`')).toBe('`/td cancel b1`');
    expect(discord.relay('see `/tensorduel frobnicate`')).toBe('see `/tensorduel frobnicate`');
  });

  it('has one text per situation, with examples from the command table', () => {
    expect(slack.missingArgument('ask')).toBe(
      'Please add your question, e.g. `/tensorduel ask is PyTorch faster than TensorFlow?`.',
    );
    expect(discord.compareNeedsTwo()).toBe('Name two runs to compare, e.g. `/compare b1 b2`.');
    expect(discord.notAdmin('report')).toContain('`/report` is for TensorDuel');
    expect(slack.unknownCommand('frob', { bench: false })).toMatch(
      /^I don't know the command `frob`\. Here is/,
    );
    expect(slack.somethingWentWrong).toBe(discord.somethingWentWrong);
  });
});
