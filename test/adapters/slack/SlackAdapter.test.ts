import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileThreads } from '../../../src/adapters/shared/AnsweredThreads.ts';
import type { ChatBench } from '../../../src/adapters/shared/bench.ts';
import { conversationHash } from '../../../src/adapters/shared/core-calls.ts';
import { SlackAdapter, type SlackAdapterOptions } from '../../../src/adapters/slack/SlackAdapter.ts';
import { UserError } from '../../../src/core/errors.ts';
import { BenchQueue } from '../../../src/core/jobs/BenchQueue.ts';
import type { EventClaims } from '../../../src/core/ports.ts';
import { type AppState, emptyState } from '../../../src/core/state.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { MemoryEventClaims } from '../../../src/infra/state/claims.ts';
import { blockActionPayload, FakeSlack, SLACK_BOT, SlackPusher } from '../../fakes/FakeSlack.ts';
import { waitFor } from '../../fakes/util.ts';
import { docWith } from '../../helpers/bench.ts';
import { MemoryStore } from '../../helpers/memory-store.ts';
import { ScriptedAdvisor } from '../scripted-advisor.ts';
import { BOT_TOKEN, checkSlackMessage, SIGNING_SECRET, SlackHarness, TEST_RETRY } from './harness.ts';

const APP_TOKEN = 'xapp-1-test-app-token-9999';

