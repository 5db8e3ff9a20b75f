/**
 * Discord-native features end to end: the real app (startPlatforms, the real advisor, the real benchmark queue
 * and catalogue, the real admin report) driven through the fake Discord's gateway into discord.js.
 */
import { describe, expect, it } from 'vitest';
import { DISCORD_SYNTAX } from '../../src/adapters/shared/command-table.ts';
import { ChatMessages } from '../../src/adapters/shared/messages.ts';
import { adminReport } from '../../src/app/admin-report.ts';
import { type RunningPlatforms, startPlatforms } from '../../src/app/start-platforms.ts';
import { type Actor, DISCORD_IDS, type DiscordRestCall, FakeDiscord } from '../fakes/FakeDiscord.ts';
import { waitFor } from '../fakes/util.ts';
import { FAST_RETRY, SECRETS, useE2EAdvisor } from './boot.ts';
import { runnerChildren } from './runners.ts';

const ADMIN: Actor = { userId: '500000000000000099' };
const MEMBER: Actor = { userId: '500000000000000010', roles: [DISCORD_IDS.role] };
const TINY = { TENSORDUEL_BENCH_REPEATS: '1', TENSORDUEL_BENCH_STEPS: '2', TENSORDUEL_BENCH_WARMUP: '0' };

interface Callback {
  type: number;
  data?: {
    choices?: Array<{ name: string; value: string }>;
    content?: string;
    custom_id?: string;
    components?: Array<{ component?: { custom_id: string; options: Array<{ value: string }> } }>;
  };
}
const callback = (c: DiscordRestCall) => c.body as unknown as Callback;
const text = (c: DiscordRestCall | undefined) => JSON.stringify(c?.body ?? {});

describe('Discord native features, end to end', () => {
  let fake: FakeDiscord;
  let running: RunningPlatforms | undefined;
  const advisor = useE2EAdvisor(async () => {
    await running?.stop();
    running = undefined;
    await fake?.close();
  });

  const start = async (env: Record<string, string> = {}) => {
    fake = await FakeDiscord.start();
    const config = advisor.config({
      DISCORD_TOKEN: SECRETS.DISCORD_TOKEN,
      DISCORD_API_URL: fake.apiUrl,
      TENSORDUEL_ADMINS: `discord:${ADMIN.userId}`,
      TENSORDUEL_BENCH_ROLES: `discord:${DISCORD_IDS.role}`,
      ...TINY,
      ...env,
    });
    const handle = advisor.handle;
    running = await startPlatforms(config, handle.advisor, advisor.logger(config), {
      store: handle.store,
      retry: FAST_RETRY,
      statusIntervalMs: 0,
      // What `npm start` passes (src/cli/start.ts).
      report: adminReport(handle),
    });
  };

  const suggest = async (command: string, focused: { name: string; value: string }, actor: Actor = {}) => {
    const { token } = fake.sendAutocomplete(command, focused, {}, actor);
    const answer = callback(await fake.callbackOf(token));
    expect(answer.type).toBe(8);
    return (answer.data?.choices ?? []).map((c) => c.value);
  };

  it('completes /bench from benchmarks/, queues a run from the form, and suggests it to /cancel', async () => {
    await start({ TENSORDUEL_BENCH_FAULT: 'tfjs=hang,torch=hang' });
    expect(await suggest('bench', { name: 'workloads', value: '' })).toEqual(
      expect.arrayContaining(['mlp', 'cnn', 'transformer', 'matmul']),
    );
    expect(await suggest('bench', { name: 'workloads', value: 'cnn tr' })).toEqual(['cnn transformer']);
    expect(await suggest('bench', { name: 'workloads', value: 'resnet' })).toEqual([]);
    expect(await suggest('bench', { name: 'engines', value: 'torch' })).toEqual(['pytorch']);

    const { token } = fake.sendCommand('bench', {}, MEMBER);
    const form = callback(await fake.callbackOf(token));
    expect(form.type).toBe(9);
    const workloads = form.data?.components?.find((c) => c.component?.custom_id === 'workloads');
    expect(workloads?.component?.options.map((o) => o.value)).toEqual(
      expect.arrayContaining(['mlp', 'cnn', 'transformer', 'matmul']),
    );

    const empty = fake.submitModal('td:bm', { workloads: [], engines: [], device: [] }, MEMBER);
    expect(text(await fake.originalOf(empty.token))).toContain('pick at least one workload');
    const sent = fake.submitModal(
      'td:bm',
      { workloads: ['mlp'], engines: ['pytorch'], device: ['cpu'] },
      MEMBER,
    );
    const queued = text(await fake.originalOf(sent.token));
    const id = /`(b\d+)`/.exec(queued)?.[1] as string;
    expect(queued).toContain('position 1');
    await waitFor(
      () => fake.callsMatching(/^PATCH \/channels\/\d+\/messages\/\d+$/).some((c) => /Running/.test(text(c))),
      'the run to start',
      60_000,
    );
    expect(await suggest('cancel', { name: 'run', value: '' }, MEMBER)).toEqual([id]);
    expect(await suggest('cancel', { name: 'run', value: '' }, { userId: '500000000000000077' })).toEqual([]);
    const cancel = fake.sendCommand('cancel', { run: id }, MEMBER);
    expect(text(await fake.originalOf(cancel.token))).toContain('Cancelling');
    await running?.bench?.queue.whenIdle();
    expect(runnerChildren()).toEqual([]);
    expect(await suggest('cancel', { name: 'run', value: '' }, MEMBER)).toEqual([]);
  }, 120_000);

  it('answers "Ask TensorDuel" on a message with the real advisor, in public', async () => {
    await start();
    const target = fake.userMessage(`@here <@&${DISCORD_IDS.role}> which has the bigger community?`);
    const { token } = fake.sendMessageCommand('Ask TensorDuel', target);
    expect(callback(await fake.callbackOf(token)).type).toBe(5);
    const answer = await fake.originalOf(token);
    expect(text(answer)).toContain('[this message](https://discord.com/channels/');
    expect(text(answer)).not.toContain('outside what I can answer');
    expect((answer.body as { embeds?: Array<{ fields?: unknown[] }> }).embeds?.[0]?.fields?.length).toBe(1);
  });

  it('shows an admin what it could not answer (/report); anyone else is refused', async () => {
    await start();
    fake.sendMessage({ content: 'what is the best pizza topping in naples?' });
    await fake.waitForCalls(/^POST \/channels\/\d+\/messages$/, 1);
    const refused = fake.sendCommand('report', {}, MEMBER);
    expect(callback(await fake.callbackOf(refused.token)).data?.content).toBe(
      new ChatMessages(DISCORD_SYNTAX).notAdmin('report'),
    );
    const { token } = fake.sendCommand('report', {}, ADMIN);
    const report = text(await fake.originalOf(token));
    expect(report).toContain('Unanswered or 👎');
    expect(report).toContain('pizza topping');
    expect(report).toContain('Answer rate by intent');
  });
});
