/**
 * The adapter contract: one behaviour suite every chat adapter (Slack, Discord, terminal) must pass, each
 * driven through its own harness over its real transport (fake servers or streams).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS, type CommandSyntax, commandUsage } from '../../src/adapters/shared/command-table.ts';
import type { Logger } from '../../src/core/ports.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { waitFor } from '../fakes/util.ts';
import { BOOM_SECRET, ScriptedAdvisor } from './scripted-advisor.ts';

/** A user message the harness sent. */
export interface Sent {
  /** Platform id of the message (Slack ts, Discord snowflake, console line number). */
  id: string;
}

/** One bot output, normalised across platforms. */
export interface SeenReply {
  /** Everything a user can read in it, as plain text. */
  text: string;
  /** Buttons (Slack/Discord) or numbered options (terminal). */
  buttons: Array<{ label: string; id: string }>;
  /** The platform payload, for limit checks. */
  raw: unknown;
}

/** Drives one adapter through its transport. */
export interface ContractHarness {
  /** Whether the platform delivers bot-authored messages to the bot (terminal: no). */
  readonly hasBots: boolean;
  /** Whether the platform has threads, i.e. several conversations side by side (terminal: no). */
  readonly hasThreads: boolean;
  start(advisor: ScriptedAdvisor, logger: Logger): Promise<void>;
  stop(): Promise<void>;
  /** A user addresses the bot (mention, DM line); `continueFrom` keeps to that message's thread. */
  mention(text: string, continueFrom?: Sent): Promise<Sent>;
  /** The bot's own message arrives as an event (as Slack and Discord echo it). */
  ownMessage(text: string): Promise<void>;
  /** Another bot mentions this one. */
  otherBotMessage(text: string): Promise<void>;
  /** Every bot output so far. */
  replies(): SeenReply[];
  /** Bot outputs placed as answers to `sent` (in its thread / replying to it). */
  answersTo(sent: Sent): SeenReply[];
  /** Clicks a button (or types an option number). */
  click(reply: SeenReply, buttonId: string): Promise<void>;
  /** Throws if `reply` breaks a platform limit or leaves a code block open. */
  checkLimits(reply: SeenReply): void;
  /**
   * Restarts the adapter on the same transport, keeping what it persists (its button store) and the advisor;
   * absent on a platform whose buttons cannot outlive the process (the terminal's numbered options).
   */
  restart?(): Promise<void>;
  /** Runs a chat command the platform's way (`help`, `ask …`) and returns the answer the user sees. */
  command?(text: string): Promise<SeenReply>;
  /** How the platform spells its commands (with `command`). */
  readonly syntax?: CommandSyntax;
}

/** Waits for a reply matching `predicate` among `replies()`. */
export function waitForReply(
  list: () => SeenReply[],
  predicate: (r: SeenReply) => boolean,
  what: string,
): Promise<SeenReply> {
  return waitFor(() => list().find(predicate), what);
}

