import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DISCORD_COMMANDS } from '../../../src/adapters/discord/commands.ts';
import { DiscordAdapter, type DiscordAdapterOptions } from '../../../src/adapters/discord/DiscordAdapter.ts';
import { registerCommands } from '../../../src/adapters/discord/register.ts';
import type { ButtonAction } from '../../../src/adapters/shared/ButtonStore.ts';
import type { ChatBench } from '../../../src/adapters/shared/bench.ts';
import { UserError } from '../../../src/core/errors.ts';
import { BenchQueue } from '../../../src/core/jobs/BenchQueue.ts';
import type { EventClaims, EventLease, Logger, SharedActions } from '../../../src/core/ports.ts';
import { emptyState } from '../../../src/core/state.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { MemoryEventClaims } from '../../../src/infra/state/claims.ts';
import { DISCORD_IDS, type DiscordRestCall, FakeDiscord } from '../../fakes/FakeDiscord.ts';
import { waitFor } from '../../fakes/util.ts';
import { docWith } from '../../helpers/bench.ts';
import { MemoryStore } from '../../helpers/memory-store.ts';
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
    // The fake records each request as it arrives, so the order of `calls` is the order the bot sent them in.
    const order = (c: DiscordRestCall | undefined) => harness.fake.calls.indexOf(c as DiscordRestCall);
    expect(order(callbacks[0])).toBeGreaterThanOrEqual(0);
    expect(order(callbacks[0])).toBeLessThan(order(edit));
    expect(toSeen(edit as never).text).toContain('You said: is torch fast?');

    harness.fake.sendCommand('help');
    harness.fake.sendCommand('recommend', { details: 'vision at scale' });
    await harness.fake.waitForCalls(/^PATCH \/webhooks\/.+\/@original$/, 3);
    const deferred = harness.fake.callsMatching(/callback$/).slice(1);
    for (const c of deferred) expect(c.body).toMatchObject({ type: DEFERRED, data: { flags: EPHEMERAL } });
    const texts = harness.fake.callsMatching(/@original$/).map((c) => toSeen(c).text);
    expect(texts.some((t) => t.includes('**TensorDuel commands**') && t.includes('`/ask <question>`'))).toBe(
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

  it('keeps its buttons working across a restart: a click on a message posted before it is answered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'td-discord-buttons-'));
    const buttonsFile = join(dir, 'buttons.json');
    advisor = new ScriptedAdvisor();
    await harness.start(advisor, createLogger({ level: 'silent' }), { buttonsFile });
    harness.fake.sendMessage({ content: 'ambiguous' });
    const [posted] = await harness.fake.waitForCalls(/^POST \/channels\/\d+\/messages$/, 1);
    const button = toSeen(posted as DiscordRestCall).buttons.find((b) => b.id.startsWith('td:c:'));
    expect(button).toBeDefined();
    await harness.stop();

    // A new process: a new adapter and a new gateway session, with only the file carried over.
    advisor = new ScriptedAdvisor();
    await harness.start(advisor, createLogger({ level: 'silent' }), { buttonsFile });
    harness.fake.clickButton({ id: '1', channel_id: DISCORD_IDS.channel }, button?.id ?? '');
    await waitFor(() => advisor.calls.length === 1, 'the click reaching the core');
    expect(advisor.calls[0]?.text).toBe('compare training speed');
    const callbacks = harness.fake.callsMatching(/callback$/);
    expect(JSON.stringify(callbacks)).not.toContain('That button has expired');
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

describe('Discord adapter under a burst', () => {
  const harness = new DiscordHarness();
  afterEach(() => harness.stop());

  it('acknowledges the interactions of a burst before it asks the core about anything that came with them', async () => {
    const advisor = new ScriptedAdvisor();
    // No cap in the test: the answers wait for as long as the acknowledgements are held.
    await harness.start(advisor, createLogger({ level: 'silent' }), { ackWaitMs: 600_000 });
    const release = harness.fake.holdCallbacks();
    const ask = harness.fake.sendCommand('ask', { question: 'a command in the burst' });
    harness.fake.sendMessage({ content: 'a mention in the burst' });
    // Gateway events are handled in order: once this one is acknowledged, the bot has seen the two before it.
    const probe = harness.fake.sendAutocomplete('bench', { name: 'workloads', value: '' });
    await harness.fake.callbackOf(ask.token);
    await harness.fake.callbackOf(probe.token);
    expect(advisor.calls).toEqual([]);
    release();
    await harness.fake.waitForCalls(MESSAGE_WRITES, 2);
    expect(advisor.calls.map((c) => c.text).sort()).toEqual([
      'a command in the burst',
      'a mention in the burst',
    ]);
  });
});

/** A logger whose lines a test can wait for (a barrier on what the adapter did, not on time). */
class LogBarrier implements Logger {
  readonly lines: string[] = [];
  readonly #waiters: Array<{ match: RegExp; resolve: () => void }> = [];
  debug(msg: string): void {
    this.#add(msg);
  }
  info(msg: string): void {
    this.#add(msg);
  }
  warn(msg: string): void {
    this.#add(msg);
  }
  error(msg: string): void {
    this.#add(msg);
  }
  /** Resolves at the next line matching `match` (logged after this call). */
  next(match: RegExp): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }
  #add(msg: string): void {
    this.lines.push(msg);
    for (const [i, w] of [...this.#waiters.entries()].reverse()) {
      if (!w.match.test(msg)) continue;
      this.#waiters.splice(i, 1);
      w.resolve();
    }
  }
}

// discord.js itself drops a MESSAGE_CREATE whose message it has cached, so a message comes again through another
// gateway session: a restarted adapter here (the same shared claims), another replica in production.
describe('Discord adapter with shared claims: a reply that could not be sent', () => {
  const harness = new DiscordHarness();
  afterEach(() => harness.stop());

  it('is answered when the message is delivered again; an answered one is not answered twice', async () => {
    const advisor = new ScriptedAdvisor();
    const logs = new LogBarrier();
    await harness.start(advisor, logs, { claims: new MemoryEventClaims() });
    // Not retried: Discord says the bot may not post there (this time).
    harness.fake.failNext(`POST /channels/${DISCORD_IDS.channel}/messages`, {
      status: 403,
      body: JSON.stringify({ message: 'Missing Permissions', code: 50013 }),
    });
    const released = logs.next(/claim is released/);
    const id = harness.fake.sendMessage({ content: 'please answer' });
    await released;
    expect(logs.lines).toContain('discord: could not deliver reply');
    expect(harness.fake.callsMatching(MESSAGE_WRITES)).toHaveLength(0);

    // The redelivery, on a new gateway session, is answered.
    await harness.restart();
    harness.fake.sendMessage({ content: 'please answer', id });
    const [answer] = await harness.fake.waitForCalls(MESSAGE_WRITES, 1);
    expect(answer?.body).toMatchObject({ message_reference: { message_id: id } });

    // Answered now: a further redelivery is dropped (the sentinel after it is answered).
    // stop() waits for the handlers in flight: the claim is kept by then.
    await harness.restart();
    harness.fake.sendMessage({ content: 'please answer', id });
    harness.fake.sendMessage({ content: 'sentinel' });
    const writes = await harness.fake.waitForCalls(MESSAGE_WRITES, 2);
    expect(toSeen(writes[1] as never).text).toContain('sentinel');
    expect(advisor.calls.map((c) => c.text)).toEqual(['please answer', 'please answer', 'sentinel']);
    expect(
      harness.fake
        .callsMatching(MESSAGE_WRITES)
        .filter(
          (c) =>
            (c.body as { message_reference?: { message_id?: string } })?.message_reference?.message_id === id,
        ),
    ).toHaveLength(1);
  });
});

/** A promise a test resolves when it chooses: holds a fake Redis call in flight. */
class Gate {
  readonly opened: Promise<void>;
  open!: () => void;
  constructor() {
    this.opened = new Promise((resolve) => {
      this.open = resolve;
    });
  }
}

/** Event claims (in memory) whose every lease is answered only once `gate` opens; records what was claimed. */
class HeldClaims implements EventClaims {
  readonly asked: string[] = [];
  readonly #claims = new MemoryEventClaims();
  readonly #gate: Gate;
  constructor(gate: Gate) {
    this.#gate = gate;
  }
  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.lease(key, ttlMs)) !== undefined;
  }
  async lease(key: string, leaseMs: number): Promise<EventLease | undefined> {
    this.asked.push(key);
    await this.#gate.opened;
    return this.#claims.lease(key, leaseMs);
  }
}

