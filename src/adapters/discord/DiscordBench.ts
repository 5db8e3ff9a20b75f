/**
 * Benchmarks from Discord: `/bench`, `/cancel`, `/results`, `/compare`, the Cancel and Start buttons, and the
 * queue's status and result messages. Interaction tokens expire after 15 minutes and a run may take longer,
 * so the status message and the result are normal channel messages (REST), never the interaction webhook.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  type Client,
  ComponentType,
  MessageFlags,
  Routes,
} from 'discord.js';
import { renderDiscordEmbed } from '../../core/bench/render-discord.ts';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import type { BenchNotifier } from '../../core/jobs/BenchQueue.ts';
import type { BenchRequester, BenchRun } from '../../core/jobs/bench-run.ts';
import { type ChatBenchRequest, parseBenchText, parseBenchWords } from '../../core/jobs/bench-words.ts';
import type { Logger } from '../../core/ports.ts';
import {
  type BenchCommand,
  type ChatBench,
  compareStored,
  interruptedNotice,
  interruptedStatus,
  partialNote,
} from '../shared/bench.ts';
import type { PlatformCall } from '../shared/retry.ts';
import { StatusMessages } from '../shared/StatusMessages.ts';
import { truncate } from '../shared/split-markdown.ts';

const CANCEL_PREFIX = 'td:bc:';
const START_PREFIX = 'td:bs:';

/** True for the custom_id of a benchmark button. */
export function isBenchButton(customId: string): boolean {
  return customId.startsWith(CANCEL_PREFIX) || customId.startsWith(START_PREFIX);
}

/** The Discord side of chat benchmarks. */
export class DiscordBench implements BenchNotifier {
  readonly #bench: ChatBench;
  readonly #client: Client;
  readonly #logger: Logger;
  readonly #call: PlatformCall;
  readonly #status: StatusMessages;

