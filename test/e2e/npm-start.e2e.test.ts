/**
 * `npm start` as a user runs it: `tensorduel start` in a child process, Slack (HTTP) and Discord configured by
 * environment variables pointing at the fakes, the real advisor, stopped by SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/FakeDiscord.ts';
import { FakeSlack, SLACK_BOT, SlackPusher } from '../fakes/FakeSlack.ts';
import { waitFor } from '../fakes/util.ts';
import { freePort } from '../helpers/free-port.ts';
import { leakedSecrets, SECRETS } from './boot.ts';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

it('starts Slack and Discord from the environment, answers on both, and exits cleanly on SIGTERM', async () => {
  const slack = await FakeSlack.start();
  const discord = await FakeDiscord.start();
  const dir = await mkdtemp(join(tmpdir(), 'tensorduel-start-'));
  const port = await freePort();
  let stderr = '';
  let stdout = '';
  try {
    child = spawn(process.execPath, ['bin/tensorduel.js', 'start'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...SECRETS,
        SLACK_APP_TOKEN: '', // HTTP mode
        SLACK_API_URL: slack.apiUrl,
        SLACK_PORT: String(port),
        SLACK_HOST: '127.0.0.1',
        DISCORD_API_URL: discord.apiUrl,
        TENSORDUEL_DB_FILE: join(dir, 'db.json'),
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    child.stdout?.on('data', (d) => {
      stdout += String(d);
    });
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    // A hang guard, not a speed check: a fresh clone's first start embeds the knowledge base, on a shared machine.
    await waitFor(() => stderr.includes('chat platforms started'), 'the bot to start', 240_000);

    const pusher = new SlackPusher(`http://127.0.0.1:${port}/slack/events`, SECRETS.SLACK_SIGNING_SECRET);
    const ts = pusher.nextTs();
    const res = await pusher.sendEvent(
      pusher.eventBody({
        type: 'app_mention',
        channel: 'C0ML',
        user: 'U0HUMAN',
        text: `<@${SLACK_BOT.userId}> what is pytorch`,
        ts,
      }),
    );
    expect(res.status).toBe(200);
    discord.sendMessage({ content: 'what is tensorflow' });
    const [post] = await slack.waitForCalls('chat.postMessage', 1);
    expect(post?.args.thread_ts).toBe(ts);
    await discord.waitForCalls(/^POST \/channels\/\d+\/messages$/, 1);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(leakedSecrets(stderr + stdout)).toEqual([]);
  } finally {
    await slack.close();
    await discord.close();
    await rm(dir, { recursive: true, force: true });
  }
}, 300_000);
