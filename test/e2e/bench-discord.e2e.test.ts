/**
 * Benchmarks from Discord, end to end: slash commands and button clicks through the gateway into discord.js,
 * the real queue and the real benchmark runners (tiny settings), and every REST call arriving at the fake.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunningPlatforms } from '../../src/app/start-platforms.ts';
import type { BenchRun } from '../../src/core/jobs/bench-run.ts';
import { emptyState } from '../../src/core/state.ts';
import { createStore } from '../../src/infra/build-advisor.ts';
import { type Actor, DISCORD_IDS, type DiscordRestCall, FakeDiscord } from '../fakes/FakeDiscord.ts';
import { waitFor } from '../fakes/util.ts';
import { FAST_RETRY, SECRETS, useE2EAdvisor } from './boot.ts';
import { alive, runnerChildren } from './runners.ts';

const ADMIN = '500000000000000099';
const MEMBER: Actor = { userId: '500000000000000010', roles: [DISCORD_IDS.role] };
const OTHER_MEMBER: Actor = { userId: '500000000000000011', roles: [DISCORD_IDS.role] };
const STRANGER: Actor = { userId: '500000000000000020', roles: [] };
const TINY = { TENSORDUEL_BENCH_REPEATS: '1', TENSORDUEL_BENCH_STEPS: '2', TENSORDUEL_BENCH_WARMUP: '0' };
/** A hang guard for one tiny run, not a speed check: real runners on a shared, loaded 2-core machine are slow. */
const RUN_TIMEOUT = 300_000;
const CHANNEL_POST = /^POST \/channels\/\d+\/messages$/;
const CHANNEL_EDIT = /^PATCH \/channels\/\d+\/messages\/\d+$/;

interface Body {
  content?: string;
  embeds?: Array<{ title?: string; description?: string; image?: { url: string } }>;
  attachments?: Array<{ id: number; filename: string }>;
  components?: Array<{ components: Array<{ label?: string; custom_id: string }> }>;
}

const body = (c: DiscordRestCall | undefined) => (c?.body ?? {}) as Body;
const runIdOf = (c: DiscordRestCall | undefined) => /benchmark `(b\d+)`/.exec(body(c).content ?? '')?.[1];
const buttonOf = (c: DiscordRestCall | undefined, prefix: string) =>
  body(c)
    .components?.flatMap((r) => r.components)
    .find((b) => b.custom_id.startsWith(prefix));

