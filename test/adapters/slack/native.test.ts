/**
 * Slack's native surfaces over the wire, with the real Bolt client against the fake Slack: the App Home tab,
 * benchmark results in table blocks (and their code-block fallback), the message shortcut, the benchmark
 * modal and the admin report.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatBench } from '../../../src/adapters/shared/bench.ts';
import type { SlackAdapterOptions } from '../../../src/adapters/slack/SlackAdapter.ts';
import type { BenchResultDoc } from '../../../src/core/bench/result.ts';
import type { WorkloadSpec } from '../../../src/core/bench/workload.ts';
import { BenchQueue } from '../../../src/core/jobs/BenchQueue.ts';
import { buildReport, renderReport } from '../../../src/core/report.ts';
import { type AppState, emptyState } from '../../../src/core/state.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { messageShortcutPayload, SLACK_BOT, viewSubmissionPayload } from '../../fakes/FakeSlack.ts';
import { waitFor } from '../../fakes/util.ts';
import { docWith, syntheticRow, tinyWorkloads } from '../../helpers/bench.ts';
import { FakeEmbedder } from '../../helpers/fake-embedder.ts';
import { MemoryStore } from '../../helpers/memory-store.ts';
import { ScriptedAdvisor } from '../scripted-advisor.ts';
import { checkSlackMessage, SlackHarness } from './harness.ts';

const ADMIN = 'U0ADMIN';
const GUEST = 'U0GUEST';
const CHANNEL = 'C0GENERAL';
/** The first bytes of a PNG: all the fake checks of an upload. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

let workloads: WorkloadSpec[];
beforeAll(async () => {
  workloads = await tinyWorkloads();
});

/** A CPU result with training, inference and matmul rows (three tables). */
function resultDoc(): BenchResultDoc {
  const rows = workloads.flatMap((w) => [
    syntheticRow('tfjs', w, { stepMs: 12, latencyMs: 0.035, largeMs: 11, matmulMs: 60 }),
    syntheticRow('torch', w, { stepMs: 1, latencyMs: 0.047, largeMs: 2, matmulMs: 20 }),
  ]);
  return docWith(rows, { id: 'res-1' });
}

/** A queue that finishes each run at once with {@link resultDoc}; only ADMIN may start runs. */
function instantBench(store: MemoryStore<AppState>): ChatBench {
  const queue = new BenchQueue({
    store,
    executor: { execute: async () => resultDoc() },
    policy: { admins: [`slack:${ADMIN}`], users: [], roles: [], channels: [], ratePerHour: 0, maxRunS: 600 },
    clock: { now: () => Date.now() },
    logger: createLogger({ level: 'silent' }),
  });
  return { queue, workloadIds: async () => workloads.map((w) => w.id), chartPng: async () => PNG };
}

type Block = { type: string; text?: unknown; rows?: Array<Array<{ text: string }>>; elements?: unknown[] };
const blocksOf = (call: { args: Record<string, unknown> } | undefined) =>
  (call?.args.blocks ?? []) as Block[];

