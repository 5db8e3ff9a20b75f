import { afterEach, describe, expect, it } from 'vitest';
import { DISCORD_COMMANDS } from '../../../src/adapters/discord/commands.ts';
import { DiscordAdapter } from '../../../src/adapters/discord/DiscordAdapter.ts';
import { registerCommands } from '../../../src/adapters/discord/register.ts';
import { UserError } from '../../../src/core/errors.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { DISCORD_IDS, FakeDiscord } from '../../fakes/FakeDiscord.ts';
import { waitFor } from '../../fakes/util.ts';
import { ScriptedAdvisor } from '../scripted-advisor.ts';
import {
  checkDiscordMessage,
  DISCORD_TOKEN,
  DiscordHarness,
  MESSAGE_WRITES,
  TEST_RETRY,
  toSeen,
} from './harness.ts';

const EPHEMERAL = 64;
const DEFERRED = 5;

describe('Discord adapter', () => {
  const harness = new DiscordHarness();
  let advisor: ScriptedAdvisor;
  const start = async () => {
    advisor = new ScriptedAdvisor();
    await harness.start(advisor, createLogger({ level: 'silent' }));
  };
  afterEach(() => harness.stop());

  it('answers DMs without a mention, as one conversation per DM channel', async () => {
    await start();
    harness.fake.sendMessage({ content: 'hi there', where: { dm: '600000000000000001' }, mentionBot: false });
    harness.fake.sendMessage({ content: 'again', where: { dm: '600000000000000001' }, mentionBot: false });
    const calls = await harness.fake.waitForCalls(/^POST \/channels\/600000000000000001\/messages$/, 2);
    expect(toSeen(calls[1] as never).text).toContain('(turn 2)');
    expect(advisor.calls.map((c) => c.conversationId)).toEqual([
      'discord:600000000000000001:dm',
      'discord:600000000000000001:dm',
    ]);
  });

  it('answers a mention inside a thread in that thread, one conversation per thread', async () => {
    await start();
    const id = harness.fake.sendMessage({ content: 'in a thread', where: 'thread' });
    const [call] = await harness.fake.waitForCalls(
      new RegExp(`^POST /channels/${DISCORD_IDS.thread}/messages$`),
      1,
    );
    expect(call?.body).toMatchObject({ message_reference: { message_id: id } });
    expect(advisor.calls[0]?.conversationId).toBe(`discord:${DISCORD_IDS.channel}:${DISCORD_IDS.thread}`);
  });

  it('ignores guild messages that do not mention it, and answers a replayed message once', async () => {
    await start();
    harness.fake.sendMessage({ content: 'just chatting', mentionBot: false });
    const id = harness.fake.sendMessage({ content: 'once' });
    harness.fake.sendMessage({ content: 'once', id });
    harness.fake.sendMessage({ content: 'sentinel' });
    await harness.fake.waitForCalls(MESSAGE_WRITES, 2);
    expect(advisor.calls.map((c) => c.text)).toEqual(['once', 'sentinel']);
  });

  it('defers /ask before answering, and answers /help and /recommend only to the user', async () => {
    await start();
    const ask = harness.fake.sendCommand('ask', { question: 'is torch fast?' });
    const [edit] = await harness.fake.waitForCalls(/^PATCH \/webhooks\/.+\/@original$/, 1);
    const callbacks = harness.fake.callsMatching(/callback$/);
    expect(callbacks[0]?.path).toBe(`/interactions/${ask.id}/${ask.token}/callback`);
    expect(callbacks[0]?.body).toMatchObject({ type: DEFERRED });
    expect((callbacks[0]?.body as { data?: { flags?: number } } | undefined)?.data?.flags ?? 0).toBe(0);
    expect(callbacks[0]?.at).toBeLessThanOrEqual(edit?.at ?? 0);
    expect(toSeen(edit as never).text).toContain('You said: is torch fast?');

    harness.fake.sendCommand('help');
    harness.fake.sendCommand('recommend', { details: 'vision at scale' });
    await harness.fake.waitForCalls(/^PATCH \/webhooks\/.+\/@original$/, 3);
    const deferred = harness.fake.callsMatching(/callback$/).slice(1);
    for (const c of deferred) expect(c.body).toMatchObject({ type: DEFERRED, data: { flags: EPHEMERAL } });
    const texts = harness.fake.callsMatching(/@original$/).map((c) => toSeen(c).text);
    expect(texts.some((t) => t.includes('**TensorDuel commands**') && t.includes('`/ask question`'))).toBe(
      true,
    );
    expect(advisor.calls.map((c) => c.text)).toEqual([
      'is torch fast?',
      'help',
      'which framework should I use: vision at scale',
    ]);
  });

  it('sends a long slash-command answer as the edited reply plus follow-ups, all within limits', async () => {
    await start();
    harness.fake.sendCommand('ask', { question: 'long' });
    const writes = await waitFor(() => {
      const all = harness.fake.callsMatching(/^(PATCH|POST) \/webhooks\//);
      return all.some((w) => toSeen(w).text.includes('point 11:')) && all;
    }, 'the last follow-up');
    expect(writes.length).toBeGreaterThan(1);
    for (const w of writes) checkDiscordMessage(w.body as never);
    expect(writes.map((w) => toSeen(w).text).join('\n')).toContain('x_259 = torch.randn(260, 32)');
  });

  it('says so when a button is no longer known (e.g. after a restart)', async () => {
    await start();
    harness.fake.clickButton({}, 'td:c:unknownkey');
    const [callback] = await harness.fake.waitForCalls(/callback$/, 1);
    expect(callback?.body).toMatchObject({
      type: 4,
      data: { content: 'That button has expired. Please ask me again.', flags: EPHEMERAL },
    });
    expect(advisor.calls).toHaveLength(0);
  });
});

describe('Discord adapter start-up', () => {
  let fake: FakeDiscord;
  afterEach(() => fake?.close());

  const adapter = () =>
    new DiscordAdapter({
      advisor: new ScriptedAdvisor(),
      logger: createLogger({ level: 'silent' }),
      token: DISCORD_TOKEN,
      apiUrl: fake.apiUrl,
      retry: TEST_RETRY,
      readyTimeoutMs: 5000,
    });

  it('explains a missing Message Content intent instead of failing obscurely', async () => {
    fake = await FakeDiscord.start();
    fake.rejectPrivilegedIntents();
    const err = await adapter()
      .start()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/Message Content intent/);
  });

  it('reports a rejected token without echoing it', async () => {
    fake = await FakeDiscord.start();
    fake.failNext('GET /gateway/bot', {
      status: 401,
      body: JSON.stringify({ message: '401: Unauthorized', code: 0 }),
    });
    const err = await adapter()
      .start()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe('Discord rejected DISCORD_TOKEN: check the bot token.');
  });
});