describe('benchmarks from Discord, end to end', () => {
  let fake: FakeDiscord;
  let running: RunningPlatforms | undefined;

  const advisor = useE2EAdvisor(async () => {
    await running?.stop();
    running = undefined;
    await fake?.close();
  });

  const start = async (env: Record<string, string>, store?: ReturnType<typeof createStore>) => {
    fake = await FakeDiscord.start();
    running = await advisor.start(
      {
        DISCORD_TOKEN: SECRETS.DISCORD_TOKEN,
        DISCORD_API_URL: fake.apiUrl,
        TENSORDUEL_ADMINS: `discord:${ADMIN}`,
        TENSORDUEL_BENCH_ROLES: `discord:${DISCORD_IDS.role}`,
        ...TINY,
        ...env,
      },
      FAST_RETRY,
      store,
    );
  };

  /** Sends a slash command; resolves with the content of its (ephemeral) deferred reply once edited. */
  const command = async (name: string, options: Record<string, string>, actor: Actor) => {
    const { token } = fake.sendCommand(name, options, actor);
    const edit = await waitFor(
      () => fake.callsMatching(new RegExp(`^PATCH /webhooks/\\d+/${token}/messages/@original$`))[0],
      `the reply to /${name}`,
      20_000,
    );
    const deferred = fake.callsMatching(/callback$/).find((c) => c.path.includes(token));
    expect(deferred?.body).toMatchObject({ type: 5, data: { flags: 64 } }); // ephemeral, acknowledged first
    return body(edit).content ?? '';
  };
  const clickAs = async (message: DiscordRestCall | undefined, customId: string, actor: Actor) => {
    const { token } = fake.clickButton(message?.response ?? {}, customId, actor);
    const edit = await waitFor(
      () => fake.callsMatching(new RegExp(`^PATCH /webhooks/\\d+/${token}/messages/@original$`))[0],
      'the reply to the click',
      20_000,
    );
    return body(edit).content ?? '';
  };

  /** A run's status message (the channel post naming it with a Cancel button) and its edits. */
  const statusOf = (runId: string) => {
    const post = fake.callsMatching(CHANNEL_POST).find((c) => runIdOf(c) === runId && buttonOf(c, 'td:bc:'));
    const id = post?.response?.id;
    const edits = fake.callsMatching(CHANNEL_EDIT).filter((c) => c.path.endsWith(`/${String(id)}`));
    return { post, edits, last: edits[edits.length - 1] ?? post };
  };
  const waitForStatus = (runId: string, pattern: RegExp, timeoutMs = RUN_TIMEOUT) =>
    waitFor(
      () => {
        const s = statusOf(runId);
        return s.last && pattern.test(body(s.last).content ?? '') ? s : undefined;
      },
      `status of ${runId} matching ${pattern}`,
      timeoutMs,
    );
  const resultPosts = () =>
    fake
      .callsMatching(CHANNEL_POST)
      .filter((c) => (body(c).embeds ?? []).some((e) => e.title?.includes('benchmark')));

  it('runs /bench for a member with an allowed role: deferred ack, position, edits, embed with the chart attached; refuses others; /results and /compare', async () => {
    await start({ TENSORDUEL_BENCH_RATE_PER_HOUR: '2' });
    expect(await command('bench', { workloads: 'mlp' }, STRANGER)).toContain("You're not allowed");
    expect(await command('bench', { workloads: 'mlp', engines: 'keras' }, MEMBER)).toContain('`keras`');

    const firstReply = await command('bench', { workloads: 'mlp', engines: 'tensorflow' }, MEMBER);
    expect(firstReply).toContain('position 1');
    const first = /`(b\d+)`/.exec(firstReply)?.[1] as string;
    const secondReply = await command(
      'bench',
      { workloads: 'mlp', engines: 'pytorch', device: 'cpu' },
      MEMBER,
    );
    expect(secondReply).toMatch(/Queued .*position 2/);
    const second = /`(b\d+)`/.exec(secondReply)?.[1] as string;
    expect(await command('bench', { workloads: 'mlp' }, MEMBER)).toContain('Rate limit: at most 2');

    const s1 = await waitForStatus(first, /Finished/);
    expect(body(s1.post).content).toContain('position 1');
    expect(s1.post?.path).toBe(`/channels/${DISCORD_IDS.channel}/messages`); // a channel message, not the webhook
    expect(s1.edits.some((e) => /Running/.test(body(e).content ?? ''))).toBe(true);
    expect(body(s1.last).components).toEqual([]); // no Cancel button once finished
    const s2 = await waitForStatus(second, /Finished/);
    expect(body(s2.post).content).toContain('position 2');
    expect(body(s2.post).content).toContain('cpu');

    const results = await waitFor(() => (resultPosts().length >= 2 ? resultPosts() : undefined));
    for (const r of results) {
      expect(r.files?.[0]?.png).toBe(true);
      const filename = body(r).attachments?.[0]?.filename;
      expect(body(r).embeds?.[0]?.image?.url).toBe(`attachment://${filename}`);
      expect(JSON.stringify(body(r).embeds)).toMatch(/article/i);
    }
    expect(JSON.stringify(body(results[1]).embeds)).toContain('PyTorch');
    // Nothing posted twice: per run one status message (and one result, counted above).
    for (const id of [first, second])
      expect(fake.callsMatching(CHANNEL_POST).filter((c) => runIdOf(c) === id)).toHaveLength(1);
    expect(results).toHaveLength(2);

    expect(await command('results', { run: first }, STRANGER)).toContain('Benchmark result');
    await waitFor(() => resultPosts().length >= 3);
    expect(resultPosts()[2]?.files?.[0]?.png).toBe(true);
    expect(await command('compare', { first, second }, STRANGER)).toContain(' vs ');
    const compared = fake.callsMatching(CHANNEL_POST).find((c) => body(c).content?.includes('B/A'));
    expect(body(compared).content).toContain('TensorFlow.js');
    expect(await command('results', { run: 'b999' }, STRANGER)).toContain('No result `b999`');
  }, 600_000);

  it('reports a crashing runner and moves on; the Cancel button kills the next runner (requester or admin only)', async () => {
    await start({ TENSORDUEL_BENCH_FAULT: 'torch=crash,tfjs=hang' });
    const crashing = /`(b\d+)`/.exec(
      await command('bench', { workloads: 'mlp', engines: 'pytorch' }, OTHER_MEMBER),
    )?.[1] as string;
    const hanging = /`(b\d+)`/.exec(
      await command('bench', { workloads: 'mlp', engines: 'tensorflow' }, OTHER_MEMBER),
    )?.[1] as string;

    const final = await waitForStatus(crashing, /❌/);
    expect(body(final.last).content).toContain('no engine produced a result');
    const report = await waitFor(() => resultPosts()[0]);
    expect(JSON.stringify(body(report).embeds)).toMatch(/PyTorch — failed for MLP: .*crashing on purpose/);

    const s = await waitForStatus(hanging, /Running/);
    const [pid] = await waitFor(
      () => (runnerChildren().length > 0 ? runnerChildren() : undefined),
      'the runner',
      30_000,
    );
    const cancel = buttonOf(s.post, 'td:bc:')?.custom_id ?? '';
    expect(await clickAs(s.post, cancel, STRANGER)).toContain('Only the requester or an admin');
    expect(alive(pid as number)).toBe(true);
    expect(await clickAs(s.post, cancel, { userId: ADMIN })).toContain('Cancelling');
    const done = await waitForStatus(hanging, /Cancelled/, 30_000);
    expect(body(done.last).content).toContain(`by <@${ADMIN}>`);
    await waitFor(() => !alive(pid as number), 'the runner to be killed', 15_000);
    expect(runnerChildren()).toEqual([]);
  }, 600_000);

  it('after a restart tells the requester of the interrupted run and resumes the queued one', async () => {
    const file = join(advisor.dir, 'discord-restart.json');
    const base = {
      requester: {
        userId: `discord:${MEMBER.userId}`,
        roles: [],
        channelId: `discord:${DISCORD_IDS.channel}`,
      },
      createdAt: Date.now() - 60_000,
    };
    const statusId = '700000000000000001';
    const runs: BenchRun[] = [
      {
        ...base,
        id: 'b4',
        status: 'running',
        request: { workloads: ['mlp'], engines: ['pytorch'] },
        target: {
          platform: 'discord',
          data: { channel: DISCORD_IDS.channel, user: MEMBER.userId ?? '', statusId },
        },
      },
      {
        ...base,
        id: 'b5',
        status: 'queued',
        request: { workloads: ['mlp'], engines: ['tensorflow'] },
        target: { platform: 'discord', data: { channel: DISCORD_IDS.channel, user: MEMBER.userId ?? '' } },
      },
    ];
    await writeFile(file, JSON.stringify({ ...emptyState(), benchRuns: runs }));
    await start({ TENSORDUEL_BENCH_FAULT: 'tfjs=hang' }, createStore(file));
    const edit = await waitFor(() => fake.callsMatching(CHANNEL_EDIT).find((c) => c.path.endsWith(statusId)));
    expect(body(edit).content).toContain('interrupted');
    const told = await waitFor(() =>
      fake.callsMatching(CHANNEL_POST).find((c) => body(c).content?.includes(`<@${MEMBER.userId}>`)),
    );
    expect(body(told).content).toContain('b4');
    await waitForStatus('b5', /Running/, 30_000);
    await running?.stop();
    running = undefined;
    expect((await createStore(file).read()).benchRuns.map((r) => r.status)).toEqual([
      'interrupted',
      'interrupted',
    ]);
    expect(runnerChildren()).toEqual([]);
  }, 90_000);

  it('offers a Start button on a mentioned benchmark request; the click queues it, /cancel stops it', async () => {
    await start({ TENSORDUEL_BENCH_FAULT: 'torch=hang' });
    fake.sendMessage({ content: 'benchmark mlp on pytorch please', authorId: ADMIN });
    const [reply] = await fake.waitForCalls(CHANNEL_POST, 1);
    const startButton = buttonOf(reply, 'td:bs:');
    expect(startButton?.label).toBe('Start benchmark');
    // The custom_id carries only a key of the button store, which remembers the request (mlp on pytorch).
    expect(startButton?.custom_id).toMatch(/^td:bs:[a-z0-9]+$/);
    const answer = await clickAs(reply, startButton?.custom_id ?? '', { userId: ADMIN });
    const id = /`(b\d+)`/.exec(answer)?.[1] as string;
    expect(answer).toContain('position 1');
    await waitForStatus(id, /Running/, 30_000);
    expect(await command('cancel', { run: id }, { userId: ADMIN })).toContain('Cancelling');
    await waitForStatus(id, /Cancelled/, 30_000);
  }, 90_000);
});