  constructor(options: {
    bench: ChatBench;
    client: Client;
    logger: Logger;
    /** The adapter's API caller (retries and logs). */
    call: PlatformCall;
    statusIntervalMs?: number;
  }) {
    this.#bench = options.bench;
    this.#client = options.client;
    this.#logger = options.logger;
    this.#call = options.call;
    this.#status = new StatusMessages({
      idKey: 'statusId',
      logger: options.logger,
      ...(options.statusIntervalMs !== undefined ? { intervalMs: options.statusIntervalMs } : {}),
      ops: {
        post: async (run, text, active) => {
          const sent = (await this.#call('post status message', () =>
            this.#client.rest.post(Routes.channelMessages(run.target.data.channel ?? ''), {
              body: statusBody(run, text, active),
            }),
          )) as { id: string };
          return sent.id;
        },
        edit: async (run, id, text, active) => {
          await this.#call('edit status message', () =>
            this.#client.rest.patch(Routes.channelMessage(run.target.data.channel ?? '', id), {
              body: statusBody(run, text, active),
            }),
          );
        },
      },
    });
  }

  /** BenchNotifier: creates or edits the status message; tells the requester when a restart cut the run off. */
  async status(run: BenchRun, text: string): Promise<void> {
    await this.#status.show(run, interruptedStatus(run, text, '/results'));
    const user = run.target.data.user;
    if (run.status === 'interrupted' && user) {
      await this.#call('post message', () =>
        this.#client.rest.post(Routes.channelMessages(run.target.data.channel ?? ''), {
          body: {
            content: `<@${user}> ${interruptedNotice(run, '/bench', '/results')}`,
            allowed_mentions: { users: [user] },
            ...(run.target.data.statusId
              ? { message_reference: { message_id: run.target.data.statusId, fail_if_not_exists: false } }
              : {}),
          },
        }),
      );
    }
  }

  /** BenchNotifier: posts the tables and claim checks as an embed, with the chart attached. */
  async result(run: BenchRun, doc: BenchResultDoc): Promise<void> {
    await this.#postResult(run.target.data.channel ?? '', doc);
  }

  /** Handles `/bench`, `/cancel`, `/results` and `/compare`. */
  async command(name: BenchCommand, interaction: ChatInputCommandInteraction): Promise<void> {
    // Acknowledged at once (3 s rule); what everyone should see goes to the channel, not this reply.
    await this.#call('interaction.deferReply', () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    const requester = requesterOf(interaction);
    const channel = interaction.channelId;
    const opt = (n: string) => interaction.options.getString(n)?.trim() || undefined;
    let answer: string;
    switch (name) {
      case 'bench': {
        const words = [opt('workloads'), opt('engines'), opt('device')].filter(Boolean).join(' ');
        const parsed = parseBenchWords(words, await this.#bench.workloadIds());
        answer = parsed.ok
          ? await this.#submit(requester, parsed.request, channel, interaction.user.id)
          : parsed.message;
        break;
      }
      case 'cancel':
        answer = (await this.#bench.queue.cancel(opt('run'), requester)).message;
        break;
      case 'results': {
        const found = await this.#bench.queue.result(opt('run'));
        if (found.ok) await this.#postResult(channel, found.value);
        answer = found.message;
        break;
      }
      case 'compare': {
        const compared = await compareStored(this.#bench.queue, opt('first'), opt('second'));
        if (compared.ok) {
          const content = truncate(
            `**${compared.title}**\n\`\`\`\n${compared.table}\n\`\`\`\n${compared.notes.map((n) => `-# ${n}`).join('\n')}`,
            2000,
          );
          await this.#call('post message', () =>
            this.#client.rest.post(Routes.channelMessages(channel), { body: { content } }),
          );
          answer = compared.title;
        } else answer = compared.message;
        break;
      }
    }
    await this.#call('interaction.editReply', () =>
      interaction.editReply({ content: truncate(answer, 2000) }),
    );
  }

  /** A row with the Start button for a free-text benchmark request (the click queues the run). */
  async startRow(text: string): Promise<APIActionRowComponent<APIButtonComponent>> {
    const r = parseBenchText(text, await this.#bench.workloadIds());
    const customId = `${START_PREFIX}${r.workloads?.join(',') ?? ''}|${r.engines?.join(',') ?? ''}|${r.device ?? ''}`;
    return {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Primary,
          label: 'Start benchmark',
          custom_id: customId.slice(0, 100),
        },
      ],
    };
  }

  /** Handles a click on Cancel or Start benchmark. */
  async click(interaction: ButtonInteraction): Promise<void> {
    await this.#call('interaction.deferReply', () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    const requester = requesterOf(interaction);
    let answer: string;
    if (interaction.customId.startsWith(CANCEL_PREFIX)) {
      answer = (await this.#bench.queue.cancel(interaction.customId.slice(CANCEL_PREFIX.length), requester))
        .message;
    } else {
      const [w = '', e = '', d = ''] = interaction.customId.slice(START_PREFIX.length).split('|');
      const parsed = parseBenchWords(`${w} ${e} ${d}`, await this.#bench.workloadIds());
      answer = parsed.ok
        ? await this.#submit(requester, parsed.request, interaction.channelId, interaction.user.id)
        : parsed.message;
    }
    await this.#call('interaction.editReply', () =>
      interaction.editReply({ content: truncate(answer, 2000) }),
    );
  }

  /** Drops pending status edits (shutdown). */
  close(): void {
    this.#status.clear();
  }

  async #submit(
    requester: BenchRequester,
    request: ChatBenchRequest,
    channel: string,
    user: string,
  ): Promise<string> {
    const answer = await this.#bench.queue.submit(requester, request, {
      platform: 'discord',
      data: { channel, user },
    });
    return answer.message;
  }

  async #postResult(channel: string, doc: BenchResultDoc): Promise<void> {
    const embed = renderDiscordEmbed(doc);
    // As the message content: it stays outside the embed's 6000-character budget.
    const partial = partialNote(doc);
    const png = await this.#bench.chartPng(doc);
    const filename = `${doc.id.replace(/[^\w.-]/g, '_')}.png`;
    const body = {
      ...(partial ? { content: partial } : {}),
      ...(png
        ? {
            embeds: [{ ...embed, image: { url: `attachment://${filename}` } }],
            attachments: [{ id: 0, filename }],
          }
        : { embeds: [embed] }),
    };
    await this.#call('post result', () =>
      this.#client.rest.post(Routes.channelMessages(channel), {
        body,
        ...(png ? { files: [{ name: filename, data: png, contentType: 'image/png' }] } : {}),
      }),
    );
  }
}

/** Who clicked or typed: user, Discord roles (from the member) and channel, platform-qualified. */
function requesterOf(interaction: ChatInputCommandInteraction | ButtonInteraction): BenchRequester {
  const member = interaction.member;
  const roles = !member ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  return {
    userId: `discord:${interaction.user.id}`,
    roles: roles.map((r) => `discord:${r}`),
    channelId: `discord:${interaction.channelId}`,
  };
}

/** The status message: its text, and a Cancel button while the run is queued or running. */
function statusBody(run: BenchRun, text: string, active: boolean): Record<string, unknown> {
  return {
    // The queue names people `discord:123`; shown as a mention that pings nobody (allowed_mentions).
    content: truncate(text.replace(/discord:(\d+)/g, '<@$1>'), 2000),
    allowed_mentions: { parse: [] },
    components: active
      ? [
          {
            type: ComponentType.ActionRow,
            components: [
              {
                type: ComponentType.Button,
                style: ButtonStyle.Danger,
                label: 'Cancel',
                custom_id: `${CANCEL_PREFIX}${run.id}`,
              },
            ],
          },
        ]
      : [],
  };
}
