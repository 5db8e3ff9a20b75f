/**
 * Benchmarks from Slack: `/tensorduel bench|cancel|results|compare`, the Cancel and Start buttons, the live
 * status message (chat.postMessage, then chat.update) and the result (Block Kit tables + chart upload).
 */
import type { App, types } from '@slack/bolt';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import type { BenchNotifier } from '../../core/jobs/BenchQueue.ts';
import type { BenchRequester, BenchRun } from '../../core/jobs/bench-run.ts';
import { type ChatBenchRequest, parseBenchText, parseBenchWords } from '../../core/jobs/bench-words.ts';
import type { Logger } from '../../core/ports.ts';
import { type ButtonAction, type ButtonStore, sanitizeBenchRequest } from '../shared/ButtonStore.ts';
import { type BenchCommand, type ChatBench, compareStored, partialNote } from '../shared/bench.ts';
import { platformId } from '../shared/conversation-id.ts';
import { postJson } from '../shared/http.ts';
import type { ChatMessages } from '../shared/messages.ts';
import { DeliveryError, type PlatformCall } from '../shared/retry.ts';
import { StatusMessages } from '../shared/StatusMessages.ts';
import { benchModal, readBenchModal } from './bench-modal.ts';
import { ChartLinks } from './ChartLinks.ts';
import { classifySlackError } from './classify.ts';
import { escapeMrkdwn, type SlackMessage, toMrkdwn } from './render.ts';
import { renderResultMessages } from './result-blocks.ts';

/** action_ids of the benchmark buttons. */
export const BENCH_ACTIONS = { cancel: 'td_bench_cancel', start: 'td_bench_start' } as const;

/** Where a command was typed. */
export interface SlackCommandContext {
  userId: string;
  channelId: string;
  responseUrl: string;
  /** The command's trigger_id: `bench` with no arguments opens the modal with it. */
  triggerId?: string;
}

/** The Slack side of chat benchmarks; the adapter forwards commands and clicks, the queue calls back. */
export class SlackBench implements BenchNotifier {
  readonly #bench: ChatBench;
  readonly #client: App['client'];
  readonly #logger: Logger;
  readonly #call: PlatformCall;
  readonly #status: StatusMessages;
  readonly #messages: ChatMessages;
  readonly #buttons: ButtonStore;
  readonly #charts: ChartLinks;
  readonly #runs: (() => Promise<readonly BenchRun[]>) | undefined;
  /** Runs whose status message could not be posted, with the reason. */
  readonly #unposted = new Map<string, string>();

