/** Drives the Discord adapter against the fake Discord: gateway dispatches in, REST calls out. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DiscordAdapter, type DiscordAdapterOptions } from '../../../src/adapters/discord/DiscordAdapter.ts';
import { embedSize } from '../../../src/adapters/discord/render.ts';
import { DISCORD_SYNTAX } from '../../../src/adapters/shared/command-table.ts';
import { DISCORD_LIMITS } from '../../../src/adapters/shared/limits.ts';
import type { Logger } from '../../../src/core/ports.ts';
import type { AdvisorApi } from '../../../src/core/types.ts';
import { DISCORD_IDS, type DiscordRestCall, FakeDiscord } from '../../fakes/FakeDiscord.ts';
import type { ContractHarness, SeenReply, Sent } from '../contract.ts';
import { expectFencesBalanced } from '../contract.ts';

/** Fast retries for tests. */
export const TEST_RETRY = { retries: 3, baseDelayMs: 5, maxDelayMs: 20 };
export const DISCORD_TOKEN = 'discord-test-token-SECRET-5678';

interface Embed {
  description?: string;
  title?: string;
  fields?: Array<{ name: string; value: string }>;
  footer?: { text: string };
}
interface Row {
  components: Array<{ label?: string; emoji?: { name: string }; custom_id: string }>;
}
interface Body {
  content?: string;
  embeds?: Embed[];
  components?: Row[];
  message_reference?: { message_id: string };
}

/** Paths where the bot posts messages: channel messages, interaction edits and follow-ups. */
export const MESSAGE_WRITES =
  /^(POST \/channels\/\d+\/messages|PATCH \/webhooks\/.+\/@original|POST \/webhooks\/\d+\/[^/]+)$/;

/** A Discord message as the contract sees it. */
export function toSeen(call: DiscordRestCall): SeenReply {
  const body = (call.body ?? {}) as Body;
  const texts = [body.content ?? ''];
  for (const e of body.embeds ?? []) {
    texts.push(e.title ?? '', e.description ?? '');
    for (const f of e.fields ?? []) texts.push(f.name, f.value);
  }
  const buttons = (body.components ?? []).flatMap((row) =>
    row.components.map((b) => ({ label: b.label ?? b.emoji?.name ?? '', id: b.custom_id })),
  );
  return { text: texts.filter(Boolean).join('\n'), buttons, raw: call };
}

/** The Discord harness. */
export class DiscordHarness implements ContractHarness {
  readonly hasBots = true;
  readonly hasThreads = true;
  readonly syntax = DISCORD_SYNTAX;
  fake!: FakeDiscord;
  adapter!: DiscordAdapter;
  #options: DiscordAdapterOptions | undefined;
  #dir: string | undefined;

  async start(
    advisor: AdvisorApi,
    logger: Logger,
    extra: Partial<DiscordAdapterOptions> = {},
  ): Promise<void> {
    this.fake = await FakeDiscord.start();
    // Buttons in a file of their own unless the test names one: a restart keeps them.
    this.#dir = await mkdtemp(join(tmpdir(), 'td-discord-harness-'));
    this.#options = {
      buttonsFile: join(this.#dir, 'discord-buttons.json'),
      ...extra,
      advisor,
      logger,
      token: DISCORD_TOKEN,
      apiUrl: this.fake.apiUrl,
      retry: TEST_RETRY,
      readyTimeoutMs: 10_000,
    };
    this.adapter = new DiscordAdapter(this.#options);
    await this.adapter.start();
  }

  /** A new adapter with the same options on the same fake Discord (a new gateway session): a restart. */
  async restart(): Promise<void> {
    await this.adapter.stop();
    this.adapter = new DiscordAdapter(this.#options as DiscordAdapterOptions);
    await this.adapter.start();
  }

  async stop(): Promise<void> {
    await this.adapter?.stop();
    await this.fake?.close();
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  /** `help` or `ask is torch faster?` as the slash command a user picks; the answer is the edited reply. */
  async command(text: string): Promise<SeenReply> {
    const [name = '', ...rest] = text.trim().split(/\s+/);
    const options: Record<string, string> =
      name === 'ask' ? { question: rest.join(' ') } : name === 'recommend' ? { details: rest.join(' ') } : {};
    const { token } = this.fake.sendCommand(name, options);
    return toSeen(await this.fake.originalOf(token));
  }

  /** A new mention in the channel; continuing means replying (Discord "reply") to the bot's last answer. */
  async mention(text: string, continueFrom?: Sent): Promise<Sent> {
    const answers = continueFrom ? this.answersTo(continueFrom) : [];
    const lastAnswer = (answers[answers.length - 1]?.raw as DiscordRestCall | undefined)?.response?.id;
    const id = this.fake.sendMessage({
      content: text,
      ...(lastAnswer ? { replyTo: String(lastAnswer) } : {}),
    });
    return { id };
  }

  async ownMessage(text: string): Promise<void> {
    this.fake.sendMessage({ content: text, authorId: DISCORD_IDS.bot });
    this.fake.sendMessage({ content: text, authorId: DISCORD_IDS.bot, where: { dm: '600000000000000099' } });
  }

  async otherBotMessage(text: string): Promise<void> {
    this.fake.sendMessage({ content: text, authorId: DISCORD_IDS.otherBot, authorBot: true });
    this.fake.sendMessage({
      content: text,
      authorId: DISCORD_IDS.otherBot,
      authorBot: true,
      where: { dm: '600000000000000098' },
    });
  }

  replies(): SeenReply[] {
    return this.fake.callsMatching(MESSAGE_WRITES).map(toSeen);
  }

  answersTo(sent: Sent): SeenReply[] {
    return this.fake
      .callsMatching(MESSAGE_WRITES)
      .filter((c) => (c.body as Body | undefined)?.message_reference?.message_id === sent.id)
      .map(toSeen);
  }

  async click(reply: SeenReply, buttonId: string): Promise<void> {
    const call = reply.raw as DiscordRestCall;
    this.fake.clickButton(call.response ?? {}, buttonId);
  }

  checkLimits(reply: SeenReply): void {
    checkDiscordMessage((reply.raw as DiscordRestCall).body as Body);
  }
}

/** Asserts a message body keeps to Discord's limits with closed code blocks. */
export function checkDiscordMessage(body: Body): void {
  expect((body.content ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
  expectFencesBalanced(body.content ?? '');
  const embeds = body.embeds ?? [];
  expect(embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedsPerMessage);
  expect(embedSize(embeds)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
  for (const e of embeds) {
    expect((e.description ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expectFencesBalanced(e.description ?? '');
    expect((e.fields ?? []).length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const f of e.fields ?? []) {
      expect(f.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
      expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    }
  }
  const rows = body.components ?? [];
  expect(rows.length).toBeLessThanOrEqual(DISCORD_LIMITS.rows);
  for (const row of rows) {
    expect(row.components.length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonsPerRow);
    for (const b of row.components) {
      expect((b.label ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonLabel);
      expect(b.custom_id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
    }
  }
}
