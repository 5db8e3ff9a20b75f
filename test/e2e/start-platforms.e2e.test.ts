/** startPlatforms end to end: which platforms start from which settings, Socket Mode, and clean shutdown. */
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enabledPlatforms, startPlatforms } from '../../src/app/start-platforms.ts';
import { UserError } from '../../src/core/errors.ts';
import { FakeDiscord } from '../fakes/FakeDiscord.ts';
import { FakeSlack, SLACK_BOT, SlackPusher } from '../fakes/FakeSlack.ts';
import { waitFor } from '../fakes/util.ts';
import { E2EAdvisor, leakedSecrets, SECRETS } from './boot.ts';

describe('startPlatforms', () => {
  const advisor = new E2EAdvisor();
  beforeAll(() => advisor.load());
  afterAll(async () => {
    expect(leakedSecrets(advisor.logs.join('\n'))).toEqual([]);
    await advisor.close();
  });

  it('runs Slack in Socket Mode and Discord side by side, each answering, then stops both', async () => {
    const slack = await FakeSlack.start();
    const discord = await FakeDiscord.start();
    const running = await advisor.start({
      SLACK_BOT_TOKEN: SECRETS.SLACK_BOT_TOKEN,
      SLACK_APP_TOKEN: SECRETS.SLACK_APP_TOKEN,
      SLACK_API_URL: slack.apiUrl,
      DISCORD_TOKEN: SECRETS.DISCORD_TOKEN,
      DISCORD_API_URL: discord.apiUrl,
    });
    try {
      expect(running.names.sort()).toEqual(['discord', 'slack']);
      expect(running.slack?.mode).toBe('socket');
      const pusher = new SlackPusher('unused', 'unused');
      const event = pusher.eventBody({
        type: 'app_mention',
        channel: 'C0ML',
        user: 'U0HUMAN',
        text: `<@${SLACK_BOT.userId}> Which framework trains faster, TensorFlow or PyTorch?`,
        ts: pusher.nextTs(),
      });
      await slack.sendEnvelope('events_api', event);
      await slack.sendEnvelope('events_api', event, { retryAttempt: 1 }); // a re-sent envelope
      const ack = await slack.sendEnvelope('slash_commands', {
        command: '/tensorduel',
        text: 'recommend we build vision models for production',
        user_id: 'U0HUMAN',
        channel_id: 'C0ML',
        trigger_id: 'trig-1',
        response_url: slack.responseUrl(),
      });
      expect(ack).toEqual({});
      discord.sendMessage({ content: 'Which framework trains faster, TensorFlow or PyTorch?' });
      const [post] = await slack.waitForCalls('chat.postMessage', 1);
      expect(JSON.stringify(post?.args.blocks)).toContain('Source: Performance');
      const [response] = await slack.waitForResponses(1);
      expect(response?.payload.response_type).toBe('ephemeral');
      await discord.waitForCalls(/^POST \/channels\/\d+\/messages$/, 1);
      expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    } finally {
      await running.stop();
      await running.stop(); // safe twice
      await slack.close();
      await discord.close();
    }
  });

  it('starts the terminal chat when no platform is configured', async () => {
    const input = new PassThrough();
    let out = '';
    const output = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    const config = advisor.config({});
    const running = await startPlatforms(config, advisor.handle.advisor, advisor.logger(config), {
      input,
      output,
    });
    expect(running.names).toEqual(['console']);
    input.write('help me pick a framework\n');
    await waitFor(() => out.includes('Research / prototyping'), 'the first question');
    input.write('1\n'); // picks "Research / prototyping" by its number
    // The pick is the decisive fact: the verdict comes at once and names it.
    await waitFor(
      () => out.includes('Recommendation: PyTorch') && out.includes('research / prototyping'),
      'the verdict',
    );
    input.write('/quit\n');
    await running.done;
    await running.stop();
  });

  it('refuses a half-configured Slack with a message that names the missing setting', () => {
    const config = advisor.config({ SLACK_BOT_TOKEN: SECRETS.SLACK_BOT_TOKEN });
    expect(() => enabledPlatforms(config)).toThrow(UserError);
    expect(() => enabledPlatforms(config)).toThrow(/SLACK_APP_TOKEN .*SLACK_SIGNING_SECRET/);
    expect(() => enabledPlatforms(advisor.config({ SLACK_SIGNING_SECRET: 'x' }))).toThrow(
      /SLACK_BOT_TOKEN is missing/,
    );
  });

  it('stops what started when another platform fails to start', async () => {
    const slack = await FakeSlack.start();
    const discord = await FakeDiscord.start();
    discord.failNext('GET /gateway/bot', { status: 401, body: '{"message":"401: Unauthorized","code":0}' });
    try {
      const err = await advisor
        .start({
          SLACK_BOT_TOKEN: SECRETS.SLACK_BOT_TOKEN,
          SLACK_APP_TOKEN: SECRETS.SLACK_APP_TOKEN,
          SLACK_API_URL: slack.apiUrl,
          DISCORD_TOKEN: SECRETS.DISCORD_TOKEN,
          DISCORD_API_URL: discord.apiUrl,
        })
        .catch((e: unknown) => e);
      expect((err as Error).message).toBe('Discord rejected DISCORD_TOKEN: check the bot token.');
      // Slack's socket was closed again.
      await waitFor(() => slack.socketConnections === 1 && !slack.hasSocket, 'the Slack socket to close');
    } finally {
      await slack.close();
      await discord.close();
    }
  });
});