describe('Slack adapter over HTTP', () => {
  const harness = new SlackHarness();
  let advisor: ScriptedAdvisor;

  const start = async () => {
    advisor = new ScriptedAdvisor();
    await harness.start(advisor, createLogger({ level: 'silent' }));
  };
  afterEach(() => harness.stop());

  const command = (text: string) => {
    const responseUrl = harness.fake.responseUrl();
    return {
      responseUrl,
      push: harness.pusher.sendCommand({
        text,
        user_id: 'U0HUMAN',
        user_name: 'human',
        channel_id: 'C0GENERAL',
        channel_name: 'general',
        trigger_id: `trig-${Math.random()}`,
        response_url: responseUrl,
      }),
    };
  };

  it('answers DMs at the top level as one running conversation, and a DM thread in its thread', async () => {
    await start();
    const dm = (text: string, thread?: string) =>
      harness.pusher.sendEvent(
        harness.pusher.eventBody({
          type: 'message',
          channel_type: 'im',
          channel: 'D0DM',
          user: 'U0HUMAN',
          text,
          ts: harness.pusher.nextTs(),
          ...(thread ? { thread_ts: thread } : {}),
        }),
      );
    await dm('first');
    await dm('second');
    const [a, b] = await harness.fake.waitForCalls('chat.postMessage', 2);
    expect(a?.args).toMatchObject({ channel: 'D0DM' });
    expect(a?.args.thread_ts).toBeUndefined();
    expect(advisor.calls.map((c) => c.conversationId)).toEqual(['slack:D0DM:dm', 'slack:D0DM:dm']);
    expect(b?.args.text).toContain('(turn 2)');
    await dm('in a thread', '1700000000.000001');
    const calls = await harness.fake.waitForCalls('chat.postMessage', 3);
    expect(calls[2]?.args.thread_ts).toBe('1700000000.000001');
    // Edits and other message subtypes are not questions.
    await harness.pusher.sendEvent(
      harness.pusher.eventBody({
        type: 'message',
        subtype: 'message_changed',
        channel_type: 'im',
        channel: 'D0DM',
        ts: '1.1',
      }),
    );
    expect(advisor.calls).toHaveLength(3);
  });

  it('acks /tensorduel at once and answers ask in the channel, recommend and help only to the user', async () => {
    await start();
    for (const text of ['ask is pytorch faster?', 'recommend we do vision', 'help']) {
      const { push } = command(text);
      const res = await push;
      expect(res.status).toBe(200);
      expect(res.body).toBe(''); // the ack carries nothing: the answer follows on the response_url
    }
    const posts = await harness.fake.waitForResponses(3);
    const byText = (t: string) => posts.find((p) => JSON.stringify(p.payload).includes(t))?.payload;
    expect(byText('You said: is pytorch faster?')).toMatchObject({
      response_type: 'in_channel',
      replace_original: false,
    });
    expect(byText('which framework should I use: we do vision')).toMatchObject({
      response_type: 'ephemeral',
    });
    expect(byText('TensorDuel commands')).toMatchObject({ response_type: 'ephemeral' });
    for (const p of posts) checkSlackMessage(p.payload as never);
    // Each command is its own conversation.
    expect(new Set(advisor.calls.map((c) => c.conversationId)).size).toBe(3);
  });

  it('answers an unknown or empty subcommand with a friendly usage, without asking the core', async () => {
    await start();
    await command('frobnicate now').push;
    await command('').push;
    await command('ask').push;
    const posts = await harness.fake.waitForResponses(3);
    const texts = posts.map((p) => JSON.stringify(p.payload));
    expect(texts.find((t) => t.includes("I don't know the command `frobnicate`"))).toContain(
      '/tensorduel ask',
    );
    expect(texts.some((t) => t.includes('Here is what I can do'))).toBe(true);
    expect(texts.some((t) => t.includes('Please add your question'))).toBe(true);
    expect(posts.every((p) => p.payload.response_type === 'ephemeral')).toBe(true);
    expect(advisor.calls).toHaveLength(0);
  });

  it('says benchmark commands are off where there is no queue, and the usage shows only what works', async () => {
    await start();
    await command('results b1').push;
    await command('help').push;
    const posts = await harness.fake.waitForResponses(2);
    const texts = posts.map((p) => JSON.stringify(p.payload));
    expect(texts.find((t) => t.includes('Benchmarks from chat are off on this host'))).toBeDefined();
    const help = texts.find((t) => t.includes('TensorDuel commands')) ?? '';
    expect(help).toContain('/tensorduel bench [workloads] [engines] [cpu|gpu]');
    expect(help).not.toContain('/tensorduel results');
    expect(help).not.toContain('/tensorduel report');
    expect(advisor.calls.map((c) => c.text)).toEqual(['help']);
  });

  it('answers a button clicked under a slash-command answer on its response_url, in the same conversation', async () => {
    await start();
    await command('ask ambiguous').push;
    const [post] = await harness.fake.waitForResponses(1);
    const blocks = post?.payload.blocks as Array<{
      type: string;
      elements?: Array<{ action_id: string; value: string }>;
    }>;
    const button = blocks.find((b) => b.type === 'actions')?.elements?.[0];
    const responseUrl = harness.fake.responseUrl();
    await harness.pusher.sendAction(
      blockActionPayload({
        user: 'U0OTHER',
        channel: 'C0GENERAL',
        messageTs: '1.2',
        responseUrl,
        action: { action_id: button?.action_id ?? '', value: button?.value ?? '' },
      }),
    );
    const posts = await harness.fake.waitForResponses(2);
    expect(JSON.stringify(posts[1]?.payload)).toContain('they are close on GPUs');
    expect(posts[1]?.payload.response_type).toBe('in_channel');
    expect(advisor.calls[1]).toMatchObject({
      conversationId: advisor.calls[0]?.conversationId,
      userId: 'slack:U0OTHER',
    });
    expect(harness.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('tells the user when a button is no longer understood', async () => {
    await start();
    const responseUrl = harness.fake.responseUrl();
    await harness.pusher.sendAction(
      blockActionPayload({
        user: 'U0HUMAN',
        channel: 'C0GENERAL',
        messageTs: '1.2',
        responseUrl,
        action: { action_id: 'td_choice_0', value: '{"broken' },
      }),
    );
    const [post] = await harness.fake.waitForResponses(1);
    expect(JSON.stringify(post?.payload)).toContain('That button has expired');
    expect(post?.payload.response_type).toBe('ephemeral');
  });

  it('answers a mention with no question with the help answer', async () => {
    await start();
    await harness.pusher.sendEvent(
      harness.pusher.eventBody({
        type: 'app_mention',
        channel: 'C0GENERAL',
        user: 'U0HUMAN',
        text: `<@${SLACK_BOT.userId}>`,
        ts: harness.pusher.nextTs(),
      }),
    );
    await harness.fake.waitForCalls('chat.postMessage', 1);
    expect(advisor.calls[0]?.text).toBe('help');
  });
});

describe("Slack adapter: an event's claim while it is answered", () => {
  const harness = new SlackHarness();
  afterEach(() => harness.stop());

  type Line = { level: string; msg: string; fields?: Record<string, unknown> };
  const recording = () => {
    const lines: Line[] = [];
    const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
      lines.push({ level, msg, ...(fields ? { fields } : {}) });
    };
    return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
  };
  const mentionBody = (text: string, eventId: string) =>
    harness.pusher.eventBody(
      {
        type: 'app_mention',
        user: 'U0HUMAN',
        channel: 'C0GENERAL',
        text: `<@${SLACK_BOT.userId}> ${text}`,
        ts: harness.pusher.nextTs(),
      },
      eventId,
    );
  const refuseNextPost = () =>
    harness.fake.failNext('chat.postMessage', {
      status: 200,
      body: '{"ok":false,"error":"channel_not_found"}',
    });
  const answered = (text: string) =>
    harness.fake.callsTo('chat.postMessage').filter((c) => String(c.args.text).includes(`You said: ${text}`));

  it("answers Slack's retry of an event whose answer could not be posted (this process's claims)", async () => {
    const { lines, logger } = recording();
    const advisor = new ScriptedAdvisor();
    await harness.start(advisor, logger);
    const body = mentionBody('is pytorch faster?', 'EvFAILED');
    refuseNextPost();
    expect((await harness.pusher.sendEvent(body)).status).toBe(200);
    await waitFor(() => lines.some((l) => l.msg.includes('claim is released')), 'the claim released');
    // Each delivery is signed anew (a later timestamp), as Slack does: not a replay of the same request.
    const signedAt = Math.floor(Date.now() / 1000);
    expect((await harness.pusher.sendEvent(body, { retryNum: 1, timestamp: signedAt + 1 })).status).toBe(200);
    await waitFor(() => answered('is pytorch faster?').length === 1, "the retry's answer");
    // Answered now: a later retry is a duplicate.
    expect((await harness.pusher.sendEvent(body, { retryNum: 2, timestamp: signedAt + 2 })).status).toBe(200);
    await waitFor(
      () => lines.some((l) => l.msg === 'slack: duplicate event ignored'),
      'the duplicate dropped',
    );
    expect(advisor.calls.map((c) => c.text)).toEqual(['is pytorch faster?', 'is pytorch faster?']);
  });

  it('holds a shared claim for a short lease while answering, keeps it after the answer, releases it on failure', async () => {
    let now = 0;
    const shared = new MemoryEventClaims({ now: () => now });
    const settled: Array<{ key: string; how: 'kept' | 'released'; ttlMs?: number }> = [];
    const leases: Array<{ key: string; leaseMs: number }> = [];
    // Another replica's view of the claims: what this adapter leased, kept and released.
    const claims: EventClaims = {
      claim: (key, ttlMs) => shared.claim(key, ttlMs),
      lease: async (key, leaseMs) => {
        leases.push({ key, leaseMs });
        const lease = await shared.lease(key, leaseMs);
        return (
          lease && {
            keep: async (ttlMs) => {
              await lease.keep(ttlMs);
              settled.push({ key, how: 'kept', ttlMs });
            },
            release: async () => {
              await lease.release();
              settled.push({ key, how: 'released' });
            },
          }
        );
      },
    };
    const advisor = new ScriptedAdvisor();
    await harness.start(advisor, recording().logger, { claims });
    await harness.pusher.sendEvent(mentionBody('first', 'EvOK'));
    await waitFor(() => settled.length === 1, 'the claim kept');
    expect(leases).toEqual([{ key: 'slack:event:EvOK', leaseMs: 60_000 }]);
    expect(settled[0]).toEqual({ key: 'slack:event:EvOK', how: 'kept', ttlMs: 7_200_000 });
    now += 61_000; // past the lease: still claimed, for the full TTL
    expect(await shared.claim('slack:event:EvOK', 1)).toBe(false);

    refuseNextPost();
    await harness.pusher.sendEvent(mentionBody('second', 'EvNOPE'));
    await waitFor(() => settled.length === 2, 'the claim released');
    expect(settled[1]).toEqual({ key: 'slack:event:EvNOPE', how: 'released' });
    // Any replica may now answer Slack's retry.
    expect(await shared.claim('slack:event:EvNOPE', 1)).toBe(true);
    expect(answered('first')).toHaveLength(1);
  });
});

describe('Slack adapter in Socket Mode', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let advisor: ScriptedAdvisor;
  const pusher = new SlackPusher('unused', 'unused');

  afterEach(async () => {
    await adapter?.stop();
    await fake?.close();
  });

  const start = async () => {
    fake = await FakeSlack.start();
    advisor = new ScriptedAdvisor();
    adapter = new SlackAdapter({
      advisor,
      logger: createLogger({ level: 'silent' }),
      botToken: BOT_TOKEN,
      appToken: APP_TOKEN,
      apiUrl: fake.apiUrl,
      retry: TEST_RETRY,
      socketPingTimeoutMs: 500,
    });
    await adapter.start();
    expect(adapter.mode).toBe('socket');
  };

  const mention = (text: string, eventId?: string, retryAttempt = 0) =>
    fake.sendEnvelope(
      'events_api',
      pusher.eventBody(
        {
          type: 'app_mention',
          channel: 'C0GENERAL',
          user: 'U0HUMAN',
          text: `<@UBOT> ${text}`,
          ts: pusher.nextTs(),
        },
        eventId,
      ),
      { retryAttempt },
    );

  it('answers a mention in its thread and acks a slash command at once', async () => {
    await start();
    expect(fake.callsTo('apps.connections.open')[0]?.token).toBe(APP_TOKEN);
    await mention('over the socket');
    const [post] = await fake.waitForCalls('chat.postMessage', 1);
    expect(post?.args.text).toContain('You said: over the socket');
    expect(post?.token).toBe(BOT_TOKEN);
    const ack = await fake.sendEnvelope('slash_commands', {
      command: '/tensorduel',
      text: 'bench mlp',
      user_id: 'U0HUMAN',
      channel_id: 'C0GENERAL',
      trigger_id: 't1',
      response_url: fake.responseUrl(),
    });
    expect(ack).toEqual({});
    const [response] = await fake.waitForResponses(1);
    expect(JSON.stringify(response?.payload)).toContain('run the benchmark mlp');
  });

  it('answers a re-sent envelope (same event_id) once', async () => {
    await start();
    await mention('only once', 'EvSAME');
    await mention('only once', 'EvSAME', 1);
    await mention('sentinel');
    await fake.waitForCalls('chat.postMessage', 2);
    expect(advisor.calls.map((c) => c.text)).toEqual(['only once', 'sentinel']);
  });

  it('reconnects after the WebSocket drops and answers again', async () => {
    await start();
    fake.dropSocket();
    await waitFor(() => fake.socketConnections >= 2, 'a second Socket Mode connection', 20_000);
    await mention('back again');
    const [post] = await fake.waitForCalls('chat.postMessage', 1);
    expect(post?.args.text).toContain('back again');
  });
});

describe('Slack adapter start-up', () => {
  it('refuses to start with a token Slack rejects, without echoing the token', async () => {
    const fake = await FakeSlack.start();
    try {
      fake.failNext('auth.test', { status: 200, body: JSON.stringify({ ok: false, error: 'invalid_auth' }) });
      const adapter = new SlackAdapter({
        advisor: new ScriptedAdvisor(),
        logger: createLogger({ level: 'silent' }),
        botToken: BOT_TOKEN,
        signingSecret: SIGNING_SECRET,
        apiUrl: fake.apiUrl,
        port: 0,
        host: '127.0.0.1',
      });
      const err = await adapter.start().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toBe(
        'Slack did not accept SLACK_BOT_TOKEN (auth.test: Slack error invalid_auth).',
      );
      await adapter.stop();
    } finally {
      await fake.close();
    }
  });

  it('needs an app token or a signing secret', () => {
    expect(
      () =>
        new SlackAdapter({
          advisor: new ScriptedAdvisor(),
          logger: createLogger({ level: 'silent' }),
          botToken: BOT_TOKEN,
          apiUrl: 'http://127.0.0.1:9/api/',
        }),
    ).toThrow(/SLACK_APP_TOKEN .* or SLACK_SIGNING_SECRET/);
  });
});

describe('Slack adapter: what the end-to-end review found', () => {
  const harness = new SlackHarness();
  let advisor: ScriptedAdvisor;
  let lines: string[];
  let dir: string | undefined;
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  const start = async (extra: Partial<SlackAdapterOptions> = {}) => {
    advisor = new ScriptedAdvisor();
    lines = [];
    await harness.start(advisor, createLogger({ level: 'debug', write: (l) => lines.push(l) }), extra);
  };
  afterEach(async () => {
    await harness.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const event = (e: Record<string, unknown>) =>
    harness.pusher.sendEvent(
      harness.pusher.eventBody({ user: 'U0HUMAN', ts: harness.pusher.nextTs(), ...e }),
    );
  const mention = (text: string, extra: Record<string, unknown> = {}) =>
    event({ type: 'app_mention', channel: 'C0GENERAL', text: `<@${SLACK_BOT.userId}> ${text}`, ...extra });
  const sentinel = async (n: number) => {
    await event({ type: 'message', channel_type: 'im', channel: 'D0DM', text: 'sentinel' });
    await harness.fake.waitForCalls('chat.postMessage', n);
  };

  it('answers the text of a DM that carries a file (subtype file_share)', async () => {
    await start();
    await event({
      type: 'message',
      subtype: 'file_share',
      channel_type: 'im',
      channel: 'D0DM',
      text: 'is pytorch faster for inference? see screenshot',
      files: [{ id: 'F1', name: 'screenshot.png' }],
    });
    const [post] = await harness.fake.waitForCalls('chat.postMessage', 1);
    expect(post?.args).toMatchObject({ channel: 'D0DM' });
    expect(advisor.calls.map((c) => c.text)).toEqual(['is pytorch faster for inference? see screenshot']);
  });

  it('follows up a thread reply without a mention only in threads it has answered in, also after a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'td-threads-'));
    const file = join(dir, 'threads.json');
    await start({ threads: new FileThreads(file) });
    const top = harness.pusher.nextTs();
    await mention('first question', { ts: top });
    await harness.fake.waitForCalls('chat.postMessage', 1);
    const reply = (text: string, thread: string) =>
      event({ type: 'message', channel_type: 'channel', channel: 'C0GENERAL', text, thread_ts: thread });
    await reply('and what about deployment?', top);
    const [, followed] = await harness.fake.waitForCalls('chat.postMessage', 2);
    expect(followed?.args).toMatchObject({ channel: 'C0GENERAL', thread_ts: top });
    expect(advisor.calls[1]).toMatchObject({
      conversationId: advisor.calls[0]?.conversationId,
      text: 'and what about deployment?',
    });
    // Not a thread it answered in; not a thread at all; a reply that mentions it (app_mention answers that).
    await reply('people talking among themselves', '1699999999.000100');
    await event({
      type: 'message',
      channel_type: 'channel',
      channel: 'C0GENERAL',
      text: 'top-level chatter',
    });
    await event({
      type: 'message',
      channel_type: 'group',
      channel: 'C0GENERAL',
      text: `<@${SLACK_BOT.userId}> with a mention`,
      thread_ts: top,
    });
    await sentinel(3);
    expect(advisor.calls.map((c) => c.text)).toEqual([
      'first question',
      'and what about deployment?',
      'sentinel',
    ]);

    // A restart: the thread is still known from the file.
    await harness.stop();
    await start({ threads: new FileThreads(file) });
    await reply('still there after the restart?', top);
    const [post] = await harness.fake.waitForCalls('chat.postMessage', 1);
    expect(post?.args).toMatchObject({ thread_ts: top });
    expect(advisor.calls[0]?.conversationId).toBe(`slack:C0GENERAL:${top}`);
  });

  it('hands the core the question without broadcasts, user groups, links, channels or emoji shortcodes', async () => {
    await start();
    await mention(
      '<!here> <!channel> <!everyone> <!subteam^S0123|@devs> @channel :thinking_face: is <https://pytorch.org|PyTorch> faster? <#C0ML|ml>',
    );
    await harness.fake.waitForCalls('chat.postMessage', 1);
    const responseUrl = harness.fake.responseUrl();
    await harness.pusher.sendCommand({
      text: 'ask <!here> :fire: which is easier to learn?',
      user_id: 'U0HUMAN',
      channel_id: 'C0GENERAL',
      trigger_id: 'trig-markup',
      response_url: responseUrl,
    });
    await harness.fake.waitForResponses(1);
    expect(advisor.calls.map((c) => c.text)).toEqual(['is PyTorch faster?', 'which is easier to learn?']);
  });

  it('escapes user input echoed in the fallback text of a private answer, not only in its blocks', async () => {
    await start({ bench: chatBench(new MemoryStore(emptyState())) });
    // What Slack sends when someone types `/tensorduel bench <!here> <https://evil.example|x>` with links
    // resolved, and when someone types the characters `<!here>` literally (Slack encodes them).
    for (const text of ['bench <!here> <https://evil.example|x>', 'bench &lt;!channel&gt;']) {
      await harness.pusher.sendCommand({
        text,
        user_id: 'U0HUMAN',
        channel_id: 'C0GENERAL',
        trigger_id: `trig-${text}`,
        response_url: harness.fake.responseUrl(),
      });
    }
    const posts = await harness.fake.waitForResponses(2);
    for (const post of posts) {
      expect(post.payload.response_type).toBe('ephemeral');
      const raw = JSON.stringify({ text: post.payload.text, blocks: post.payload.blocks });
      expect(raw).not.toMatch(/<!here>|<!channel>|<https:\/\/evil/);
    }
    expect(String(posts[0]?.payload.text)).toContain('&lt;!here&gt;');
  });

  it('says one thing about a run cut off by a restart: partial results, in the status, the notice and results', async () => {
    const bench = chatBench(new MemoryStore(emptyState()));
    await start({ bench });
    await bench.queue.start();
    const command = (text: string) =>
      harness.pusher.sendCommand({
        text,
        user_id: 'U0HUMAN',
        channel_id: 'C0GENERAL',
        trigger_id: `trig-${text}`,
        response_url: harness.fake.responseUrl(),
      });
    await command('bench mlp');
    await waitFor(
      () => harness.fake.callsTo('chat.update').some((c) => String(c.args.text).includes('Running')),
      'the running status',
    );
    await bench.queue.stop(); // what a restart does to the running benchmark
    const status = await waitFor(
      () => harness.fake.callsTo('chat.update').find((c) => String(c.args.text).includes('interrupted')),
      'the interrupted status',
    );
    const notice = await waitFor(
      () => harness.fake.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('<@U0HUMAN>')),
      'the requester notice',
    );
    for (const said of [String(status.args.text), String(notice.args.text)]) {
      expect(said).toContain('partial result');
      expect(said).toContain('/tensorduel results b1');
      expect(said).not.toContain('run it again to get results');
    }
    await command('results b1');
    const result = await waitFor(
      () =>
        harness.fake
          .callsTo('chat.postMessage')
          .find((c) => String(JSON.stringify(c.args.blocks)).includes('header')),
      'the result',
    );
    expect(String(result.args.text)).toContain('Partial result');
    expect(JSON.stringify(result.args.blocks)).toContain('Partial result');
  });

  it('offers Start benchmark under a performance answer with nothing measured on this host (offerBenchmark)', async () => {
    await start({ bench: chatBench(new MemoryStore(emptyState())) });
    await mention('which trains faster here?');
    await mention('an ordinary question');
    const posts = await harness.fake.waitForCalls('chat.postMessage', 2);
    const startButtons = (c: (typeof posts)[number] | undefined) =>
      JSON.stringify(c?.args.blocks ?? []).match(/td_bench_start/g)?.length ?? 0;
    const byText = (t: string) => posts.find((c) => String(c.args.text).includes(t));
    expect(startButtons(byText('nothing was measured'))).toBe(1);
    expect(startButtons(byText('You said: an ordinary question'))).toBe(0);
  });

  it('runs a replayed signed slash command once, and still answers the same command sent afresh', async () => {
    await start();
    const fields = {
      text: 'ask is pytorch faster?',
      user_id: 'U0HUMAN',
      channel_id: 'C0GENERAL',
      trigger_id: 'trig-replayed',
      response_url: harness.fake.responseUrl(),
    };
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await harness.pusher.sendCommand(fields, { timestamp });
    const replay = await harness.pusher.sendCommand(fields, { timestamp });
    expect([first.status, replay.status]).toEqual([200, 200]);
    // The same command typed again is a new request (Slack gives it a new trigger_id and timestamp).
    await harness.pusher.sendCommand({ ...fields, trigger_id: 'trig-again' }, { timestamp: timestamp + 1 });
    await harness.fake.waitForResponses(2);
    await sentinel(1);
    expect(advisor.calls.map((c) => c.text)).toEqual([
      'is pytorch faster?',
      'is pytorch faster?',
      'sentinel',
    ]);
    expect(logs().some((l) => l.msg === 'slack: replayed request ignored')).toBe(true);
  });

  it('answers a signed request of an unknown type at once, with a capped warning instead of an error', async () => {
    await start();
    const res = await harness.pusher.sendEvent({
      type: 'something_new',
      token: 'x',
      team_id: SLACK_BOT.teamId,
    });
    expect(res.status).toBe(200);
    const unknown = logs().filter((l) => l.msg === 'slack: ignored a request of unknown type');
    expect(unknown).toEqual([expect.objectContaining({ level: 'warn', type: 'something_new' })]);
    expect(logs().filter((l) => l.level === 'error')).toEqual([]);
  });

  it("still answers Slack's URL verification challenge (the unknown-type guard leaves it to Bolt)", async () => {
    await start();
    const res = await harness.pusher.sendEvent({
      type: 'url_verification',
      token: 'x',
      challenge: 'chal-123',
    });
    expect(res.status).toBe(200);
    expect(res.body).toContain('chal-123');
  });

  it('logs one info line per answer with intent, confidence, latency and a conversation hash, never the text', async () => {
    await start();
    await mention('a private question about my secret project');
    await harness.fake.waitForCalls('chat.postMessage', 1);
    const answered = logs().filter((l) => l.msg === 'answered');
    expect(answered).toEqual([
      expect.objectContaining({ level: 'info', platform: 'slack', intent: 'faq', confidence: 0.9 }),
    ]);
    expect(typeof answered[0]?.latencyMs).toBe('number');
    expect(answered[0]?.conversation).toBe(conversationHash(advisor.calls[0]?.conversationId ?? ''));
    const notDebug = lines.filter((l) => !l.includes('"level":"debug"')).join('\n');
    expect(notDebug).not.toContain('secret project');
    expect(notDebug).not.toContain('C0GENERAL');
  });

  it('caps the warnings repeated for each rejected request', async () => {
    let now = 1_000_000;
    await start({ logLimits: { burst: 3, windowMs: 60_000, now: () => now } });
    const body = harness.pusher.eventBody({
      type: 'app_mention',
      channel: 'C0GENERAL',
      text: 'x',
      ts: '1.1',
    });
    for (let i = 0; i < 12; i++) {
      const res = await harness.pusher.sendEvent(body, { secret: 'forged' });
      expect(res.status).toBe(401);
    }
    const rejected = () => logs().filter((l) => String(l.msg).includes('verify'));
    expect(rejected()).toHaveLength(3);
    now += 60_000;
    await harness.pusher.sendEvent(body, { secret: 'forged' });
    expect(rejected()).toHaveLength(4);
    expect(rejected()[3]).toMatchObject({ suppressedSimilar: 9 });
  });
});

describe('Slack adapter in Socket Mode: logs', () => {
  it('says in words that the connection dropped and when it is back, with no empty error lines', async () => {
    const fake = await FakeSlack.start();
    const lines: string[] = [];
    const adapter = new SlackAdapter({
      advisor: new ScriptedAdvisor(),
      logger: createLogger({ level: 'info', write: (l) => lines.push(l) }),
      botToken: BOT_TOKEN,
      appToken: APP_TOKEN,
      apiUrl: fake.apiUrl,
      retry: TEST_RETRY,
      socketPingTimeoutMs: 500,
    });
    try {
      await adapter.start();
      fake.dropSocket();
      await waitFor(() => fake.socketConnections >= 2, 'a second Socket Mode connection', 20_000);
      const parsed = () => lines.map((l) => JSON.parse(l) as { level: string; msg: string });
      await waitFor(
        () => parsed().some((l) => l.msg === 'slack: Socket Mode connection restored'),
        'restored',
      );
      expect(parsed().filter((l) => l.msg.startsWith('slack: Socket Mode connection'))).toEqual([
        expect.objectContaining({
          level: 'warn',
          msg: 'slack: Socket Mode connection dropped; reconnecting',
        }),
        expect.objectContaining({ level: 'info', msg: 'slack: Socket Mode connection restored' }),
      ]);
      expect(parsed().filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      await adapter.stop();
      await fake.close();
    }
  });
});

describe('Slack adapter: buttons through the persisted button store', () => {
  const harness = new SlackHarness();
  let advisor: ScriptedAdvisor;
  let dir: string;
  afterEach(async () => {
    await harness.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (extra: Partial<SlackAdapterOptions> = {}) => {
    advisor = new ScriptedAdvisor();
    await harness.start(advisor, createLogger({ level: 'silent' }), {
      buttonsFile: join(dir, 'slack-buttons.json'),
      ...extra,
    });
  };
  type Button = { action_id: string; value: string; text: { text: string } };
  const buttonsOf = (blocks: unknown) =>
    ((blocks ?? []) as Array<{ elements?: Button[] }>)
      .flatMap((b) => b.elements ?? [])
      .filter((e) => e.action_id);
  const click = (button: Button | undefined, where: { messageTs: string; threadTs?: string }) =>
    harness.pusher.sendAction(
      blockActionPayload({
        user: 'U0HUMAN',
        channel: 'C0GENERAL',
        responseUrl: harness.fake.responseUrl(),
        action: { action_id: button?.action_id ?? '', value: button?.value ?? '' },
        ...where,
      }),
    );

  it('answers a choice and a 👎 clicked on a message posted before a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'td-buttons-'));
    await start();
    const top = harness.pusher.nextTs();
    await harness.pusher.sendEvent(
      harness.pusher.eventBody({
        type: 'app_mention',
        user: 'U0HUMAN',
        channel: 'C0GENERAL',
        text: `<@${SLACK_BOT.userId}> ambiguous`,
        ts: top,
      }),
    );
    const [asked] = await harness.fake.waitForCalls('chat.postMessage', 1);
    const choice = buttonsOf(asked?.args.blocks).find((b) => b.text.text === 'Training speed');
    // A short key, not the payload: what it means is in the store.
    expect(choice?.value).toMatch(/^[0-9a-z]{9,20}$/);
    const conversationId = advisor.calls[0]?.conversationId;

    await harness.stop(); // the restart
    await start();
    await click(choice, { messageTs: asked?.ts ?? '', threadTs: top });
    const [answer] = await harness.fake.waitForCalls('chat.postMessage', 1);
    expect(answer?.args).toMatchObject({ channel: 'C0GENERAL', thread_ts: top });
    expect(JSON.stringify(answer?.args.blocks)).toContain('they are close on GPUs');
    expect(advisor.calls[0]).toMatchObject({ conversationId, text: 'compare training speed' });

    await harness.stop(); // and another: the answer's own 👎 still counts
    await start();
    // 👍/👎 are a feedback_buttons element: its action_id, and the clicked button's value.
    const feedback = (
      (answer?.args.blocks ?? []) as Array<{ type: string; elements: Array<Record<string, never>> }>
    )
      .find((b) => b.type === 'context_actions')
      ?.elements.find((e) => e.type === 'feedback_buttons') as
      | { action_id: string; negative_button: { value: string } }
      | undefined;
    await harness.pusher.sendAction(
      blockActionPayload({
        user: 'U0HUMAN',
        channel: 'C0GENERAL',
        responseUrl: harness.fake.responseUrl(),
        messageTs: answer?.ts ?? '',
        threadTs: top,
        action: {
          type: 'feedback_buttons',
          action_id: feedback?.action_id ?? '',
          value: feedback?.negative_button.value ?? '',
        },
      }),
    );
    await waitFor(() => advisor.feedback[0], 'the feedback');
    expect(advisor.feedback[0]).toMatchObject({ conversationId, entryId: 'cmp-speed', vote: 'down' });
    const [thanks] = await harness.fake.waitForResponses(1);
    expect(JSON.stringify(thanks?.payload)).toContain('Thanks for the feedback');
  });

  it('still answers a JSON-valued button of an earlier release, and refuses a key of another kind of button', async () => {
    dir = await mkdtemp(join(tmpdir(), 'td-buttons-'));
    await start();
    const old = {
      action_id: 'td_choice_0',
      value: JSON.stringify({ k: 'c', c: 'slack:C0GENERAL:1.5', v: 'ambiguous', m: 't' }),
    };
    await click(old as Button, { messageTs: '1.6', threadTs: '1.5' });
    const [post] = await harness.fake.waitForCalls('chat.postMessage', 1);
    expect(post?.args).toMatchObject({ thread_ts: '1.5' });
    expect(advisor.calls[0]).toMatchObject({ conversationId: 'slack:C0GENERAL:1.5', text: 'ambiguous' });
    // The key of a choice button sent as a 👍: as good as expired, nothing recorded.
    const choiceKey = buttonsOf(post?.args.blocks).find((b) => b.action_id.startsWith('td_choice'))?.value;
    await click({ action_id: 'td_feedback_up', value: choiceKey ?? 'x' } as Button, { messageTs: '1.7' });
    const [refused] = await harness.fake.waitForResponses(1);
    expect(JSON.stringify(refused?.payload)).toContain('That button has expired');
    expect(advisor.feedback).toHaveLength(0);
  });

  it('queues a run from a Start benchmark button posted before a restart, and its Cancel button cancels it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'td-buttons-'));
    const store = new MemoryStore(emptyState());
    await start({ bench: chatBench(store) });
    await harness.pusher.sendEvent(
      harness.pusher.eventBody({
        type: 'app_mention',
        user: 'U0HUMAN',
        channel: 'C0GENERAL',
        text: `<@${SLACK_BOT.userId}> which trains faster here?`,
        ts: harness.pusher.nextTs(),
      }),
    );
    const [offer] = await harness.fake.waitForCalls('chat.postMessage', 1);
    const startButton = buttonsOf(offer?.args.blocks).find((b) => b.action_id === 'td_bench_start');
    expect(startButton?.value).not.toContain('{');

    await harness.stop();
    const bench = chatBench(store);
    await start({ bench });
    await bench.queue.start();
    await click(startButton, { messageTs: offer?.ts ?? '' });
    const [status] = await harness.fake.waitForCalls('chat.postMessage', 1);
    expect(String(status?.args.text)).toContain('b1');
    const cancel = buttonsOf(status?.args.blocks).find((b) => b.action_id === 'td_bench_cancel');
    expect(cancel?.value).not.toBe('b1');

    await harness.stop();
    const again = chatBench(store);
    await start({ bench: again });
    await again.queue.start();
    await click(cancel, { messageTs: status?.ts ?? '' });
    await waitFor(
      async () =>
        (await store.read()).benchRuns.find(
          (r) => r.id === 'b1' && r.status !== 'queued' && r.status !== 'running',
        ),
      'the run to end',
    );
    await again.queue.stop();
  });
});

/** Benchmarks from chat on an in-memory queue whose runs wait until they are cancelled. */
function chatBench(store: MemoryStore<AppState>): ChatBench {
  const queue = new BenchQueue({
    store,
    executor: {
      execute: (_request, { signal }) =>
        new Promise((resolve) => {
          // Cut off as the queue stops; the stop may come before this run got as far as listening.
          const cut = () => resolve(docWith([], { id: 'res-1', completed: false }));
          if (signal.aborted) cut();
          else signal.addEventListener('abort', cut);
        }),
    },
    policy: { admins: ['slack:U0HUMAN'], users: [], roles: [], channels: [], ratePerHour: 0, maxRunS: 600 },
    clock: { now: () => Date.now() },
    logger: createLogger({ level: 'silent' }),
  });
  return { queue, workloadIds: async () => ['mlp', 'cnn'], chartPng: async () => undefined };
}

describe('Slack adapter: the AI-assistant panel', () => {
  const harness = new SlackHarness();
  let advisor: ScriptedAdvisor;
  afterEach(() => harness.stop());

  const push = (event: Record<string, unknown>) => harness.pusher.sendEvent(harness.pusher.eventBody(event));

  it('offers the most asked questions when a thread opens, then answers in the thread while "is thinking…"', async () => {
    advisor = new ScriptedAdvisor();
    await harness.start(advisor, createLogger({ level: 'silent' }));
    const threadTs = harness.pusher.nextTs();
    await push({
      type: 'assistant_thread_started',
      assistant_thread: { user_id: 'U0HUMAN', context: {}, channel_id: 'D0ASSIST', thread_ts: threadTs },
      event_ts: threadTs,
    });
    const [prompts] = await harness.fake.waitForCalls('assistant.threads.setSuggestedPrompts', 1);
    expect(prompts?.args).toMatchObject({ channel_id: 'D0ASSIST', thread_ts: threadTs });
    const offered = prompts?.args.prompts as Array<{ title: string; message: string }>;
    expect(offered.length).toBeGreaterThanOrEqual(1);
    expect(offered.length).toBeLessThanOrEqual(4);
    expect(offered.map((p) => p.message)).toContain('Which framework is easier to learn?');
    const [greeting] = await harness.fake.waitForCalls('chat.postMessage', 1);
    expect(greeting?.args).toMatchObject({ channel: 'D0ASSIST', thread_ts: threadTs });

    // The user picks a prompt: Slack sends it as a message.im in the assistant thread.
    await push({
      type: 'message',
      channel_type: 'im',
      channel: 'D0ASSIST',
      user: 'U0HUMAN',
      text: 'Which framework is easier to learn?',
      ts: harness.pusher.nextTs(),
      thread_ts: threadTs,
    });
    const [, answer] = await harness.fake.waitForCalls('chat.postMessage', 2);
    expect(answer?.args).toMatchObject({ channel: 'D0ASSIST', thread_ts: threadTs });
    expect(answer?.args.text).toContain('You said: Which framework is easier to learn?');
    const status = harness.fake.callsTo('assistant.threads.setStatus');
    expect(status).toHaveLength(1);
    expect(status[0]?.args).toMatchObject({
      channel_id: 'D0ASSIST',
      thread_ts: threadTs,
      status: 'is thinking…',
    });
    // The status was set before the answer was posted.
    expect(harness.fake.calls.indexOf(status[0] as never)).toBeLessThan(
      harness.fake.calls.indexOf(answer as never),
    );
    expect(harness.fake.callsTo('assistant.threads.setTitle').map((c) => c.args.title)).toEqual([
      'Which framework is easier to learn?',
    ]);
    expect(advisor.calls[0]?.conversationId).toBe(`slack:D0ASSIST:${threadTs}`);
  });

  it('keeps answering mentions and plain DMs, and answers a DM thread even where the panel is not available', async () => {
    advisor = new ScriptedAdvisor();
    await harness.start(advisor, createLogger({ level: 'silent' }));
    // A workspace without the assistant panel refuses the status call: the answer still comes.
    harness.fake.failNext('assistant.threads.setStatus', {
      status: 200,
      body: JSON.stringify({ ok: false, error: 'not_allowed_token_type' }),
    });
    await push({
      type: 'message',
      channel_type: 'im',
      channel: 'D0DM',
      user: 'U0HUMAN',
      text: 'top',
      ts: harness.pusher.nextTs(),
    });
    await push({
      type: 'message',
      channel_type: 'im',
      channel: 'D0DM',
      user: 'U0HUMAN',
      text: 'in a thread',
      ts: harness.pusher.nextTs(),
      thread_ts: '1700000000.000001',
    });
    await push({
      type: 'app_mention',
      channel: 'C0GENERAL',
      user: 'U0HUMAN',
      text: `<@${SLACK_BOT.userId}> in a channel`,
      ts: harness.pusher.nextTs(),
    });
    await harness.fake.waitForCalls('chat.postMessage', 3);
    expect(advisor.calls.map((c) => c.text).sort()).toEqual(['in a channel', 'in a thread', 'top']);
    expect(
      harness.fake.callsTo('chat.postMessage').find((c) => c.args.channel === 'D0DM' && c.args.thread_ts)
        ?.args,
    ).toMatchObject({ thread_ts: '1700000000.000001' });
  });
});
