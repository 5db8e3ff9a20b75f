/** Drives the Slack adapter in HTTP mode against the fake Slack: signed events in, Web API calls out. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { slackSyntax } from '../../../src/adapters/shared/command-table.ts';
import { SLACK_LIMITS } from '../../../src/adapters/shared/limits.ts';
import { SlackAdapter, type SlackAdapterOptions } from '../../../src/adapters/slack/SlackAdapter.ts';
import type { Logger } from '../../../src/core/ports.ts';
import type { AdvisorApi } from '../../../src/core/types.ts';
import { blockActionPayload, FakeSlack, SLACK_BOT, SlackPusher } from '../../fakes/FakeSlack.ts';
import { waitFor } from '../../fakes/util.ts';
import type { ContractHarness, SeenReply, Sent } from '../contract.ts';
import { expectFencesBalanced } from '../contract.ts';

/** Fast retries for tests. */
export const TEST_RETRY = { retries: 3, baseDelayMs: 5, maxDelayMs: 20 };

export const SIGNING_SECRET = 'test-signing-secret-1234';
export const BOT_TOKEN = 'xoxb-test-bot-token-1234';
const CHANNEL = 'C0GENERAL';
const USER = 'U0HUMAN';

interface FeedbackButton {
  text: { text: string };
  value: string;
}

interface Block {
  type: string;
  /** A section's text object, or a `markdown` block's Markdown. */
  text?: { text: string } | string;
  elements?: Array<{
    type: string;
    text?: { text: string } | string;
    action_id?: string;
    value?: string;
    positive_button?: FeedbackButton;
    negative_button?: FeedbackButton;
  }>;
}

/** A block's own text: a section's mrkdwn or a markdown block's Markdown. */
const blockText = (b: Block) => (typeof b.text === 'string' ? b.text : b.text?.text);

/** A Slack post as the contract sees it. */
function toSeen(args: Record<string, unknown>, ts: string | undefined): SeenReply {
  const blocks = (args.blocks ?? []) as Block[];
  const texts: string[] = [];
  const buttons: SeenReply['buttons'] = [];
  for (const b of blocks) {
    const text = blockText(b);
    if (text !== undefined) texts.push(text);
    for (const e of b.elements ?? []) {
      if (e.type === 'button' && typeof e.text === 'object')
        buttons.push({ label: e.text.text, id: JSON.stringify({ action_id: e.action_id, value: e.value }) });
      else if (e.type === 'feedback_buttons') {
        // Two buttons of one element: the clicked one's value comes back with the element's action_id.
        for (const button of [e.positive_button, e.negative_button])
          if (button)
            buttons.push({
              label: button.text.text,
              id: JSON.stringify({ action_id: e.action_id, value: button.value, type: 'feedback_buttons' }),
            });
      } else if (typeof e.text === 'string') texts.push(e.text);
    }
  }
  return { text: texts.join('\n'), buttons, raw: { ...args, ts } };
}

/** The Slack harness: HTTP Events API mode. */
export class SlackHarness implements ContractHarness {
  readonly hasBots = true;
  readonly hasThreads = true;
  fake!: FakeSlack;
  adapter!: SlackAdapter;
  pusher!: SlackPusher;
  readonly syntax = slackSyntax();
  readonly #threadOf = new Map<string, string>();
  #options: SlackAdapterOptions | undefined;
  #dir: string | undefined;

  async start(advisor: AdvisorApi, logger: Logger, extra: Partial<SlackAdapterOptions> = {}): Promise<void> {
    this.fake = await FakeSlack.start();
    // Buttons in a file of their own unless the test names one: a restart keeps them.
    this.#dir = await mkdtemp(join(tmpdir(), 'td-slack-harness-'));
    this.#options = {
      buttonsFile: join(this.#dir, 'slack-buttons.json'),
      // The unit tier keeps the HTTP front on this thread (the same receiver code; a worker's start costs ~0.2 s per
      // adapter): HttpFrontReceiver.test covers both placements and the e2e suites run the default, its own thread.
      httpFrontThread: false,
      ...extra,
      advisor,
      logger,
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      apiUrl: this.fake.apiUrl,
      port: 0,
      host: '127.0.0.1',
      retry: TEST_RETRY,
    };
    await this.#startAdapter();
  }

  /** A new adapter with the same options on the same fake Slack: what a restart of TensorDuel does. */
  async restart(): Promise<void> {
    await this.adapter.stop();
    await this.#startAdapter();
  }

  async #startAdapter(): Promise<void> {
    this.adapter = new SlackAdapter(this.#options as SlackAdapterOptions);
    await this.adapter.start();
    this.pusher = new SlackPusher(`http://127.0.0.1:${this.adapter.port}/slack/events`, SIGNING_SECRET);
  }

