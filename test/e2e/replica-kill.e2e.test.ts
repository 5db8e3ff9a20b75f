/**
 * Two bot replicas as users run them (`tensorduel start` in two processes, Slack over HTTP on two ports, one
 * Redis), and one of them killed with SIGKILL: the other keeps answering, continues the killed replica's
 * conversation from the memory in Redis, and drops Slack's retry of an event the killed replica had answered.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack, SLACK_BOT, SlackPusher } from '../fakes/FakeSlack.ts';
import { waitFor } from '../fakes/util.ts';
import { freePort } from '../helpers/free-port.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { leakedSecrets, SECRETS } from './boot.ts';

const LONG = 300_000;
const CHANNEL = 'C0KILL';

interface Replica {
  child: ChildProcess;
  pusher: SlackPusher;
  stderr: () => string;
  exited: Promise<number | null>;
}

describe('bot replicas in their own processes, one killed with SIGKILL', () => {
  let redis: TestRedis;
  let slack: FakeSlack;
  const dirs: string[] = [];
  const replicas: Replica[] = [];

  const launch = async (name: string): Promise<Replica> => {
    const dir = await mkdtemp(join(tmpdir(), `tensorduel-${name}-`));
    dirs.push(dir);
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/tensorduel.js', 'start'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SLACK_BOT_TOKEN: SECRETS.SLACK_BOT_TOKEN,
        SLACK_SIGNING_SECRET: SECRETS.SLACK_SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        SLACK_PORT: String(port),
        SLACK_HOST: '127.0.0.1',
        TENSORDUEL_DB_FILE: join(dir, 'db.json'),
        TENSORDUEL_REDIS_URL: redis.url,
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    child.stdout?.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return {
      child,
      pusher: new SlackPusher(`http://127.0.0.1:${port}/slack/events`, SECRETS.SLACK_SIGNING_SECRET),
      stderr: () => stderr,
      exited,
    };
  };

  beforeAll(async () => {
    redis = await startRedis();
    slack = await FakeSlack.start();
    replicas.push(await launch('a'), await launch('b'));
    // A hang guard, not a speed check: both replicas load the model on a shared 2-core machine.
    for (const r of replicas)
      await waitFor(() => r.stderr().includes('chat platforms started'), 'a replica to start', LONG);
  }, LONG);

  afterAll(async () => {
    for (const r of replicas)
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    await slack?.close();
    await redis?.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }, LONG);

  const postsIn = (threadTs: string) =>
    slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === threadTs);

  it(
    'the survivor answers new mentions, follows up the killed replica’s thread, and drops the retry of its answered event',
    async () => {
      const [a, b] = replicas as [Replica, Replica];
      const thread = a.pusher.nextTs();
      const first = a.pusher.eventBody(
        {
          type: 'app_mention',
          user: 'U0HUMAN',
          channel: CHANNEL,
          text: `<@${SLACK_BOT.userId}> which framework trains faster?`,
          ts: thread,
        },
        'EvKill1',
      );
      expect((await a.pusher.sendEvent(first)).status).toBe(200);
      const answer = await waitFor(() => postsIn(thread)[0], 'the answer on A', LONG);
      expect(JSON.stringify(answer.args.blocks)).toContain('training-speed');

      a.child.kill('SIGKILL');
      await a.exited;
      expect(a.child.signalCode).toBe('SIGKILL');

      // Slack retries the event A answered at another replica: B sees A's claim in Redis and posts nothing.
      expect((await b.pusher.sendEvent(first, { retryNum: 1 })).status).toBe(200);
      await waitFor(() => b.stderr().includes('slack: duplicate event ignored'), 'B to drop the retry', LONG);

      // A reply in A's thread, without a mention, reaches B: it follows up from the memory A left in Redis.
      const followUp = b.pusher.eventBody(
        {
          type: 'message',
          channel: CHANNEL,
          channel_type: 'channel',
          user: 'U0HUMAN',
          text: 'and at inference time?',
          ts: b.pusher.nextTs(),
          thread_ts: thread,
        },
        'EvKill2',
      );
      expect((await b.pusher.sendEvent(followUp)).status).toBe(200);
      const second = await waitFor(() => postsIn(thread)[1], 'the follow-up on B', LONG);
      expect(JSON.stringify(second.args.blocks)).toContain('inference-speed');

      // A new question on B is answered as ever.
      const other = b.pusher.nextTs();
      const fresh = b.pusher.eventBody(
        {
          type: 'app_mention',
          user: 'U0HUMAN',
          channel: CHANNEL,
          text: `<@${SLACK_BOT.userId}> what is pytorch?`,
          ts: other,
        },
        'EvKill3',
      );
      expect((await b.pusher.sendEvent(fresh)).status).toBe(200);
      const third = await waitFor(() => postsIn(other)[0], 'the new answer on B', LONG);
      expect(JSON.stringify(third.args.blocks)).toContain('what-is-pytorch');

      // Each event answered once: one post in the first thread per turn, none twice.
      expect(postsIn(thread)).toHaveLength(2);
      expect(leakedSecrets(a.stderr() + b.stderr())).toEqual([]);
    },
    LONG,
  );
});