  constructor(options: {
    bench: ChatBench;
    client: App['client'];
    logger: Logger;
    /** The adapter's API caller (retries and logs). */
    call: PlatformCall;
    /** The adapter's catalog, spelled with its slash command. */
    messages: ChatMessages;
    /** The adapter's button codec (Start and Cancel carry a key of it). */
    buttons: ButtonStore;
    /** Where uploaded charts are (for the App Home tab); in memory without it. */
    charts?: ChartLinks;
    /** The runs the queue knows (for the App Home tab). */
    runs?: (() => Promise<readonly BenchRun[]>) | undefined;
  }) {
    this.#bench = options.bench;
    this.#client = options.client;
    this.#logger = options.logger;
    this.#call = options.call;
    this.#messages = options.messages;
    this.#buttons = options.buttons;
    this.#charts = options.charts ?? new ChartLinks();
    this.#runs = options.runs;
    this.#status = new StatusMessages({
      idKey: 'statusTs',
      ops: {
        post: async (run, text, active) => {
          try {
            const blocks = await this.#statusBlocks(run, text, active);
            const res = (await this.#call('chat.postMessage', () =>
              this.#client.chat.postMessage({
                ...this.#where(run),
                text: mentions(escapeMrkdwn(text)),
                blocks,
              }),
            )) as { ts?: string };
            this.#unposted.delete(run.id);
            return res.ts ?? '';
          } catch (err) {
            // Kept for #submit: a slash command works in channels the bot is not a member of.
            this.#unposted.set(
              run.id,
              err instanceof DeliveryError ? err.reason : classifySlackError(err).reason,
            );
            throw err;
          }
        },
        edit: async (run, ts, text, active) => {
          const blocks = await this.#statusBlocks(run, text, active);
          await this.#call('chat.update', () =>
            this.#client.chat.update({
              channel: run.target.data.channel ?? '',
              ts,
              text: mentions(escapeMrkdwn(text)),
              blocks,
            }),
          );
        },
      },
    });
  }

  /** BenchNotifier: creates or edits the run's status message; tells the requester when a restart cut it off. */
  async status(run: BenchRun, text: string): Promise<void> {
    if (run.status !== 'queued' && run.status !== 'running') this.#unposted.delete(run.id);
    await this.#status.show(run, mentions(this.#messages.interruptedStatus(run, this.#messages.relay(text))));
    if (run.status === 'interrupted' && run.target.data.user) {
      const notice = `<@${run.target.data.user}> ${this.#messages.interruptedNotice(run)}`;
      await this.#call('chat.postMessage', () =>
        this.#client.chat.postMessage({
          channel: run.target.data.channel ?? '',
          thread_ts: run.target.data.thread ?? run.target.data.statusTs ?? '',
          text: notice,
        }),
      );
    }
  }

  /** BenchNotifier: posts the tables and claim checks, then uploads the chart. */
  async result(run: BenchRun, doc: BenchResultDoc): Promise<void> {
    await this.#postResult(run.target.data.channel ?? '', run.target.data.thread, doc);
  }

  /** Handles `/tensorduel bench|cancel|results|compare <args>`. */
  async command(sub: BenchCommand, args: string, ctx: SlackCommandContext): Promise<void> {
    const requester = this.#requester(ctx.userId, ctx.channelId);
    const words = args.split(/\s+/).filter(Boolean);
    switch (sub) {
      case 'bench': {
        if (args.trim() === '' && ctx.triggerId) return this.#openModal(ctx.triggerId, ctx);
        const parsed = parseBenchWords(args, await this.#bench.workloadIds());
        if (!parsed.ok) return this.#ephemeral(ctx.responseUrl, parsed.message);
        return this.#submit(
          requester,
          parsed.request,
          { channel: ctx.channelId, user: ctx.userId },
          ctx.responseUrl,
        );
      }
      case 'cancel': {
        const answer = await this.#bench.queue.cancel(words[0], requester);
        return this.#ephemeral(ctx.responseUrl, answer.message);
      }
      case 'results': {
        const answer = await this.#bench.queue.result(words[0]);
        if (!answer.ok) return this.#ephemeral(ctx.responseUrl, answer.message);
        await this.#postResult(ctx.channelId, undefined, answer.value);
        return;
      }
      case 'compare': {
        if (!words[0] || !words[1]) return this.#ephemeral(ctx.responseUrl, this.#messages.compareNeedsTwo());
        const answer = await compareStored(this.#bench.queue, words[0], words[1]);
        if (!answer.ok) return this.#ephemeral(ctx.responseUrl, answer.message);
        const body = `*${escapeMrkdwn(answer.title)}*\n\`\`\`\n${escapeMrkdwn(answer.table)}\n\`\`\``;
        await this.#call('chat.postMessage', () =>
          this.#client.chat.postMessage({
            channel: ctx.channelId,
            text: escapeMrkdwn(answer.title),
            blocks: [
              { type: 'section', text: { type: 'mrkdwn', text: body.slice(0, 3000) } },
              {
                type: 'context',
                elements: answer.notes.map((n) => ({ type: 'mrkdwn' as const, text: escapeMrkdwn(n) })),
              },
            ],
          }),
        );
        return;
      }
    }
  }

  /** The Start button for a free-text benchmark request: the click, not the message, queues the run. */
  async startButton(text: string): Promise<types.KnownBlock> {
    const request = parseBenchText(text, await this.#bench.workloadIds());
    return {
      type: 'actions',
      block_id: 'td_bench',
      elements: [
        {
          type: 'button',
          action_id: BENCH_ACTIONS.start,
          style: 'primary',
          text: { type: 'plain_text', text: 'Start benchmark' },
          value: this.#buttons.encode({ kind: 'benchStart', request }),
        },
      ],
    };
  }

  /** Handles a click on Cancel or Start benchmark. */
  async click(
    actionId: string,
    value: string | undefined,
    body: {
      user: { id: string };
      channel?: { id: string };
      message?: { ts?: string; thread_ts?: string };
      response_url?: string;
    },
  ): Promise<void> {
    const channel = body.channel?.id ?? '';
    const requester = this.#requester(body.user.id, channel);
    const url = body.response_url;
    const action = (await this.#buttons.lookup(value)) ?? legacyBenchAction(actionId, value);
    if (!action || action.kind !== (actionId === BENCH_ACTIONS.cancel ? 'benchCancel' : 'benchStart')) {
      if (url) await this.#ephemeral(url, this.#messages.expiredButton);
      return;
    }
    if (action.kind === 'benchCancel') {
      const answer = await this.#bench.queue.cancel(action.runId, requester);
      // Success shows in the status message itself; only a refusal needs its own answer.
      if (!answer.ok && url) await this.#ephemeral(url, answer.message);
      return;
    }
    if (action.kind !== 'benchStart') return;
    const thread = body.message?.thread_ts;
    await this.#submit(
      requester,
      action.request,
      { channel, user: body.user.id, ...(thread ? { thread } : {}) },
      url,
    );
  }

  /** The status message's blocks; its Cancel button's key (the same on every edit) is on disk before it shows. */
  async #statusBlocks(run: BenchRun, text: string, active: boolean): Promise<types.KnownBlock[]> {
    const blocks = statusBlocks(
      run,
      text,
      active,
      this.#buttons.encode({ kind: 'benchCancel', runId: run.id }),
    );
    await this.#buttons.flush();
    return blocks;
  }

  /** `/tensorduel bench` alone: the modal with the workloads, engines and devices to pick from. */
  async #openModal(triggerId: string, ctx: SlackCommandContext): Promise<void> {
    const view = benchModal(await this.#bench.workloadIds(), {
      channel: ctx.channelId,
      responseUrl: ctx.responseUrl,
    });
    try {
      await this.#call('views.open', () => this.#client.views.open({ trigger_id: triggerId, view }));
    } catch (err) {
      // A trigger lives 3 s: if it expired, say how to run it without the modal.
      const reason = err instanceof DeliveryError ? err.reason : classifySlackError(err).reason;
      this.#logger.warn('slack: could not open the benchmark modal', { platform: 'slack', reason });
      await this.#ephemeral(
        ctx.responseUrl,
        `I could not open the benchmark form (${reason}). Name what to run instead, e.g. ${this.#messages.command('bench', 'mlp cnn cpu')}.`,
      );
    }
  }

  /**
   * The modal's submission: queued through the same queue, so the same permission and rate checks apply; a
   * refusal is said privately where the command was typed.
   */
  async submitModal(
    user: string,
    view: { state?: { values?: unknown }; private_metadata?: string },
  ): Promise<void> {
    const { request, context } = readBenchModal(view, await this.#bench.workloadIds());
    if (!context) {
      this.#logger.warn('slack: benchmark form without its context ignored', { platform: 'slack' });
      return;
    }
    await this.#submit(
      this.#requester(user, context.channel),
      request,
      { channel: context.channel, user },
      context.responseUrl,
    );
  }

  /** True for an admin of the benchmark queue's policy. */
  isAdmin(userId: string): boolean {
    return this.#bench.queue.isAdmin(userId);
  }

  /** Every run the queue knows (App Home); empty when the queue cannot list them. */
  async runs(): Promise<readonly BenchRun[]> {
    return this.#runs ? await this.#runs() : [];
  }

  /** A stored result, for the App Home tab. */
  async resultOf(runId: string): Promise<BenchResultDoc | undefined> {
    const answer = await this.#bench.queue.result(runId);
    return answer.ok ? answer.value : undefined;
  }

  /** Drops pending status edits (shutdown). */
  close(): void {
    this.#status.clear();
  }

  async #submit(
    requester: BenchRequester,
    request: ChatBenchRequest,
    data: Record<string, string>,
    responseUrl: string | undefined,
  ): Promise<void> {
    const answer = await this.#bench.queue.submit(requester, request, { platform: 'slack', data });
    if (!answer.ok) {
      if (responseUrl) await this.#ephemeral(responseUrl, answer.message);
      return;
    }
    // The status message is the confirmation; when it could not be posted, the requester must hear it privately.
    const { run, position } = answer.value;
    const why = this.#unposted.get(run.id);
    if (why !== undefined && responseUrl) {
      this.#unposted.delete(run.id);
      await this.#ephemeral(
        responseUrl,
        `Benchmark \`${run.id}\` is queued (position ${position}), but I could not post in this channel (${why}), so its progress and results would not show. Invite me with \`/invite @TensorDuel\` and I will post from the next update, or cancel it with ${this.#messages.command('cancel', run.id)}.`,
      );
    }
  }

  async #postResult(channel: string, thread: string | undefined, doc: BenchResultDoc): Promise<void> {
    const { native, codeBlocks } = renderResultMessages(doc, partialNote(doc));
    const where = { channel, ...(thread ? { thread_ts: thread } : {}) };
    const post = (message: SlackMessage) =>
      this.#call('chat.postMessage', () => this.#client.chat.postMessage({ ...where, ...message }));
    try {
      await post(native[0] as SlackMessage);
      for (const message of native.slice(1)) await post(message);
    } catch (err) {
      // A workspace or client without the table block refuses the first message: the code blocks instead.
      if (!(err instanceof DeliveryError) || !err.reason.includes('invalid_blocks')) throw err;
      this.#logger.info('slack: table blocks refused; posting the result as code blocks', {
        platform: 'slack',
        result: doc.id,
      });
      for (const message of codeBlocks) await post(message);
    }
    const png = await this.#bench.chartPng(doc);
    if (!png) return;
    // files.uploadV2: getUploadURLExternal, the upload itself, completeUploadExternal (needs files:write).
    const file = { file: png, filename: `${doc.id}.png`, title: `TensorDuel benchmark ${doc.id}` };
    const uploaded = (await this.#call('files.uploadV2', () =>
      this.#client.filesUploadV2(
        thread ? { ...file, channel_id: channel, thread_ts: thread } : { ...file, channel_id: channel },
      ),
    )) as { files?: Array<{ files?: Array<{ id?: string; permalink?: string }> }> };
    await this.#rememberChart(doc.id, uploaded.files?.[0]?.files?.[0]);
  }

  /** Keeps the chart's permalink for the App Home tab (files.info when the upload did not say it). */
  async #rememberChart(
    resultId: string,
    file: { id?: string; permalink?: string } | undefined,
  ): Promise<void> {
    if (!file?.id) return;
    try {
      const id = file.id;
      const permalink =
        file.permalink ??
        (
          (await this.#call('files.info', () => this.#client.files.info({ file: id }))) as {
            file?: { permalink?: string };
          }
        ).file?.permalink;
      if (permalink) await this.#charts.set(resultId, permalink);
    } catch (err) {
      this.#logger.debug('slack: chart link not kept', {
        platform: 'slack',
        reason: err instanceof DeliveryError ? err.reason : classifySlackError(err).reason,
      });
    }
  }

  /** The chart link of a stored result, for the App Home tab. */
  chartLink(resultId: string): Promise<string | undefined> {
    return this.#charts.get(resultId);
  }

  #where(run: BenchRun): { channel: string; thread_ts?: string } {
    const { channel = '', thread } = run.target.data;
    return thread ? { channel, thread_ts: thread } : { channel };
  }

  #requester(userId: string, channelId: string): BenchRequester {
    return { userId: platformId('slack', userId), roles: [], channelId: platformId('slack', channelId) };
  }

  #ephemeral(url: string, queueText: string): Promise<void> {
    // Queue answers name commands the Slack way; spelled with this app's slash command.
    const text = this.#messages.relay(queueText);
    // The text may echo what the user typed (`bench <!here>`): escaped in the fallback as in the blocks.
    const payload = {
      response_type: 'ephemeral',
      replace_original: false,
      text: escapeMrkdwn(text).slice(0, 3000),
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: toMrkdwn(text).slice(0, 3000) } }],
    };
    return this.#call('response_url', () => postJson(url, payload)).then(() => undefined);
  }
}