/** Shared button actions (what Redis is to the replicas) whose every read waits for `gate`; records the keys read. */
class HeldShared implements SharedActions<ButtonAction> {
  readonly values = new Map<string, ButtonAction>();
  readonly read: string[] = [];
  readonly #gate: Gate;
  constructor(gate: Gate) {
    this.#gate = gate;
  }
  async put(key: string, action: ButtonAction): Promise<void> {
    this.values.set(key, action);
  }
  async get(key: string): Promise<ButtonAction | undefined> {
    this.read.push(key);
    await this.#gate.opened;
    return this.values.get(key);
  }
}

// Each of the two may be a Redis round trip of up to 2 s (the bot's command timeout); Discord wants the first
// response within 3 s. Held here until the test lets them go: no timing, only what was asked while what was held.
describe('Discord adapter: the first response never waits behind two Redis round trips', () => {
  const harness = new DiscordHarness();
  const gates: Gate[] = [];
  const gate = () => {
    const g = new Gate();
    gates.push(g);
    return g;
  };
  // Opened whatever happened, so a failed test does not leave a handler held (stop() waits for handlers).
  afterEach(async () => {
    for (const g of gates.splice(0)) g.open();
    await harness.stop();
  });

  it('looks a button up while it claims the click, then defers and answers it', async () => {
    const advisor = new ScriptedAdvisor();
    const claimed = gate();
    const looked = gate();
    const claims = new HeldClaims(claimed);
    const shared = new HeldShared(looked);
    // A button another replica drew: only the shared store knows it.
    shared.values.set('other0', {
      kind: 'choice',
      conversationId: `discord:${DISCORD_IDS.channel}:700000000000000001`,
      value: 'compare training speed',
    });
    await harness.start(advisor, createLogger({ level: 'silent' }), { claims, sharedButtons: shared });
    const click = harness.fake.clickButton({ id: '1', channel_id: DISCORD_IDS.channel }, 'td:c:other0');
    await waitFor(() => claims.asked.includes(`discord:interaction:${click.id}`), 'the claim asked');
    // The claim is still unanswered, and the lookup is already asked: the two are in flight together.
    await waitFor(() => shared.read.includes('other0'), 'the lookup asked while the claim is held');
    expect(harness.fake.callsMatching(/callback$/)).toHaveLength(0);
    claimed.open();
    looked.open();
    const callback = await harness.fake.callbackOf(click.token);
    expect(callback.body).toMatchObject({ type: DEFERRED });
    await harness.fake.originalOf(click.token);
    expect(advisor.calls.map((c) => [c.conversationId, c.text])).toEqual([
      [`discord:${DISCORD_IDS.channel}:700000000000000001`, 'compare training speed'],
    ]);
  });

  it('lists autocomplete choices (the runs may be in Redis) while it claims the request', async () => {
    const claimed = gate();
    const listed = gate();
    const claims = new HeldClaims(claimed);
    let runsAsked = 0;
    const runs = async () => {
      runsAsked++;
      await listed.opened;
      return [];
    };
    await harness.start(new ScriptedAdvisor(), createLogger({ level: 'silent' }), {
      claims,
      bench: discordBench(),
      runs,
    });
    const request = harness.fake.sendAutocomplete('results', { name: 'run', value: '' });
    await waitFor(() => claims.asked.includes(`discord:interaction:${request.id}`), 'the claim asked');
    await waitFor(() => runsAsked === 1, 'the runs asked while the claim is held');
    claimed.open();
    listed.open();
    const callback = await harness.fake.callbackOf(request.token);
    expect(callback.body).toMatchObject({ type: 8 });
  });
});