describe('Slack native surfaces', () => {
  const harness = new SlackHarness();
  let advisor: ScriptedAdvisor;
  let store: MemoryStore<AppState>;
  let bench: ChatBench | undefined;
  afterEach(async () => {
    await bench?.queue.stop();
    bench = undefined;
    await harness.stop();
  });

  const start = async (extra: Partial<SlackAdapterOptions> = {}, withBench = true) => {
    advisor = new ScriptedAdvisor();
    store = new MemoryStore(emptyState());
    bench = withBench ? instantBench(store) : undefined;
    await harness.start(advisor, createLogger({ level: 'silent' }), {
      ...(bench ? { bench, runs: async () => (await store.read()).benchRuns } : {}),
      ...extra,
    });
    await bench?.queue.start();
  };
  const command = async (user: string, text: string, trigger = `trig-${Math.random()}`) => {
    const responseUrl = harness.fake.responseUrl();
    const res = await harness.pusher.sendCommand({
      text,
      user_id: user,
      channel_id: CHANNEL,
      trigger_id: trigger,
      response_url: responseUrl,
    });
    expect(res.status).toBe(200);
    const id = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
    return {
      trigger,
      responseUrl,
      response: () =>
        waitFor(() => harness.fake.responses.find((r) => r.id === id)?.payload, `response_url post ${id}`),
    };
  };
  const resultPosts = () =>
    harness.fake
      .callsTo('chat.postMessage')
      .filter((c) => blocksOf(c).some((b) => b.type === 'table' || JSON.stringify(b).includes('```')));
  const openHome = async (user: string) => {
    harness.fake.homeViews.delete(user);
    const res = await harness.pusher.sendEvent(
      harness.pusher.eventBody({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' }),
    );
    expect(res.status).toBe(200);
    return waitFor(() => harness.fake.homeViews.get(user), `the Home tab of ${user}`);
  };

  it('posts a result as table blocks, one table a message, with the tables in monospace in the fallback text', async () => {
    await start();
    await command(ADMIN, 'bench mlp');
    await waitFor(
      () => resultPosts().length >= 3 && harness.fake.uploads.length >= 1,
      'the result and chart',
    );
    const posts = resultPosts();
    expect(posts.map((c) => blocksOf(c).filter((b) => b.type === 'table').length)).toEqual([1, 1, 1]);
    const [training] = blocksOf(posts[0]).filter((b) => b.type === 'table');
    expect(training?.rows?.[0]?.map((c) => c.text)).toEqual([
      'Workload',
      'Engine',
      'Prec',
      'Samples/s',
      'p50 ms',
      '1st ms',
    ]);
    expect(blocksOf(posts[0])[0]?.type).toBe('header');
    expect(String(posts[0]?.args.text)).toMatch(/Training[^\n]*\n```\nWorkload +Engine/);
    // Claims close the last message.
    expect(JSON.stringify(blocksOf(posts[2]))).toContain('What this says about the article');
    for (const p of posts) checkSlackMessage(p.args as never);
  });

  it('falls back to code blocks where Slack refuses the table block', async () => {
    await start();
    harness.fake.refusedBlocks.add('table');
    await command(ADMIN, 'bench mlp');
    const post = await waitFor(
      () =>
        harness.fake.callsTo('chat.postMessage').find((c) => JSON.stringify(c.args.blocks).includes('```')),
      'the code-block result',
    );
    expect(blocksOf(post).some((b) => b.type === 'table')).toBe(false);
    expect(JSON.stringify(blocksOf(post))).toContain('Training');
    expect(blocksOf(post)[0]?.type).toBe('header');
  });

  it('publishes the App Home tab: what it can do, the queue, your runs, the last results with their chart', async () => {
    await start();
    const empty = JSON.stringify(await openHome(GUEST));
    expect(empty).toContain('/tensorduel ask');
    expect(empty).toContain('Nothing queued or running.');
    expect(empty).toContain('No benchmark has finished yet.');

    await command(ADMIN, 'bench mlp');
    await waitFor(() => harness.fake.callsTo('files.info').length >= 1, 'the chart link');
    await waitFor(async () => (await store.read()).benchRuns[0]?.status === 'done', 'the run to finish');
    const admin = await openHome(ADMIN);
    expect(admin.type).toBe('home');
    const text = JSON.stringify(admin);
    expect(text).toMatch(/Your recent runs\*\\n• `b1` done: mlp/);
    expect(text).toContain('https://fake.slack.com/files/UBOT/F1/chart.png|Chart');
    expect(text).toContain('`/tensorduel results b1`');
    expect(text).toContain('/tensorduel report'); // admins see the admin commands
    const guest = JSON.stringify(await openHome(GUEST));
    expect(guest).toContain('None yet: try `/tensorduel bench`.');
    expect(guest).toContain('`b1`'); // the last results are everyone's
    expect(guest).not.toContain('/tensorduel report');
    expect((admin.blocks as unknown[]).length).toBeLessThanOrEqual(100);
  });

  it('publishes the Home tab without the runs, saying so, when they cannot be read (Redis down)', async () => {
    const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const logger = {
      ...createLogger({ level: 'silent' }),
      warn: (msg: string, fields?: Record<string, unknown>) => {
        warnings.push({ msg, ...(fields ? { fields } : {}) });
      },
    };
    advisor = new ScriptedAdvisor();
    store = new MemoryStore(emptyState());
    bench = instantBench(store);
    await harness.start(advisor, logger, {
      bench,
      runs: async () => {
        throw new Error('Connection is closed.');
      },
    });
    await bench.queue.start();
    const view = JSON.stringify(await openHome(GUEST));
    expect(view).toContain('/tensorduel ask');
    expect(view).toContain('runs are unavailable right now');
    expect(view).not.toContain('Nothing queued or running.');
    expect(warnings).toContainEqual(
      expect.objectContaining({ msg: expect.stringContaining('benchmark runs unavailable') }),
    );
  });

  it('says in the Home tab where benchmarks from chat are off', async () => {
    await start({}, false);
    const view = JSON.stringify(await openHome(GUEST));
    expect(view).toContain('Benchmarks from chat are off on this host.');
    expect(view).not.toContain('Benchmark queue');
  });

  it("answers the message shortcut in the message's thread, then follows that thread up", async () => {
    await start({}, false);
    const ts = harness.pusher.nextTs();
    const res = await harness.pusher.sendAction(
      messageShortcutPayload({
        callbackId: 'td_ask_message',
        user: GUEST,
        channel: CHANNEL,
        message: { ts, text: '<!here> is pytorch faster for inference?' },
        responseUrl: harness.fake.responseUrl(),
      }),
    );
    expect(res.status).toBe(200);
    const [post] = await harness.fake.waitForCalls('chat.postMessage', 1);
    expect(post?.args).toMatchObject({ channel: CHANNEL, thread_ts: ts });
    expect(advisor.calls[0]).toMatchObject({
      text: 'is pytorch faster for inference?',
      conversationId: `slack:${CHANNEL}:${ts}`,
      userId: `slack:${GUEST}`,
    });
    await harness.pusher.sendEvent(
      harness.pusher.eventBody({
        type: 'message',
        channel_type: 'channel',
        channel: CHANNEL,
        user: GUEST,
        text: 'and for training?',
        ts: harness.pusher.nextTs(),
        thread_ts: ts,
      }),
    );
    await harness.fake.waitForCalls('chat.postMessage', 2);
    expect(advisor.calls[1]).toMatchObject({
      text: 'and for training?',
      conversationId: `slack:${CHANNEL}:${ts}`,
    });
  });

  it('answers the shortcut privately where it cannot post in the channel', async () => {
    await start({}, false);
    harness.fake.failNext('chat.postMessage', { status: 200, body: '{"ok":false,"error":"not_in_channel"}' });
    await harness.pusher.sendAction(
      messageShortcutPayload({
        callbackId: 'td_ask_message',
        user: GUEST,
        channel: 'C0PRIVATE',
        message: {
          ts: '1700000000.000100',
          text: 'which is easier to learn?',
          thread_ts: '1700000000.000001',
        },
        responseUrl: harness.fake.responseUrl(),
      }),
    );
    const [response] = await harness.fake.waitForResponses(1);
    expect(response?.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(response?.payload)).toContain('You said: which is easier to learn?');
    // The conversation is the thread the message is in.
    expect(advisor.calls[0]?.conversationId).toBe('slack:C0PRIVATE:1700000000.000001');
  });

  it('opens the benchmark modal for /tensorduel bench alone, and its submission queues the run picked', async () => {
    await start();
    const { trigger } = await command(ADMIN, 'bench');
    const [open] = await harness.fake.waitForCalls('views.open', 1);
    expect(open?.args.trigger_id).toBe(trigger);
    const view = open?.args.view as {
      callback_id: string;
      private_metadata: string;
      blocks: Array<{ block_id?: string; element?: { options?: Array<{ value: string }> } }>;
    };
    expect(view.callback_id).toBe('td_bench_modal');
    const options = (id: string) =>
      view.blocks.find((b) => b.block_id === id)?.element?.options?.map((o) => o.value);
    expect(options('workloads')).toEqual(workloads.map((w) => w.id));
    expect(options('engines')).toEqual(['tensorflow', 'pytorch', 'onnxruntime']);
    expect(options('device')).toEqual(['auto', 'cpu', 'cuda']);
    expect(await store.read()).toMatchObject({ benchRuns: [] }); // opening queues nothing

    const res = await harness.pusher.sendAction(
      viewSubmissionPayload({
        user: ADMIN,
        view: { callback_id: view.callback_id, private_metadata: view.private_metadata },
        values: {
          workloads: {
            pick: { type: 'multi_static_select', selected_options: [{ value: 'mlp' }, { value: 'evil' }] },
          },
          engines: { pick: { type: 'multi_static_select', selected_options: [{ value: 'pytorch' }] } },
          device: { pick: { type: 'static_select', selected_option: { value: 'cpu' } } },
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe(''); // an empty ack closes the modal
    const run = await waitFor(async () => (await store.read()).benchRuns[0], 'the queued run');
    expect(run?.request).toEqual({ workloads: ['mlp'], engines: ['pytorch'], device: 'cpu' });
    expect(run?.requester).toMatchObject({ userId: `slack:${ADMIN}`, channelId: `slack:${CHANNEL}` });
    const status = await waitFor(
      () => harness.fake.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('b1')),
      'the status message',
    );
    expect(status.args.channel).toBe(CHANNEL);
  });

  it('refuses a modal submission with the same permission checks as the command, privately', async () => {
    await start();
    const { response } = await command(GUEST, 'bench');
    const [open] = await harness.fake.waitForCalls('views.open', 1);
    const view = open?.args.view as { callback_id: string; private_metadata: string };
    await harness.pusher.sendAction(viewSubmissionPayload({ user: GUEST, view, values: {} }));
    const refusal = await response();
    expect(refusal).toMatchObject({ response_type: 'ephemeral' });
    expect(String(refusal.text)).toContain('Only admins can start benchmarks');
    expect((await store.read()).benchRuns).toEqual([]);
  });

  it('says how to run a benchmark without the modal when Slack will not open it', async () => {
    await start();
    harness.fake.failNext('views.open', { status: 200, body: '{"ok":false,"error":"expired_trigger_id"}' });
    const { response } = await command(ADMIN, 'bench');
    const said = await response();
    expect(String(said.text)).toContain(
      'I could not open the benchmark form (Slack error expired_trigger_id)',
    );
    expect(String(said.text)).toContain('/tensorduel bench mlp cnn cpu');
  });

  it('shows admins the report of what users asked, and tells everyone else it is for admins', async () => {
    const state = emptyState();
    state.unanswered.push(
      { at: 1, conversation: 'c1', question: 'does pytorch run on apple m1 chips', reason: 'out-of-scope' },
      { at: 2, conversation: 'c2', question: 'pytorch on apple m1 chips?', reason: 'thumbs-down' },
    );
    state.stats = { byIntent: { faq: { total: 4, answered: 3 } }, topics: {} };
    await start({
      admins: [`slack:${ADMIN}`],
      report: async () => renderReport(await buildReport(state, new FakeEmbedder(), [])),
    });
    const admin = await (await command(ADMIN, 'report')).response();
    expect(admin).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(admin)).toContain('Unanswered or 👎 (2 messages');
    expect(JSON.stringify(admin)).toContain('faq: 3/4 answered (75%)');
    const guest = await (await command(GUEST, 'report')).response();
    expect(String(guest.text)).toContain("`/tensorduel report` is for TensorDuel's admins");
    expect(JSON.stringify(guest)).not.toContain('apple m1');
    const help = JSON.stringify(await (await command(ADMIN, 'help')).response());
    expect(help).toContain('For admins');
    expect(advisor.calls.map((c) => c.text)).toEqual(['help']);
    expect(SLACK_BOT.userId).toBe('UBOT');
  });
});
