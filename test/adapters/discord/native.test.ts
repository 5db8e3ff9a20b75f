/**
 * Discord-native features over the wire, through the real discord.js client against the fake Discord:
 * autocomplete (interaction type 4), the "Ask TensorDuel" message command (type 2, command type 3), the `/bench`
 * form (callback type 9, submit type 5), user-installable commands and the admin-only `/report`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DISCORD_COMMANDS } from '../../../src/adapters/discord/commands.ts';
import type { DiscordAdapterOptions } from '../../../src/adapters/discord/DiscordAdapter.ts';
import type { ChatBench } from '../../../src/adapters/shared/bench.ts';
import { DISCORD_SYNTAX } from '../../../src/adapters/shared/command-table.ts';
import { ChatMessages } from '../../../src/adapters/shared/messages.ts';
import { BenchQueue } from '../../../src/core/jobs/BenchQueue.ts';
import type { BenchRun } from '../../../src/core/jobs/bench-run.ts';
import { type AppState, emptyState } from '../../../src/core/state.ts';
import type { IncomingMessage, Reply } from '../../../src/core/types.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { type Actor, DISCORD_IDS, type DiscordRestCall } from '../../fakes/FakeDiscord.ts';
import { waitFor } from '../../fakes/util.ts';
import { docWith } from '../../helpers/bench.ts';
import { MemoryStore } from '../../helpers/memory-store.ts';
import { ScriptedAdvisor } from '../scripted-advisor.ts';
import { DiscordHarness, MESSAGE_WRITES, toSeen } from './harness.ts';

const EPHEMERAL = 64;
const ADMIN = '500000000000000001';
const MEMBER: Actor = { userId: '500000000000000010' };
const STRANGER: Actor = { userId: '500000000000000020' };
const WORKLOADS = ['mlp', 'cnn', 'transformer', 'matmul'];
const messages = new ChatMessages(DISCORD_SYNTAX);

interface Callback {
  type: number;
  data?: {
    choices?: Array<{ name: string; value: string }>;
    content?: string;
    flags?: number;
    custom_id?: string;
    title?: string;
    components?: Array<{
      type: number;
      label?: string;
      component?: { type: number; custom_id: string; options: Array<{ value: string; default?: boolean }> };
    }>;
  };
}
const callback = (c: DiscordRestCall) => c.body as unknown as Callback;
const content = (c: DiscordRestCall | undefined) => String((c?.body as { content?: string })?.content ?? '');

/** The scripted double, answering "benchmark …" as a benchmark request (the core explains what would run). */
class BenchAdvisor extends ScriptedAdvisor {
  override async handle(message: IncomingMessage): Promise<Reply> {
    const reply = await super.handle(message);
    return message.text.startsWith('benchmark') ? { ...reply, intent: 'benchmark' } : reply;
  }
}

/** A run as the queue stores it. */
function run(id: string, status: BenchRun['status'], by: string, extra: Partial<BenchRun> = {}): BenchRun {
  return {
    id,
    status,
    requester: { userId: `discord:${by}`, roles: [], channelId: `discord:${DISCORD_IDS.channel}` },
    request: { workloads: ['mlp'], engines: ['pytorch'], device: 'cpu' },
    target: { platform: 'discord', data: { channel: DISCORD_IDS.channel } },
    createdAt: Number(id.slice(1)) * 1000,
    ...extra,
  };
}