// Issue 12: which conversation a message belongs to was kept per process, so a reply that reached another replica
// (or came after a restart) started afresh. It is kept in the button store now: on disk, and shared like buttons.
describe('Discord adapter: a reply to an answer continues its conversation wherever it lands', () => {
  const replicaA = new DiscordHarness();
  const replicaB = new DiscordHarness();
  afterEach(async () => {
    await replicaA.stop();
    await replicaB.stop();
  });
  const silent = createLogger({ level: 'silent' });
  const opened = () => {
    const g = new Gate();
    g.open();
    return g;
  };

  /** A mention answered by `harness`: the question's id and the answer as the bot sent it. */
  const answered = async (harness: DiscordHarness, text: string) => {
    const question = harness.fake.sendMessage({ content: text });
    const answer = await waitFor(
      () =>
        harness.fake
          .callsMatching(MESSAGE_WRITES)
          .find(
            (c) =>
              (c.body as { message_reference?: { message_id?: string } })?.message_reference?.message_id ===
              question,
          ),
      'the answer',
    );
    return { question, answer: answer.response ?? {} };
  };

  it('on replica B, for an answer replica A sent (A gone since), with or without the answer in the payload', async () => {
    const advisor = new ScriptedAdvisor();
    // What Redis is to the replicas; each replica has its own button file.
    const shared = new HeldShared(opened());
    await replicaA.start(advisor, silent, { sharedButtons: shared });
    await replicaB.start(advisor, silent, { sharedButtons: shared });
    const { question, answer } = await answered(replicaA, 'which trains faster?');
    await replicaA.adapter.stop(); // everything A stored is in the shared store by now
    const conversation = `discord:${DISCORD_IDS.channel}:${question}`;

    // Discord may leave the message replied to out of the payload: found by the answer's id alone.
    const bare = replicaB.fake.sendMessage({
      content: 'and at inference time?',
      replyTo: String(answer.id),
      referenced: false,
    });
    // As Discord usually sends it: with the answer, as A's session saw the bot send it.
    await waitFor(() => advisor.calls.length === 2, 'the first reply answered on B');
    replicaB.fake.sendMessage({ content: 'and memory?', replyTo: String(answer.id), referenced: answer });
    await waitFor(() => advisor.calls.length === 3, 'the second reply answered on B');
    expect(advisor.calls.map((c) => [c.text, c.conversationId])).toEqual([
      ['which trains faster?', conversation],
      ['and at inference time?', conversation],
      ['and memory?', conversation],
    ]);
    // B's answer to a reply continues it too: replying to B's answer on B stays in A's conversation.
    const onB = await waitFor(
      () =>
        replicaB.fake
          .callsMatching(MESSAGE_WRITES)
          .find(
            (c) =>
              (c.body as { message_reference?: { message_id?: string } })?.message_reference?.message_id ===
              bare,
          ),
      "B's answer",
    );
    replicaB.fake.sendMessage({ content: 'why?', replyTo: String(onB.response?.id), referenced: false });
    await waitFor(() => advisor.calls.length === 4, 'the reply to B answered');
    expect(advisor.calls[3]?.conversationId).toBe(conversation);
  });

  it('after a restart without Redis (the button file), for an answer sent before it', async () => {
    const advisor = new ScriptedAdvisor();
    await replicaA.start(advisor, silent);
    const { question, answer } = await answered(replicaA, 'which trains faster?');
    await replicaA.restart();
    replicaA.fake.sendMessage({
      content: 'and at inference time?',
      replyTo: String(answer.id),
      referenced: false,
    });
    await waitFor(() => advisor.calls.length === 2, 'the reply answered after the restart');
    expect(advisor.calls[1]?.conversationId).toBe(`discord:${DISCORD_IDS.channel}:${question}`);
  });

  it('starts a conversation of its own for a reply to a message it never answered', async () => {
    const advisor = new ScriptedAdvisor();
    await replicaA.start(advisor, silent, { sharedButtons: new HeldShared(opened()) });
    const someone = replicaA.fake.nextId();
    const reply = replicaA.fake.sendMessage({
      content: 'what is keras?',
      replyTo: someone,
      referenced: false,
    });
    await waitFor(() => advisor.calls.length === 1, 'the reply answered');
    expect(advisor.calls[0]?.conversationId).toBe(`discord:${DISCORD_IDS.channel}:${reply}`);
  });
});