/** Asserts every fenced block in `text` is closed. */
export function expectFencesBalanced(text: string): void {
  const fences = text.split('\n').filter((l) => /^\s*```/.test(l)).length;
  expect(fences % 2, `unbalanced code fences in:\n${text.slice(0, 300)}…`).toBe(0);
}

/** Registers the contract suite for one adapter. */
export function adapterContract(name: string, createHarness: () => ContractHarness): void {
  describe(`${name} adapter contract`, () => {
    let harness: ContractHarness;
    let advisor: ScriptedAdvisor;
    let logLines: string[];

    beforeEach(async () => {
      harness = createHarness();
      advisor = new ScriptedAdvisor();
      logLines = [];
      await harness.start(advisor, createLogger({ level: 'debug', write: (l) => logLines.push(l) }));
    });

    afterEach(async () => {
      await harness.stop();
    });

    it('answers a mention in its thread', async () => {
      const sent = await harness.mention('hello there');
      const reply = await waitForReply(
        () => harness.answersTo(sent),
        (r) => r.text.includes('You said: hello there'),
        'the answer',
      );
      expect(reply.text).toContain('Echo'); // the source section
      expect(advisor.calls).toHaveLength(1);
    });

    it('keeps a conversation per thread and starts fresh in a new one', async () => {
      const first = await harness.mention('one');
      await waitForReply(
        () => harness.answersTo(first),
        (r) => r.text.includes('(turn 1)'),
        'first answer',
      );
      const second = await harness.mention('two', first);
      await waitForReply(
        () => harness.answersTo(second),
        (r) => r.text.includes('You said: two'),
        'second answer',
      );
      expect(advisor.calls[1]?.conversationId).toBe(advisor.calls[0]?.conversationId);
      expect(harness.answersTo(second).some((r) => r.text.includes('(turn 2)'))).toBe(true);
      if (!harness.hasThreads) return;
      const fresh = await harness.mention('three');
      await waitForReply(
        () => harness.answersTo(fresh),
        (r) => r.text.includes('You said: three'),
        'third answer',
      );
      expect(advisor.calls[2]?.conversationId).not.toBe(advisor.calls[0]?.conversationId);
      expect(harness.answersTo(fresh).some((r) => r.text.includes('(turn 1)'))).toBe(true);
    });

    it('ignores its own messages and other bots', async (ctx) => {
      if (!harness.hasBots) ctx.skip();
      await harness.ownMessage('You said: an echo of myself');
      await harness.otherBotMessage('hello from another bot');
      // A later human message is answered; by then the bot messages were long processed (and dropped).
      const sent = await harness.mention('human here');
      await waitForReply(
        () => harness.answersTo(sent),
        (r) => r.text.includes('human here'),
        'the answer',
      );
      expect(advisor.calls.map((c) => c.text)).toEqual(['human here']);
      expect(harness.replies()).toHaveLength(1);
    });

    it('splits a long answer to fit the platform limits without breaking code blocks', async () => {
      const sent = await harness.mention('long');
      await waitForReply(
        () => harness.answersTo(sent),
        (r) => r.text.includes('point 11:'),
        'the last part',
      );
      const replies = harness.answersTo(sent);
      for (const reply of replies) harness.checkLimits(reply);
      const all = replies.map((r) => r.text).join('\n');
      // Nothing lost: first and last paragraphs, first and last code lines.
      for (const piece of [
        'Part 0.',
        'Part 11.',
        'x_0 = torch.randn(1, 32)',
        'x_259 = torch.randn(260, 32)',
        'point 11:',
      ])
        expect(all).toContain(piece);
    });

    it('answers a suggestion button click in the same conversation', async () => {
      const sent = await harness.mention('ambiguous');
      const question = await waitForReply(
        () => harness.answersTo(sent),
        (r) => r.buttons.some((b) => b.label === 'Training speed'),
        'the suggestions',
      );
      const button = question.buttons.find((b) => b.label === 'Training speed');
      await harness.click(question, button?.id ?? '');
      await waitForReply(
        () => harness.replies(),
        (r) => r.text.includes('they are close on GPUs'),
        'the answer',
      );
      expect(advisor.calls[1]?.text).toBe('compare training speed');
      expect(advisor.calls[1]?.conversationId).toBe(advisor.calls[0]?.conversationId);
    });

    it('offers suggested follow-ups after a clear answer; clicking one asks it in the same conversation', async () => {
      const sent = await harness.mention('compare training speed');
      const answer = await waitForReply(
        () => harness.answersTo(sent),
        (r) => r.buttons.some((b) => b.label.includes('Inference speed')),
        'the follow-up buttons',
      );
      expect(answer.buttons.some((b) => b.label.includes('Memory use'))).toBe(true);
      const button = answer.buttons.find((b) => b.label.includes('Inference speed'));
      await harness.click(answer, button?.id ?? '');
      await waitFor(() => advisor.calls.length >= 2, 'the follow-up question');
      expect(advisor.calls[1]).toMatchObject({
        text: 'compare inference speed',
        conversationId: advisor.calls[0]?.conversationId,
      });
      await waitForReply(
        () => harness.replies(),
        (r) => r.text.includes('You said: compare inference speed'),
        'the answer to the follow-up',
      );
    });

    it('logs one info line per answer, without the message text', async () => {
      const sent = await harness.mention('my confidential roadmap question');
      await waitForReply(
        () => harness.answersTo(sent),
        (r) => r.text.includes('You said:'),
        'the answer',
      );
      await waitFor(() => logLines.some((l) => l.includes('"msg":"answered"')), 'the answered line');
      const answered = logLines.filter((l) => l.includes('"msg":"answered"'));
      expect(answered).toHaveLength(1);
      expect(answered[0]).toContain('"level":"info"');
      expect(answered[0]).toContain('"intent":"faq"');
      expect(answered[0]).toMatch(/"conversation":"[0-9a-f]{12}"/);
      const notDebug = logLines.filter((l) => !l.includes('"level":"debug"')).join('\n');
      expect(notDebug).not.toContain('confidential roadmap');
    });

    it('records 👍/👎 feedback with the answer it rates', async () => {
      const sent = await harness.mention('compare training speed');
      const answer = await waitForReply(
        () => harness.answersTo(sent),
        (r) => r.buttons.some((b) => b.label === '👎'),
        'the rated answer',
      );
      await harness.click(answer, answer.buttons.find((b) => b.label === '👎')?.id ?? '');
      await waitFor(() => advisor.feedback.length > 0, 'feedback');
      expect(advisor.feedback[0]).toMatchObject({
        entryId: 'cmp-speed',
        question: 'compare training speed',
        vote: 'down',
        conversationId: advisor.calls[0]?.conversationId,
      });
    });

    it('answers a button clicked on a message posted before a restart, in the same conversation', async (ctx) => {
      if (!harness.restart) ctx.skip();
      const sent = await harness.mention('ambiguous');
      const question = await waitForReply(
        () => harness.answersTo(sent),
        (r) => r.buttons.some((b) => b.label === 'Training speed'),
        'the suggestions',
      );
      await harness.restart?.();
      await harness.click(question, question.buttons.find((b) => b.label === 'Training speed')?.id ?? '');
      await waitFor(() => advisor.calls.length >= 2, 'the click after the restart');
      expect(advisor.calls[1]).toMatchObject({
        text: 'compare training speed',
        conversationId: advisor.calls[0]?.conversationId,
      });
    });

    it('lists the commands of the shared command table in help, spelled the way the platform spells them', async (ctx) => {
      if (!harness.command || !harness.syntax) ctx.skip();
      const syntax = harness.syntax as CommandSyntax;
      const help = await harness.command?.('help');
      for (const c of COMMANDS.filter((x) => x.group === 'chat'))
        expect(help?.text).toContain(commandUsage(syntax, c.name));
      // Admin commands are not offered to everyone.
      expect(help?.text).not.toContain(syntax.command('report'));
    });

    it('turns an exception in the core into a friendly reply and keeps serving', async () => {
      const sent = await harness.mention('boom');
      const reply = await waitForReply(
        () => harness.answersTo(sent),
        (r) => r.text.includes('Sorry'),
        'an apology',
      );
      expect(reply.text).not.toContain(BOOM_SECRET);
      expect(reply.text).not.toContain('exploded');
      expect(logLines.join('\n')).not.toContain(BOOM_SECRET);
      const next = await harness.mention('still there?');
      await waitForReply(
        () => harness.answersTo(next),
        (r) => r.text.includes('still there?'),
        'the next answer',
      );
    });
  });
}