  async stop(): Promise<void> {
    await this.adapter?.stop();
    await this.fake?.close();
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  async command(text: string): Promise<SeenReply> {
    const responseUrl = this.fake.responseUrl();
    const id = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
    const res = await this.pusher.sendCommand({
      text,
      user_id: USER,
      channel_id: CHANNEL,
      trigger_id: `trig-${id}`,
      response_url: responseUrl,
    });
    expect(res.status).toBe(200);
    const payload = await waitFor(() => this.fake.responses.find((r) => r.id === id)?.payload, 'the answer');
    return toSeen(payload, undefined);
  }

  async mention(text: string, continueFrom?: Sent): Promise<Sent> {
    const ts = this.pusher.nextTs();
    const thread = continueFrom ? this.#threadOf.get(continueFrom.id) : undefined;
    this.#threadOf.set(ts, thread ?? ts);
    const res = await this.pusher.sendEvent(
      this.pusher.eventBody({
        type: 'app_mention',
        user: USER,
        text: `<@${SLACK_BOT.userId}> ${text}`,
        ts,
        channel: CHANNEL,
        ...(thread ? { thread_ts: thread } : {}),
      }),
    );
    expect(res.status).toBe(200);
    return { id: ts };
  }

  async ownMessage(text: string): Promise<void> {
    // Slack echoes the bot's own posts: in a DM as message.im, in channels only if subscribed.
    for (const event of [
      {
        type: 'message',
        channel_type: 'im',
        channel: 'D0BOTDM',
        user: SLACK_BOT.userId,
        bot_id: SLACK_BOT.botId,
      },
      { type: 'app_mention', channel: CHANNEL, user: SLACK_BOT.userId, bot_id: SLACK_BOT.botId },
    ]) {
      const res = await this.pusher.sendEvent(
        this.pusher.eventBody({ ...event, text, ts: this.pusher.nextTs() }),
      );
      expect(res.status).toBe(200);
    }
  }

  async otherBotMessage(text: string): Promise<void> {
    for (const event of [
      { type: 'app_mention', channel: CHANNEL, user: 'U0OTHERBOT', bot_id: 'B0OTHER' },
      { type: 'message', channel_type: 'im', channel: 'D0OTHER', subtype: 'bot_message', bot_id: 'B0OTHER' },
    ]) {
      const res = await this.pusher.sendEvent(
        this.pusher.eventBody({ ...event, text: `<@${SLACK_BOT.userId}> ${text}`, ts: this.pusher.nextTs() }),
      );
      expect(res.status).toBe(200);
    }
  }

  replies(): SeenReply[] {
    return this.fake.callsTo('chat.postMessage').map((c) => toSeen(c.args, c.ts));
  }

  answersTo(sent: Sent): SeenReply[] {
    const thread = this.#threadOf.get(sent.id);
    return this.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === CHANNEL && c.args.thread_ts === thread)
      .map((c) => toSeen(c.args, c.ts));
  }

  async click(reply: SeenReply, buttonId: string): Promise<void> {
    const { action_id, value, type } = JSON.parse(buttonId) as {
      action_id: string;
      value: string;
      type?: string;
    };
    const raw = reply.raw as { channel: string; ts: string; thread_ts?: string };
    const res = await this.pusher.sendAction(
      blockActionPayload({
        user: USER,
        channel: raw.channel,
        messageTs: raw.ts,
        ...(raw.thread_ts ? { threadTs: raw.thread_ts } : {}),
        responseUrl: this.fake.responseUrl(),
        action: { action_id, value, ...(type ? { type } : {}) },
      }),
    );
    expect(res.status).toBe(200);
  }

  checkLimits(reply: SeenReply): void {
    checkSlackMessage(reply.raw as { text?: string; blocks?: Block[] });
  }
}

/** Asserts a chat.postMessage / response_url payload keeps to Block Kit limits with closed code blocks. */
export function checkSlackMessage(message: { text?: string; blocks?: Block[] }): void {
  const blocks = message.blocks ?? [];
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  expect((message.text ?? '').length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  // Slack caps the markdown blocks of one message together, not only each one.
  const markdown = blocks.filter((b) => b.type === 'markdown').map((b) => blockText(b) ?? '');
  expect(markdown.join('').length).toBeLessThanOrEqual(SLACK_LIMITS.markdownText);
  for (const block of blocks) {
    const text = blockText(block);
    if (text !== undefined) {
      expect(text.length).toBeLessThanOrEqual(
        block.type === 'markdown' ? SLACK_LIMITS.markdownText : SLACK_LIMITS.sectionText,
      );
      expectFencesBalanced(text);
    }
    for (const e of block.elements ?? []) {
      if (e.type === 'button') {
        expect(typeof e.text === 'object' && e.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
        expect((e.value ?? '').length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
      }
    }
  }
}