// discord.js passes every INTERACTION_CREATE on (unlike a MESSAGE_CREATE it has cached): a resumed session that
// replays one, or every replica's session, hands the adapter the same interaction id again.
describe('Discord adapter: a redelivered interaction (the same id twice)', () => {
  const harness = new DiscordHarness();
  afterEach(() => harness.stop());

  it('answers a slash command and a button click once each, however often they come', async () => {
    const advisor = new ScriptedAdvisor();
    const logs = new LogBarrier();
    await harness.start(advisor, logs);
    const ask = harness.fake.sendCommand('ask', { question: 'is torch fast?' });
    // Again while the first delivery is being answered, and again once it has been.
    const whileAnswering = logs.next(/duplicate event ignored/);
    harness.fake.redeliverInteraction(ask.id);
    await whileAnswering;
    await harness.fake.originalOf(ask.token);
    const afterwards = logs.next(/duplicate event ignored/);
    harness.fake.redeliverInteraction(ask.id);
    await afterwards;

    harness.fake.sendMessage({ content: 'ambiguous' });
    const [posted] = await harness.fake.waitForCalls(/^POST \/channels\/\d+\/messages$/, 1);
    const button = toSeen(posted as DiscordRestCall).buttons.find((b) => b.id.startsWith('td:c:'));
    const click = harness.fake.clickButton(posted?.response ?? {}, button?.id ?? '');
    const clickedAgain = logs.next(/duplicate event ignored/);
    harness.fake.redeliverInteraction(click.id);
    await clickedAgain;
    await harness.fake.originalOf(click.token);
    // stop() waits for every handler in flight: nothing more can come after it.
    await harness.adapter.stop();
    for (const { token } of [ask, click]) {
      expect(harness.fake.callsMatching(new RegExp(`/${token}/callback$`))).toHaveLength(1);
      expect(harness.fake.callsMatching(new RegExp(`/${token}/messages/@original$`))).toHaveLength(1);
    }
    expect(advisor.calls.map((c) => c.text)).toEqual([
      'is torch fast?',
      'ambiguous',
      'compare training speed',
    ]);
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

  it('connects without the privileged Message Content intent and still reads mentions and DMs', async () => {
    fake = await FakeDiscord.start();
    fake.rejectPrivilegedIntents(); // as Discord does for a bot that was not granted it
    const advisor = new ScriptedAdvisor();
    const bot = new DiscordAdapter({
      advisor,
      logger: createLogger({ level: 'silent' }),
      token: DISCORD_TOKEN,
      apiUrl: fake.apiUrl,
      retry: TEST_RETRY,
      readyTimeoutMs: 5000,
    });
    await bot.start();
    try {
      expect(fake.messageContentIntent).toBe(false);
      fake.sendMessage({ content: 'in a channel' });
      fake.sendMessage({ content: 'in a DM', where: { dm: '600000000000000001' }, mentionBot: false });
      await fake.waitForCalls(MESSAGE_WRITES, 2);
      expect(advisor.calls.map((c) => c.text).sort()).toEqual(['in a DM', 'in a channel']);
    } finally {
      await bot.stop();
    }
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
    expect(guild.names).toEqual([
      'ask',
      'recommend',
      'bench',
      'cancel',
      'results',
      'compare',
      'help',
      'report',
      'Ask TensorDuel',
    ]);
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
    // In one guild without the install contexts (Discord reads them for global commands only); globally with them.
    const sent = (i: number) => puts[i]?.body as unknown as Array<Record<string, unknown>>;
    expect(sent(0).map((c) => c.name)).toEqual(DISCORD_COMMANDS.map((c) => c.name));
    expect(sent(0).some((c) => 'contexts' in c || 'integration_types' in c)).toBe(false);
    expect(sent(0).find((c) => c.name === 'report')?.default_member_permissions).toBe('0');
    expect(sent(1)).toEqual(JSON.parse(JSON.stringify(DISCORD_COMMANDS)));
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

describe('Discord adapter: what the end-to-end review found', () => {
  const harness = new DiscordHarness();
  let advisor: ScriptedAdvisor;
  let lines: string[];
  const start = async (extra: Partial<DiscordAdapterOptions> = {}) => {
    advisor = new ScriptedAdvisor();
    lines = [];
    await harness.start(advisor, createLogger({ level: 'info', write: (l) => lines.push(l) }), extra);
  };
  afterEach(() => harness.stop());

  it('hands the core the question without @everyone, @here, roles, channels, custom emoji or shortcodes', async () => {
    await start();
    harness.fake.sendMessage({
      content: `@everyone @here <@&${DISCORD_IDS.role}> <#${DISCORD_IDS.channel}> <:pepe:700000000000000001> :thinking: @TensorDuel is pytorch faster?`,
    });
    await harness.fake.waitForCalls(MESSAGE_WRITES, 1);
    harness.fake.sendCommand('ask', {
      question: '<a:party:700000000000000002> @here which is easier to learn?',
    });
    await harness.fake.waitForCalls(/^PATCH \/webhooks\/.+\/@original$/, 1);
    expect(advisor.calls.map((c) => c.text)).toEqual(['is pytorch faster?', 'which is easier to learn?']);
  });

  it('offers Start benchmark under a performance answer with nothing measured on this host (offerBenchmark)', async () => {
    await start({ bench: discordBench() });
    harness.fake.sendMessage({ content: 'which trains faster here?' });
    harness.fake.sendCommand('ask', { question: 'which trains faster here?' });
    harness.fake.sendMessage({ content: 'an ordinary question' });
    const writes = await harness.fake.waitForCalls(MESSAGE_WRITES, 3);
    const labels = (c: DiscordRestCall) => toSeen(c).buttons.map((b) => b.label);
    const measured = writes.filter((c) => toSeen(c).text.includes('nothing was measured'));
    expect(measured).toHaveLength(2); // the mention's reply and the /ask answer
    for (const c of measured) expect(labels(c)).toContain('Start benchmark');
    const ordinary = writes.find((c) => toSeen(c).text.includes('You said: an ordinary question'));
    expect(ordinary && labels(ordinary)).not.toContain('Start benchmark');
  });

  it('echoes user input in a reply that can ping nobody (no @everyone, roles or users)', async () => {
    await start({ bench: discordBench() });
    harness.fake.sendCommand('bench', { workloads: `@everyone <@&${DISCORD_IDS.role}> mlp` });
    const [edit] = await harness.fake.waitForCalls(/^PATCH \/webhooks\/.+\/@original$/, 1);
    const sent = edit?.body as { content?: string; allowed_mentions?: { parse?: string[] } } | undefined;
    expect(sent?.content).toContain('@everyone');
    expect(sent?.allowed_mentions?.parse).toEqual([]);
  });

  it('says one thing about a run cut off by a restart: partial results, in the status, the notice and /results', async () => {
    const bench = discordBench();
    await start({ bench });
    await bench.queue.start();
    harness.fake.sendCommand('bench', { workloads: 'mlp' });
    const edits = /^PATCH \/channels\/\d+\/messages\/\d+$/;
    const said = (c: DiscordRestCall) => String((c.body as { content?: string } | undefined)?.content ?? '');
    await waitFor(
      () => harness.fake.callsMatching(edits).some((c) => said(c).includes('Running')),
      'running',
    );
    await bench.queue.stop(); // what a restart does to the running benchmark
    const status = await waitFor(
      () => harness.fake.callsMatching(edits).find((c) => said(c).includes('interrupted')),
      'the interrupted status',
    );
    const notice = await waitFor(
      () =>
        harness.fake
          .callsMatching(/^POST \/channels\/\d+\/messages$/)
          .find((c) => said(c).startsWith('<@500000000000000001>')),
      'the requester notice',
    );
    for (const text of [said(status), said(notice)]) {
      expect(text).toContain('partial result');
      expect(text).toContain('/results b1');
      expect(text).not.toContain('run it again to get results');
    }
    harness.fake.sendCommand('results', { run: 'b1' });
    const result = await waitFor(
      () =>
        harness.fake
          .callsMatching(/^POST \/channels\/\d+\/messages$/)
          .find((c) => ((c.body as { embeds?: unknown[] } | undefined)?.embeds ?? []).length > 0),
      'the result',
    );
    expect(said(result)).toContain('Partial result');
  });
});

/** Benchmarks from chat on an in-memory queue whose runs wait until they are cancelled. */
function discordBench(): ChatBench {
  const queue = new BenchQueue({
    store: new MemoryStore(emptyState()),
    executor: {
      execute: (_request, { signal }) =>
        new Promise((resolve) => {
          // Cut off as the queue stops; the stop may come before this run got as far as listening.
          const cut = () => resolve(docWith([], { id: 'res-1', completed: false }));
          if (signal.aborted) cut();
          else signal.addEventListener('abort', cut);
        }),
    },
    policy: {
      admins: ['discord:500000000000000001'],
      users: [],
      roles: [],
      channels: [],
      ratePerHour: 0,
      maxRunS: 600,
    },
    clock: { now: () => Date.now() },
    logger: createLogger({ level: 'silent' }),
  });
  return { queue, workloadIds: async () => ['mlp', 'cnn'], chartPng: async () => undefined };
}
