import { afterEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../src/adapters/slack/SlackAdapter.ts';
import { UserError } from '../../../src/core/errors.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { blockActionPayload, FakeSlack, SLACK_BOT, SlackPusher } from '../../fakes/FakeSlack.ts';
import { waitFor } from '../../fakes/util.ts';
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
