/**
 * The distributed mode through the real app: startPlatforms with TENSORDUEL_REDIS_URL (Slack over HTTP against the
 * fake Slack), a `tensorduel worker` process running the real TF.js runner on tiny settings, a real redis-server.
 * The bot only enqueues, edits the status message and posts the result; with Redis down, questions are still
 * answered and benchmark commands say the queue is unavailable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPlatforms } from '../../src/app/start-platforms.ts';
import { FakeSlack, SLACK_BOT, SlackPusher } from '../fakes/FakeSlack.ts';
import { waitFor } from '../fakes/util.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { descendants, spawnWorker, stopWorker, type WorkerProcess } from '../helpers/scale.ts';
import { FAST_RETRY, SECRETS, useE2EAdvisor } from './boot.ts';

const ADMIN = 'U0ADMIN';
const CHANNEL = 'C0ML';
const RUN_TIMEOUT = 120_000;
const json = (v: unknown) => JSON.stringify(v);

describe('benchmarks from Slack on the Redis queue, end to end', () => {
  let redis: TestRedis;
  let worker: WorkerProcess;
  let fake: FakeSlack | undefined;
  let running: RunningPlatforms | undefined;
  let pusher: SlackPusher;

  beforeAll(async () => {
    redis = await startRedis();
    worker = spawnWorker(redis.url, 'gpu-box/cpu');
    await worker.ready;
  }, RUN_TIMEOUT);
  afterAll(async () => {
    for (const pid of descendants(worker?.child.pid ?? -1)) process.kill(pid, 'SIGKILL');
    if (worker) await stopWorker(worker);
    await redis?.close();
  }, RUN_TIMEOUT);

  const advisor = useE2EAdvisor(async () => {
    await running?.stop();
    running = undefined;
    await fake?.close();
  });

  const slash = async (text: string) => {
    const responseUrl = fake?.responseUrl() ?? '';
    const id = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
    const res = await pusher.sendCommand({
      text,
      user_id: ADMIN,
      user_name: 'admin',
      channel_id: CHANNEL,
      trigger_id: `trig-${id}`,
      response_url: responseUrl,
    });
    expect(res.status).toBe(200);
    return () => waitFor(() => fake?.responses.find((r) => r.id === id)?.payload, `response ${id}`);
  };

  it(
    'runs a chat benchmark on a worker: one status message edited to "Finished … on <worker>", one result post; with Redis down questions are answered and bench says the queue is unavailable',
    async () => {
      fake = await FakeSlack.start();
      running = await advisor.start(
        {
          SLACK_BOT_TOKEN: SECRETS.SLACK_BOT_TOKEN,
          SLACK_SIGNING_SECRET: SECRETS.SLACK_SIGNING_SECRET,
          SLACK_API_URL: fake.apiUrl,
          SLACK_PORT: '0',
          SLACK_HOST: '127.0.0.1',
          TENSORDUEL_ADMINS: `slack:${ADMIN}`,
          TENSORDUEL_BENCH_REPEATS: '1',
          TENSORDUEL_BENCH_STEPS: '2',
          TENSORDUEL_BENCH_WARMUP: '0',
          TENSORDUEL_REDIS_URL: redis.url,
        },
        FAST_RETRY,
      );
      pusher = new SlackPusher(
        `http://127.0.0.1:${running.slack?.port}/slack/events`,
        SECRETS.SLACK_SIGNING_SECRET,
      );
      const slack = fake;

      await slash('bench mlp tensorflow');
      const status = await waitFor(
        () => slack.callsTo('chat.postMessage').find((c) => /benchmark `b1`/.test(String(c.args.text))),
        'the status message',
      );
      const final = await waitFor(
        () =>
          slack
            .callsTo('chat.update')
            .find(
              (c) =>
                c.args.ts === status.ts &&
                /Finished benchmark `b1`.* on gpu-box\/cpu/.test(String(c.args.text)),
            ),
        'the status edited to Finished on the worker',
        RUN_TIMEOUT,
      );
      expect(final.args.channel).toBe(CHANNEL);
      const results = () =>
        slack.callsTo('chat.postMessage').filter((c) => json(c.args.blocks).includes('TensorDuel benchmark'));
      await waitFor(() => results().length >= 1, 'the result post', RUN_TIMEOUT);
      expect(json(results()[0]?.args.blocks)).toContain('TensorFlow.js');
      expect(
        slack.callsTo('chat.postMessage').filter((c) => /benchmark `b1`/.test(String(c.args.text))),
      ).toHaveLength(1);
      expect(worker.lines.some((l) => l.msg === 'bench run started' && l.run === 'b1')).toBe(true);

      // `results` on the bot reads what the worker stored.
      await slash('results b1');
      await waitFor(() => results().length >= 2, 'the re-posted result');

      // Redis down: a question is still answered; a benchmark command answers "unavailable" instead of hanging.
      await redis.kill();
      const ts = pusher.nextTs();
      await pusher.sendEvent(
        pusher.eventBody({
          type: 'app_mention',
          user: 'U0HUMAN',
          channel: CHANNEL,
          text: `<@${SLACK_BOT.userId}> is pytorch easier to learn than tensorflow?`,
          ts,
        }),
      );
      await waitFor(
        () => slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts === ts),
        'the answer while Redis is down',
      );
      const refused = await (await slash('bench mlp tensorflow'))();
      expect(String(refused.text)).toMatch(/queue is unavailable/);
      await redis.start();
    },
    RUN_TIMEOUT * 2,
  );
});