describe('Discord native features', () => {
  const harness = new DiscordHarness();
  let advisor: ScriptedAdvisor;
  let store: MemoryStore<AppState>;
  let reports: number;

  /** Benchmarks on an in-memory queue whose runs never finish by themselves; MEMBER may run 1 an hour. */
  const bench = (): ChatBench => {
    const queue = new BenchQueue({
      store,
      executor: {
        execute: (_request, { signal }) =>
          new Promise((resolve) => {
            const cut = () => resolve(docWith([], { id: 'res-x', completed: false }));
            if (signal.aborted) cut();
            else signal.addEventListener('abort', cut);
          }),
      },
      policy: {
        admins: [`discord:${ADMIN}`],
        users: [`discord:${MEMBER.userId}`],
        roles: [],
        channels: [],
        ratePerHour: 1,
        maxRunS: 600,
      },
      clock: { now: () => Date.now() },
      logger: createLogger({ level: 'silent' }),
    });
    return { queue, workloadIds: async () => WORKLOADS, chartPng: async () => undefined };
  };

  const start = async (extra: Partial<DiscordAdapterOptions> = {}, runs: BenchRun[] = []) => {
    advisor = new BenchAdvisor();
    store = new MemoryStore({
      ...emptyState(),
      benchRuns: runs,
      benchmarkResults: runs.flatMap((r) => (r.resultId ? [docWith([], { id: r.resultId })] : [])),
    });
    reports = 0;
    await harness.start(advisor, createLogger({ level: 'silent' }), {
      bench: bench(),
      runs: async () => store.data.benchRuns,
      admins: [`discord:${ADMIN}`],
      report: async () => {
        reports++;
        return '**Unanswered or 👎 (2 messages, 1 groups shown)**\n- 2× "does it run on my toaster?"';
      },
      ...extra,
    });
  };
  afterEach(() => harness.stop());

  /** The choices of an autocomplete request while `focused` is typed. */
  const suggest = async (
    command: string,
    focused: { name: string; value: string },
    actor: Actor = {},
  ): Promise<string[]> => {
    const { token } = harness.fake.sendAutocomplete(command, focused, {}, actor);
    const answer = callback(await harness.fake.callbackOf(token));
    expect(answer.type).toBe(8); // APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    const choices = answer.data?.choices ?? [];
    expect(choices.length).toBeLessThanOrEqual(25);
    for (const c of choices) expect(c.name.length).toBeLessThanOrEqual(100);
    return choices.map((c) => c.value);
  };

  /** Sends a command and resolves with the text of its (deferred) reply. */
  const command = async (name: string, options: Record<string, string>, actor: Actor = {}) => {
    const { token } = harness.fake.sendCommand(name, options, actor);
    return content(await harness.fake.originalOf(token));
  };

  describe('autocomplete', () => {
    it('completes /bench workloads and engines from the catalogue, word by word', async () => {
      await start();
      expect(await suggest('bench', { name: 'workloads', value: '' })).toEqual(WORKLOADS);
      expect(await suggest('bench', { name: 'workloads', value: 'mlp c' })).toEqual(['mlp cnn']);
      expect(await suggest('bench', { name: 'workloads', value: 'mlp ' })).toEqual([
        'mlp cnn',
        'mlp transformer',
        'mlp matmul',
      ]);
      expect(await suggest('bench', { name: 'engines', value: 'tor' })).toEqual(['pytorch']);
      expect(await suggest('bench', { name: 'engines', value: 'tensorflow ' })).toEqual([
        'tensorflow pytorch',
        'tensorflow onnxruntime',
      ]);
    });

    it('suggests nothing for an unknown workload, and the command then names the valid ones', async () => {
      await start();
      expect(await suggest('bench', { name: 'workloads', value: 'resnet' })).toEqual([]);
      expect(await suggest('bench', { name: 'workloads', value: 'resnet m' })).toEqual([]);
      const answer = await command('bench', { workloads: 'resnet' }, MEMBER);
      expect(answer).toContain("I don't know `resnet`");
      expect(answer).toContain('`mlp`');
      expect(store.data.benchRuns).toEqual([]);
    });

    it('suggests run ids, most recent first: results with a result, cancel only your own active ones (an admin: all)', async () => {
      const memberId = MEMBER.userId as string;
      await start({}, [
        run('b1', 'done', memberId, { resultId: 'r1' }),
        run('b2', 'queued', memberId),
        run('b3', 'running', STRANGER.userId as string),
        run('b4', 'failed', memberId, { resultId: 'r4' }),
        run('b5', 'cancelled', memberId),
      ]);
      expect(await suggest('results', { name: 'run', value: '' })).toEqual(['last', 'b4', 'b1']);
      expect(await suggest('compare', { name: 'first', value: 'b' })).toEqual(['b4', 'b1']);
      expect(await suggest('compare', { name: 'second', value: 'b1' })).toEqual(['b1']);
      expect(await suggest('cancel', { name: 'run', value: '' }, MEMBER)).toEqual(['b2']);
      expect(await suggest('cancel', { name: 'run', value: '' }, { userId: ADMIN })).toEqual(['b3', 'b2']);
      // What the choice shows: the run's request and its state.
      const { token } = harness.fake.sendAutocomplete('cancel', { name: 'run', value: 'b2' }, {}, MEMBER);
      expect(callback(await harness.fake.callbackOf(token)).data?.choices?.[0]?.name).toBe(
        'b2 · mlp · pytorch · cpu · queued',
      );
    });

    it('caps run ids at 25, newest first, and filters by what was typed', async () => {
      const runs = Array.from({ length: 40 }, (_, i) =>
        run(`b${i + 1}`, 'done', MEMBER.userId as string, { resultId: `r${i + 1}` }),
      );
      await start({}, runs);
      const all = await suggest('compare', { name: 'first', value: '' });
      expect(all).toHaveLength(25);
      expect(all[0]).toBe('b40');
      expect(all[24]).toBe('b16');
      expect(await suggest('compare', { name: 'first', value: 'b3' })).toEqual([
        'b39',
        'b38',
        'b37',
        'b36',
        'b35',
        'b34',
        'b33',
        'b32',
        'b31',
        'b30',
        'b3',
      ]);
    });

    it('suggests nothing for a stale run id; the commands say so kindly', async () => {
      await start({}, [run('b1', 'done', MEMBER.userId as string, { resultId: 'r1' })]);
      expect(await suggest('results', { name: 'run', value: 'b9' })).toEqual([]);
      expect(await suggest('cancel', { name: 'run', value: 'b1' }, MEMBER)).toEqual([]); // ended: not cancellable
      expect(await command('cancel', { run: 'b1' }, MEMBER)).toBe('Benchmark `b1` already ended (done).');
      expect(await command('cancel', { run: 'b9' }, MEMBER)).toBe('There is no benchmark `b9`.');
      expect(await command('results', { run: 'b9' }, MEMBER)).toBe(
        'No result `b9`. Recent runs with results: b1.',
      );
    });

    it('answers autocomplete with no choices when the runs cannot be read (the queue store down)', async () => {
      await start({
        runs: async () => {
          throw new Error('redis down');
        },
      });
      expect(await suggest('results', { name: 'run', value: 'b' })).toEqual([]);
    });

    it('answers autocomplete with no choices when benchmarks are off', async () => {
      await start({ bench: undefined });
      expect(await suggest('bench', { name: 'workloads', value: 'm' })).toEqual([]);
    });
  });

  describe('the Ask TensorDuel message command', () => {
    it("answers the target message's text in public, linking to it, without its mentions", async () => {
      await start();
      const target = harness.fake.userMessage(`@everyone <@&${DISCORD_IDS.role}> is pytorch faster?`);
      const { token } = harness.fake.sendMessageCommand('Ask TensorDuel', target);
      const deferred = callback(await harness.fake.callbackOf(token));
      expect(deferred.type).toBe(5);
      expect(deferred.data?.flags ?? 0).toBe(0); // public, like /ask
      const answer = toSeen(await harness.fake.originalOf(token)).text;
      expect(advisor.calls.map((c) => c.text)).toEqual(['is pytorch faster?']);
      expect(answer).toContain('You said: is pytorch faster?');
      expect(answer).toContain(
        `[this message](https://discord.com/channels/${DISCORD_IDS.guild}/${DISCORD_IDS.channel}/${String(target.id)})`,
      );
    });

    it("quotes the message's text escaped and on one line, so a code fence or heading in it stays text", async () => {
      await start();
      const target = harness.fake.userMessage('is [tf](https://evil.example) faster?\n# yes\n```x```');
      const { token } = harness.fake.sendMessageCommand('Ask TensorDuel', target);
      const answer = toSeen(await harness.fake.originalOf(token)).text;
      const quote = answer.slice(answer.indexOf('“'), answer.indexOf('”') + 1);
      expect(quote).not.toContain('\n');
      expect(quote).toContain('\\`\\`\\`x');
      expect(quote).not.toMatch(/(^|[^\\])```/);
      expect(answer).not.toContain('[tf](https://evil.example)');
    });

    it('continues the conversation when asked about one of its own answers', async () => {
      await start();
      const question = harness.fake.sendMessage({ content: 'hello there' });
      const [answer] = await harness.fake.waitForCalls(MESSAGE_WRITES, 1);
      const { token } = harness.fake.sendMessageCommand('Ask TensorDuel', answer?.response ?? {});
      await harness.fake.originalOf(token);
      expect(advisor.calls).toHaveLength(2);
      expect(advisor.calls[1]?.conversationId).toBe(advisor.calls[0]?.conversationId);
      expect(advisor.calls[0]?.conversationId).toBe(`discord:${DISCORD_IDS.channel}:${question}`);
      expect(advisor.calls[1]?.text).toContain('You said: hello there');
    });

    it('says so, only to the user, when the message has no text', async () => {
      await start();
      const target = harness.fake.userMessage('', {
        attachments: [
          { id: '1', filename: 'chart.png', size: 10, url: 'https://x/1', proxy_url: 'https://x/1' },
        ],
      });
      const { token } = harness.fake.sendMessageCommand('Ask TensorDuel', target);
      const reply = callback(await harness.fake.callbackOf(token));
      expect(reply).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
      expect(reply.data?.content).toContain('no text I can read');
      expect(advisor.calls).toEqual([]);
    });
  });

  describe('the /bench form', () => {
    const formOf = async (token: string) => {
      const shown = callback(await harness.fake.callbackOf(token));
      expect(shown.type).toBe(9); // MODAL
      const fields: Record<string, Array<{ value: string; default?: boolean }>> = Object.fromEntries(
        (shown.data?.components ?? []).map((l) => [l.component?.custom_id, l.component?.options ?? []]),
      );
      return { shown, fields };
    };
    const submit = async (fields: Record<string, string[]>, actor: Actor = MEMBER) => {
      const { token } = harness.fake.submitModal('td:bm', fields, actor);
      const deferred = callback(await harness.fake.callbackOf(token));
      expect(deferred).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
      return content(await harness.fake.originalOf(token));
    };

    it('opens for /bench without options, with the catalogue as picks, and queues what was picked', async () => {
      await start();
      const { token } = harness.fake.sendCommand('bench', {}, MEMBER);
      const { shown, fields } = await formOf(token);
      expect(shown.data?.custom_id).toBe('td:bm');
      expect(shown.data?.components?.map((c) => [c.type, c.label])).toEqual([
        [18, 'Workloads'],
        [18, 'Engines'],
        [18, 'Device'],
      ]);
      expect(fields.workloads?.map((o) => o.value)).toEqual(WORKLOADS);
      expect(fields.engines?.map((o) => o.value)).toEqual(['tensorflow', 'pytorch', 'onnxruntime']);
      expect(fields.device?.map((o) => o.value)).toEqual(['auto', 'cpu', 'cuda']);
      expect(advisor.calls).toEqual([]); // the form, not an answer

      const answer = await submit({ workloads: ['mlp', 'cnn'], engines: ['pytorch'], device: ['cpu'] });
      expect(answer).toContain('position 1');
      expect(store.data.benchRuns.map((r) => [r.id, r.request])).toEqual([
        ['b1', { workloads: ['mlp', 'cnn'], engines: ['pytorch'], device: 'cpu' }],
      ]);
      // The status message goes to the channel the form was sent from.
      await harness.fake.waitForCalls(/^POST \/channels\/\d+\/messages$/, 1);
    });

    it('refuses a form with nothing picked, a forged pick, a stranger and a second run within the hour', async () => {
      await start();
      expect(await submit({ workloads: [], engines: [], device: [] })).toContain(
        'pick at least one workload',
      );
      expect(await submit({ engines: ['pytorch'] })).toContain('pick at least one workload');
      expect(await submit({ workloads: ['mlp', 'rm -rf'], engines: [], device: [] })).toContain(
        "I don't know `rm`",
      );
      expect(await submit({ workloads: ['mlp'], engines: [], device: [] }, STRANGER)).toContain(
        "You're not allowed",
      );
      expect(store.data.benchRuns).toEqual([]);
      expect(await submit({ workloads: ['mlp'], engines: [], device: [] })).toContain('position 1');
      expect(await submit({ workloads: ['cnn'], engines: [], device: [] })).toContain('Rate limit');
      expect(store.data.benchRuns).toHaveLength(1);
    });

    /** The workloads, engines and device picked in the form the interaction `token` was answered with. */
    const pickedIn = async (token: string) => {
      const { fields } = await formOf(token);
      const picked = (f: string) => (fields[f] ?? []).filter((o) => o.default).map((o) => o.value);
      return [picked('workloads'), picked('engines'), picked('device')];
    };

    it('opens from "Choose options…" under a benchmark request, with its words picked', async () => {
      await start();
      harness.fake.sendMessage({ content: 'benchmark cnn on torch with the gpu' });
      const [reply] = await harness.fake.waitForCalls(MESSAGE_WRITES, 1);
      const button = toSeen(reply as DiscordRestCall).buttons.find((b) => b.label === 'Choose options…');
      // Only a key of the button store, which remembers the request (as for every button of ours).
      expect(button?.id).toMatch(/^td:bo:[a-z0-9]+$/);
      const { token } = harness.fake.clickButton(reply?.response ?? {}, button?.id ?? '', MEMBER);
      expect(await pickedIn(token)).toEqual([['cnn'], ['pytorch'], ['cuda']]);
    });

    it('still opens from a "Choose options…" button of an earlier version, whose custom_id held the words', async () => {
      await start();
      harness.fake.sendMessage({ content: 'benchmark cnn on torch with the gpu' });
      const [reply] = await harness.fake.waitForCalls(MESSAGE_WRITES, 1);
      const { token } = harness.fake.clickButton(reply?.response ?? {}, 'td:bo:cnn|pytorch|cuda', MEMBER);
      expect(await pickedIn(token)).toEqual([['cnn'], ['pytorch'], ['cuda']]);
    });

    it('says a benchmark button whose key it does not know has expired', async () => {
      await start();
      harness.fake.sendMessage({ content: 'benchmark cnn on torch with the gpu' });
      const [reply] = await harness.fake.waitForCalls(MESSAGE_WRITES, 1);
      const { token } = harness.fake.clickButton(reply?.response ?? {}, 'td:bs:unknownkey0', MEMBER);
      const answer = callback(await harness.fake.callbackOf(token));
      expect(answer).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
      expect(answer.data?.content).toContain('expired');
    });

    it('says a form it does not know has expired', async () => {
      await start();
      const { token } = harness.fake.submitModal('td:old-form', { x: ['y'] });
      const reply = callback(await harness.fake.callbackOf(token));
      expect(reply).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
      expect(reply.data?.content).toContain('expired');
    });
  });

  describe('user-installable commands', () => {
    it('registers /ask, /recommend, /help and Ask TensorDuel everywhere, benchmarks and /report in servers only', () => {
      const where = Object.fromEntries(
        DISCORD_COMMANDS.map((c) => [
          c.name,
          [
            c.integration_types,
            c.contexts,
            'default_member_permissions' in c ? c.default_member_permissions : null,
          ],
        ]),
      );
      const everywhere = [[0, 1], [0, 1, 2], null];
      const servers = [[0], [0], null];
      expect(where).toEqual({
        ask: everywhere,
        recommend: everywhere,
        help: everywhere,
        'Ask TensorDuel': everywhere,
        bench: servers,
        cancel: servers,
        results: servers,
        compare: servers,
        report: [[0], [0], '0'],
      });
      const options = (name: string) =>
        Object.fromEntries(
          (
            (DISCORD_COMMANDS.find((c) => c.name === name) as { options?: Array<Record<string, unknown>> })
              .options ?? []
          ).map((o) => [o.name, o.autocomplete === true ? 'autocomplete' : o.choices ? 'choices' : '-']),
        );
      expect(options('bench')).toEqual({
        workloads: 'autocomplete',
        engines: 'autocomplete',
        device: 'choices',
      });
      expect(options('compare')).toEqual({ first: 'autocomplete', second: 'autocomplete' });
      expect(options('results')).toEqual({ run: 'autocomplete' });
      expect(options('cancel')).toEqual({ run: 'autocomplete' });
      expect(DISCORD_COMMANDS.find((c) => c.name === 'Ask TensorDuel')?.type).toBe(3);
    });

    it('answers /ask in a DM between users and in a server without the bot, offering no benchmark there', async () => {
      await start();
      for (const place of ['private', 'user-install', 'bot-dm', 'guild'] as const) {
        const { token } = harness.fake.sendCommand(
          'ask',
          { question: 'which trains faster here?' },
          { place },
        );
        const answer = toSeen(await harness.fake.originalOf(token));
        expect(answer.text).toContain('nothing was measured');
        const offered = answer.buttons.some((b) => b.label === 'Start benchmark');
        // Only where the bot is installed can it post the run's status and result.
        expect([place, offered]).toEqual([place, place === 'guild' || place === 'bot-dm']);
      }
      harness.fake.sendCommand('help', {}, { place: 'private' });
      await harness.fake.waitForCalls(/@original$/, 5);
      // Everything went through the interaction webhook: nothing was posted to a channel.
      expect(harness.fake.callsMatching(/^POST \/channels\//)).toEqual([]);
    });
  });

  describe('/report', () => {
    it('shows the report to an admin only to them; refuses everyone else kindly without building it', async () => {
      await start();
      const { token: refused } = harness.fake.sendCommand('report', {}, MEMBER);
      const refusal = callback(await harness.fake.callbackOf(refused));
      expect(refusal).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
      expect(refusal.data?.content).toBe(messages.notAdmin('report'));
      expect(reports).toBe(0);

      const { token } = harness.fake.sendCommand('report', {}, { userId: ADMIN });
      expect(callback(await harness.fake.callbackOf(token))).toMatchObject({
        type: 5,
        data: { flags: EPHEMERAL },
      });
      expect(content(await harness.fake.originalOf(token))).toContain('does it run on my toaster?');
      expect(reports).toBe(1);
    });

    it('sends a long report as ephemeral follow-ups within 2000 characters', async () => {
      const long = Array.from(
        { length: 120 },
        (_, i) => `- ${i + 1}× "question number ${i + 1} about something"`,
      );
      await start({ report: async () => ['**Unanswered or 👎**', ...long].join('\n') });
      const { token } = harness.fake.sendCommand('report', {}, { userId: ADMIN });
      await harness.fake.originalOf(token);
      const followUps = await waitFor(() => {
        const all = harness.fake.callsMatching(new RegExp(`^POST /webhooks/\\d+/${token}$`));
        return all.some((c) => content(c).includes('question number 120')) && all;
      }, 'the last follow-up');
      for (const c of followUps) {
        expect(content(c).length).toBeLessThanOrEqual(2000);
        expect((c.body as { flags?: number }).flags).toBe(EPHEMERAL);
      }
    });

    it('says so when the report cannot be built or is not available on this host', async () => {
      await start({
        report: async () => {
          throw new Error('encoder gone');
        },
      });
      const { token } = harness.fake.sendCommand('report', {}, { userId: ADMIN });
      expect(content(await harness.fake.originalOf(token))).toBe(
        'Sorry, I could not build the report just now. Please try again later.',
      );
      await harness.stop();
      await start({ report: undefined });
      const { token: none } = harness.fake.sendCommand('report', {}, { userId: ADMIN });
      expect(callback(await harness.fake.callbackOf(none)).data?.content).toBe(
        'The report is not available on this TensorDuel host.',
      );
    });
  });
});
