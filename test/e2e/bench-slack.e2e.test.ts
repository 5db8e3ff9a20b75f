/**
 * Benchmarks from Slack, end to end: signed slash commands and button clicks through Bolt, the real queue and
 * the real benchmark runners (tiny settings), and everything the bot posts arriving at the fake Slack.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../src/adapters/shared/ButtonStore.ts';
import type { RunningPlatforms } from '../../src/app/start-platforms.ts';
import type { BenchRun } from '../../src/core/jobs/bench-run.ts';
import { emptyState } from '../../src/core/state.ts';
import { createStore } from '../../src/infra/build-advisor.ts';
import {
  blockActionPayload,
  FakeSlack,
  SLACK_BOT,
  type SlackApiCall,
  SlackPusher,
} from '../fakes/FakeSlack.ts';
import { waitFor } from '../fakes/util.ts';
import { FAST_RETRY, SECRETS, useE2EAdvisor } from './boot.ts';
import { alive, runnerChildren } from './runners.ts';

const ADMIN = 'U0ADMIN';
const CHANNEL = 'C0ML';
/** Tiny runs: one repetition of two steps. */
const TINY = { TENSORDUEL_BENCH_REPEATS: '1', TENSORDUEL_BENCH_STEPS: '2', TENSORDUEL_BENCH_WARMUP: '0' };
/** A hang guard for one tiny run, not a speed check: real runners on a shared, loaded 2-core machine are slow. */
const RUN_TIMEOUT = 300_000;

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: Array<{ type: string; action_id?: string; value?: string }>;
}

const json = (v: unknown) => JSON.stringify(v);
const runIdOf = (call: SlackApiCall | undefined) => /benchmark `(b\d+)`/.exec(String(call?.args.text))?.[1];
const cancelButton = (call: SlackApiCall | undefined) =>
  ((call?.args.blocks ?? []) as Block[])
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === 'td_bench_cancel');