/** The status message: its text, and a Cancel button while the run is queued or running. */
function statusBlocks(run: BenchRun, text: string, active: boolean, cancelKey: string): types.KnownBlock[] {
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: mentions(toMrkdwn(text)).slice(0, 3000) } },
  ];
  if (active)
    blocks.push({
      type: 'actions',
      block_id: `td_bench_${run.id}`,
      elements: [
        {
          type: 'button',
          action_id: BENCH_ACTIONS.cancel,
          style: 'danger',
          text: { type: 'plain_text', text: 'Cancel' },
          value: cancelKey,
        },
      ],
    });
  return blocks;
}

/** The queue names people `slack:U123`; Slack shows `<@U123>` (also after mrkdwn escaping) as their name. */
function mentions(text: string): string {
  return text.replace(/slack:([UW][A-Z0-9]+)/g, '<@$1>').replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, '<@$1>');
}

/** A Start or Cancel button of an earlier release: the request as JSON, the run id as it is. */
function legacyBenchAction(actionId: string, value: string | undefined): ButtonAction | undefined {
  if (actionId === BENCH_ACTIONS.cancel)
    return value && /^b\d+$/.test(value) ? { kind: 'benchCancel', runId: value } : undefined;
  if (!value?.startsWith('{')) return undefined;
  try {
    return { kind: 'benchStart', request: sanitizeBenchRequest(JSON.parse(value)) };
  } catch {
    // A malformed value of ours: run the defaults rather than nothing, as that release did.
    return { kind: 'benchStart', request: {} };
  }
}