describe('Discord command registration', () => {
  let fake: FakeDiscord;
  afterEach(() => fake?.close());

  it('registers the commands in one guild when a guild id is set, else globally', async () => {
    fake = await FakeDiscord.start();
    const logger = createLogger({ level: 'silent' });
    const guild = await registerCommands({
      token: DISCORD_TOKEN,
      apiUrl: fake.apiUrl,
      guildId: DISCORD_IDS.guild,
      logger,
    });
    expect(guild.names).toEqual(['ask', 'recommend', 'bench', 'help', 'cancel', 'results', 'compare']);
    const global = await registerCommands({
      token: DISCORD_TOKEN,
      apiUrl: fake.apiUrl,
      applicationId: DISCORD_IDS.app,
      logger,
    });
    expect(global.scope).toMatch(/^global/);
    const puts = fake.callsMatching(/^PUT /);
    expect(puts.map((c) => c.path)).toEqual([
      `/applications/${DISCORD_IDS.app}/guilds/${DISCORD_IDS.guild}/commands`,
      `/applications/${DISCORD_IDS.app}/commands`,
    ]);
    expect(puts[0]?.body).toEqual(JSON.parse(JSON.stringify(DISCORD_COMMANDS)));
    expect(puts[0]?.authorization).toBe(`Bot ${DISCORD_TOKEN}`);
    // The application id was looked up once, for the call that did not give it.
    expect(fake.callsMatching(/^GET \/applications\/@me$/)).toHaveLength(1);
  });

  it('fails with a readable reason when Discord refuses', async () => {
    fake = await FakeDiscord.start();
    fake.failNext(/^PUT /, { status: 403, body: JSON.stringify({ message: 'Missing Access', code: 50001 }) });
    const err = await registerCommands({
      token: DISCORD_TOKEN,
      apiUrl: fake.apiUrl,
      applicationId: DISCORD_IDS.app,
      logger: createLogger({ level: 'silent' }),
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'Could not register the Discord commands: Discord error 50001 (HTTP 403).',
    );
  });
});