describe('benchmarks from Slack, end to end', () => {
  let fake: FakeSlack;
  let running: RunningPlatforms | undefined;
  let pusher: SlackPusher;

  const advisor = useE2EAdvisor(async () => {
    await running?.stop();
    running = undefined;
    await fake?.close();
  });

  const start = async (env: Record<string, string>, store?: ReturnType<typeof createStore>) => {
    fake = await FakeSlack.start();
    running = await advisor.start(
      {
        SLACK_BOT_TOKEN: SECRETS.SLACK_BOT_TOKEN,
        SLACK_SIGNING_SECRET: SECRETS.SLACK_SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        SLACK_PORT: '0',
        SLACK_HOST: '127.0.0.1',
        TENSORDUEL_ADMINS: `slack:${ADMIN}`,
        ...TINY,
        ...env,
      },
      FAST_RETRY,
      store,
    );
    pusher = new SlackPusher(
      `http://127.0.0.1:${running.slack?.port}/slack/events`,
      SECRETS.SLACK_SIGNING_SECRET,
    );
  };

  /** What a button's key means, from slack-buttons.json beside the database. */
  const storedButton = async (key: string | undefined) => {
    const saved = parseJournal(await readFile(join(advisor.dir, 'slack-buttons.json'), 'utf8')).entries;
    return saved.findLast(([k]) => k === key)?.[1];
  };

  const slash = async (user: string, text: string) => {
    const responseUrl = fake.responseUrl();
    const id = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
    const res = await pusher.sendCommand({
      text,
      user_id: user,
      user_name: user.toLowerCase(),
      channel_id: CHANNEL,
      trigger_id: `trig-${id}`,
      response_url: responseUrl,
    });
    expect(res.status).toBe(200);
    return {
      ack: res,
      response: () =>
        waitFor(() => fake.responses.find((r) => r.id === id)?.payload, `response_url post ${id}`),
    };
  };

  const click = (
    user: string,
    message: SlackApiCall | undefined,
    action: { action_id: string; value: string },
  ) =>
    pusher.sendAction(
      blockActionPayload({
        user,
        channel: CHANNEL,
        messageTs: message?.ts ?? '',
        ...(typeof message?.args.thread_ts === 'string' ? { threadTs: message.args.thread_ts } : {}),
        responseUrl: fake.responseUrl(),
        action: { ...action, block_id: 'td_bench' },
      }),
    );

  /** The status message of a run (the first post naming it) and every edit of it. */
  const statusOf = (runId: string) => {
    const post = fake.callsTo('chat.postMessage').find((c) => runIdOf(c) === runId && cancelButton(c));
    const edits = fake.callsTo('chat.update').filter((c) => c.args.ts === post?.ts);
    return { post, edits, last: edits[edits.length - 1] ?? post };
  };
  const waitForStatus = (runId: string, pattern: RegExp, timeoutMs = RUN_TIMEOUT) =>
    waitFor(
      () => {
        const s = statusOf(runId);
        return s.last && pattern.test(String(s.last.args.text)) ? s : undefined;
      },
      `status of ${runId} matching ${pattern}`,
      timeoutMs,
    );
  /**
   * Each posted result as one call: a result is its header message and the messages after it that carry its
   * other tables (one table block a message), their blocks joined.
   */
  const resultPosts = (): SlackApiCall[] => {
    const results: SlackApiCall[] = [];
    for (const c of fake.callsTo('chat.postMessage')) {
      const blocks = (c.args.blocks ?? []) as Block[];
      if (json(blocks).includes('TensorDuel benchmark')) results.push({ ...c, args: { ...c.args, blocks } });
      else if (blocks[0]?.type === 'section' && blocks[1]?.type === 'table') {
        const last = results.at(-1);
        if (last) last.args.blocks = [...(last.args.blocks as Block[]), ...blocks];
      }
    }
    return results;
  };

  it('queues, runs and reports a benchmark: ack, position, progress edits, tables, chart upload; refusals are ephemeral; results and compare re-post', async () => {
    await start({});
    const unknown = await slash(ADMIN, 'bench mlp frobnicate');
    const unknownText = json(await unknown.response());
    expect(unknownText).toContain('frobnicate');
    expect(unknownText).toContain('`mlp`');
    expect(unknownText).toContain('ephemeral');

    const refused = await slash('U0GUEST', 'bench mlp');
    const refusal = await refused.response();
    expect(refusal).toMatchObject({ response_type: 'ephemeral' });
    expect(String(refusal.text)).toContain('Only admins can start benchmarks');

    await slash(ADMIN, 'bench mlp tensorflow');
    const [firstStatus] = await fake.waitForCalls('chat.postMessage', 1);
    const first = runIdOf(firstStatus) as string;
    expect(firstStatus?.args).toMatchObject({ channel: CHANNEL });
    expect(String(firstStatus?.args.text)).toContain('position 1');
    // The button carries a key of the persisted button store, which says what it cancels.
    expect(await storedButton(cancelButton(firstStatus)?.value)).toEqual({
      kind: 'benchCancel',
      runId: first,
    });

    await slash(ADMIN, 'bench mlp torch');
    const secondStatus = await waitFor(
      () => fake.callsTo('chat.postMessage').find((c) => runIdOf(c) && runIdOf(c) !== first),
      'the second status message',
    );
    const second = runIdOf(secondStatus) as string;
    expect(String(secondStatus.args.text)).toMatch(/Queued .*position 2/);

    await waitForStatus(first, /Finished/);
    await waitForStatus(second, /Finished/);
    await waitFor(() => fake.uploads.length >= 2 && fake.callsTo('files.completeUploadExternal').length >= 2);

    const s1 = statusOf(first);
    // With the throttle off (boot.ts), the start of the run is always an edit, however fast the run is.
    expect(s1.edits.some((e) => /Running/.test(String(e.args.text)))).toBe(true);
    // The final edit drops the Cancel button.
    expect(String(s1.last?.args.text)).toMatch(/Finished/);
    expect(cancelButton(s1.last)).toBeUndefined();
    // The second run was told when it moved up the queue.
    expect(statusOf(second).edits.some((e) => /Running/.test(String(e.args.text)))).toBe(true);

    const results = resultPosts();
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r.args.channel).toBe(CHANNEL);
      expect(json(r.args.blocks)).toMatch(/Training|Inference/);
      expect(json(r.args.blocks)).toMatch(/article/i); // the claim-check lines
    }
    expect(json(results[1]?.args.blocks)).toContain('PyTorch');
    expect(fake.uploads.every((u) => u.png)).toBe(true);
    const completions = fake.callsTo('files.completeUploadExternal');
    expect(completions.map((c) => c.args.channel_id)).toEqual([CHANNEL, CHANNEL]);

    // Nothing posted twice: per run one status message and one result.
    for (const id of [first, second])
      expect(fake.callsTo('chat.postMessage').filter((c) => runIdOf(c) === id)).toHaveLength(1);

    await slash('U0GUEST', `results ${first}`);
    const reposted = await waitFor(() => (resultPosts().length >= 3 ? resultPosts()[2] : undefined));
    expect(json(reposted.args.blocks)).toContain('TensorFlow');
    await waitFor(() => fake.uploads.length >= 3);

    await slash('U0GUEST', `compare ${first} ${second}`);
    const compared = await waitFor(() =>
      fake.callsTo('chat.postMessage').find((c) => String(c.args.text).includes(' vs ')),
    );
    const table = json(compared.args.blocks);
    expect(table).toContain('B/A');
    expect(table).toContain('TensorFlow.js');
    expect(table).toContain('PyTorch');

    const help = json(await (await slash('U0GUEST', 'help')).response());
    expect(help).toContain('Benchmarks from chat');
    expect(help).toContain('/tensorduel compare &lt;id1&gt; &lt;id2&gt;'); // generated from the command table
    // Listed once, in the benchmark section, not also as the old `bench <workload>` line.
    expect(help).not.toMatch(/bench (<|&lt;)workload/);

    const missing = await slash('U0GUEST', 'results b999');
    expect(String((await missing.response()).text)).toContain('No result `b999`');
  }, 600_000);

  it("reports a crashing runner and moves on; Cancel kills the next run's runner, requester or admin only", async () => {
    await start({ TENSORDUEL_BENCH_USERS: 'slack:U0ALICE', TENSORDUEL_BENCH_FAULT: 'torch=crash,tfjs=hang' });
    await slash('U0ALICE', 'bench mlp pytorch');
    const crashing = await waitFor(() => runIdOf(fake.callsTo('chat.postMessage')[0]));
    await slash('U0ALICE', 'bench mlp tensorflow');
    const hanging = await waitFor(() =>
      runIdOf(fake.callsTo('chat.postMessage').find((c) => runIdOf(c) && runIdOf(c) !== crashing)),
    );
    expect(String(statusOf(hanging).post?.args.text)).toContain('position 2');

    // The crash is reported in the chat (the run's result names the failed runner), and the queue moves on.
    const final = await waitForStatus(crashing, /❌/);
    const crashReport = await waitFor(() => resultPosts()[0]);
    expect(String(final.last?.args.text)).toMatch(
      /❌ .* failed .*no engine produced a result \(PyTorch: .*\)\. Details below\./,
    );
    expect(String(crashReport.args.text)).toContain('0/1 runs ok');
    expect(json(crashReport.args.blocks)).toMatch(/PyTorch — failed for MLP: .*crashing on purpose/);
    await waitForStatus(hanging, /Running/);
    const [pid] = await waitFor(
      () => {
        const pids = runnerChildren();
        return pids.length > 0 ? pids : undefined;
      },
      'the hanging runner process',
      30_000,
    );
    expect(alive(pid as number)).toBe(true);

    const status = statusOf(hanging).post;
    const button = { action_id: 'td_bench_cancel', value: cancelButton(status)?.value ?? '' };
    await click('U0BOB', status, button);
    const refusal = await waitFor(() =>
      fake.responses.find((r) => String(r.payload.text).includes('Only the requester')),
    );
    expect(refusal.payload).toMatchObject({ response_type: 'ephemeral' });

    await click('U0ALICE', status, button);
    const cancelled = await waitForStatus(hanging, /Cancelled/, 30_000);
    expect(String(cancelled.last?.args.text)).toContain('by <@U0ALICE>');
    expect(json(cancelled.last?.args.blocks)).toContain('by <@U0ALICE>');
    await waitFor(() => !alive(pid as number), 'the runner to be killed', 15_000);
    expect(runnerChildren()).toEqual([]);
  }, 600_000);

  it('after a restart tells the requester of the interrupted run and resumes the queued one', async () => {
    const file = join(advisor.dir, 'restart.json');
    const base = {
      requester: { userId: `slack:${ADMIN}`, roles: [], channelId: `slack:${CHANNEL}` },
      createdAt: Date.now() - 60_000,
    };
    const runs: BenchRun[] = [
      {
        ...base,
        id: 'b7',
        status: 'running',
        startedAt: Date.now() - 30_000,
        progress: 'mlp · PyTorch · fp32 (1 of 2)',
        request: { workloads: ['mlp'], engines: ['pytorch'] },
        target: { platform: 'slack', data: { channel: CHANNEL, user: ADMIN, statusTs: '1700000000.000100' } },
      },
      {
        ...base,
        id: 'b8',
        status: 'queued',
        request: { workloads: ['mlp'], engines: ['tensorflow'] },
        target: { platform: 'slack', data: { channel: CHANNEL, user: ADMIN } },
      },
    ];
    await writeFile(file, JSON.stringify({ ...emptyState(), benchRuns: runs }));
    await start({ TENSORDUEL_DB_FILE: file, TENSORDUEL_BENCH_FAULT: 'tfjs=hang' }, createStore(file));

    const edit = await waitFor(() =>
      fake.callsTo('chat.update').find((c) => c.args.ts === '1700000000.000100'),
    );
    expect(String(edit.args.text)).toContain('interrupted');
    const told = await waitFor(() =>
      fake.callsTo('chat.postMessage').find((c) => String(c.args.text).includes(`<@${ADMIN}>`)),
    );
    expect(told.args).toMatchObject({ channel: CHANNEL, thread_ts: '1700000000.000100' });
    expect(String(told.args.text)).toContain('b7');
    await waitForStatus('b8', /Running/, 30_000);

    // Stopping the bot cuts b8 off: it is reported as interrupted, and the file says so for the next start.
    await running?.stop();
    running = undefined;
    const saved = await createStore(file).read();
    expect(saved.benchRuns.map((r) => [r.id, r.status])).toEqual([
      ['b7', 'interrupted'],
      ['b8', 'interrupted'],
    ]);
    expect(runnerChildren()).toEqual([]);
  }, 120_000);

  it('tells the requester privately when the status message cannot be posted (bot not in the channel), then posts once invited', async () => {
    await start({ TENSORDUEL_BENCH_FAULT: 'torch=hang' });
    fake.failNext('chat.postMessage', { status: 200, body: '{"ok":false,"error":"not_in_channel"}' });
    const command = await slash(ADMIN, 'bench mlp pytorch');
    const notice = await command.response();
    expect(notice).toMatchObject({ response_type: 'ephemeral' });
    const text = String(notice.text);
    expect(text).toMatch(
      /Benchmark `b\d+` is queued \(position 1\), but I could not post in this channel \(Slack error not_in_channel\)/,
    );
    const id = /`(b\d+)`/.exec(text)?.[1] as string;
    expect(String(notice.text)).toContain('/invite @TensorDuel');
    // "Invited": the next update (the run starting) posts the status message, once.
    await waitForStatus(id, /Running/, 30_000);
    expect(fake.callsTo('chat.postMessage').filter((c) => runIdOf(c) === id && cancelButton(c))).toHaveLength(
      1,
    );
    const cancel = await slash(ADMIN, `cancel ${id}`);
    expect(String((await cancel.response()).text)).toContain(`Cancelling benchmark \`${id}\``);
    await waitForStatus(id, /Cancelled/, 30_000);
  }, 90_000);

  it('offers a Start button on a free-text benchmark request; the click, not the message, queues the run', async () => {
    await start({ TENSORDUEL_BENCH_FAULT: 'torch=hang' });
    const ts = pusher.nextTs();
    await pusher.sendEvent(
      pusher.eventBody({
        type: 'app_mention',
        user: ADMIN,
        channel: CHANNEL,
        text: `<@${SLACK_BOT.userId}> please benchmark mlp on pytorch`,
        ts,
      }),
    );
    const [reply] = await fake.waitForCalls('chat.postMessage', 1);
    const startButton = ((reply?.args.blocks ?? []) as Block[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === 'td_bench_start');
    expect(await storedButton(startButton?.value)).toEqual({
      kind: 'benchStart',
      request: { workloads: ['mlp'], engines: ['pytorch'] },
    });
    const active = (await advisor.handle.store.read()).benchRuns.filter(
      (r) => r.status === 'queued' || r.status === 'running',
    );
    expect(active).toEqual([]);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1); // nothing queued by the message itself

    await click(ADMIN, reply, { action_id: 'td_bench_start', value: startButton?.value ?? '' });
    const status = await waitFor(() => fake.callsTo('chat.postMessage').find((c) => cancelButton(c)));
    expect(status.args.thread_ts).toBe(ts);
    const id = runIdOf(status) as string;
    await waitForStatus(id, /Running/, 30_000);
    const cancel = await slash(ADMIN, `cancel ${id}`);
    expect(String((await cancel.response()).text)).toContain(`Cancelling benchmark \`${id}\``);
    await waitForStatus(id, /Cancelled/, 30_000);
  }, 90_000);
});
