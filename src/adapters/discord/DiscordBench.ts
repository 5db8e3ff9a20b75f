/**
 * Benchmarks from Discord: `/bench`, `/cancel`, `/results`, `/compare`, the Cancel and Start buttons, and the
 * queue's status and result messages. Interaction tokens expire after 15 minutes and a run may take longer,
 * so the status message and the result are normal channel messages (REST), never the interaction webhook.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type AutocompleteInteraction,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  type Client,
  ComponentType,
  MessageFlags,
  type ModalSubmitInteraction,
  Routes,
} from 'discord.js';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import type { BenchNotifier } from '../../core/jobs/BenchQueue.ts';
import type { BenchRequester, BenchRun } from '../../core/jobs/bench-run.ts';
import { type ChatBenchRequest, parseBenchText, parseBenchWords } from '../../core/jobs/bench-words.ts';
import type { Logger } from '../../core/ports.ts';
import type { ButtonAction, ButtonStore } from '../shared/ButtonStore.ts';
import { type BenchCommand, type ChatBench, compareStored, partialNote } from '../shared/bench.ts';
import { platformId } from '../shared/conversation-id.ts';
import { DISCORD_LIMITS } from '../shared/limits.ts';
import type { PlatformCall } from '../shared/retry.ts';
import { StatusMessages } from '../shared/StatusMessages.ts';
import { truncate } from '../shared/split-markdown.ts';
import { type Choice, ENGINE_WORDS, runChoices, wordChoices } from './autocomplete.ts';
import { BENCH_MODAL_ID, benchModal, readBenchModal } from './bench-modal.ts';
import { DISCORD_MESSAGES as MESSAGES } from './commands.ts';
import { benchButtonId, isBenchKind, parseCustomId } from './custom-id.ts';
import type { InteractionWebhook } from './InteractionWebhook.ts';
import { renderDiscordEmbed } from './result-embed.ts';

const ACTIVE = new Set(['queued', 'running']);
/** A run id as the queues mint them (`b12`): what the Cancel buttons of earlier versions carried. */
const RUN_ID = /^b\d+$/;

/** True for the custom_id of the `/bench` form. */
export function isBenchModal(customId: string): boolean {
  return customId === BENCH_MODAL_ID;
}

/** The Discord side of chat benchmarks. */
export class DiscordBench implements BenchNotifier {
  readonly #bench: ChatBench;
  readonly #client: Client;
  readonly #logger: Logger;
  readonly #call: PlatformCall;
  readonly #ack: PlatformCall;
  readonly #status: StatusMessages;
  readonly #webhook: InteractionWebhook;
  readonly #runs: (() => Promise<readonly BenchRun[]>) | undefined;
  readonly #buttons: ButtonStore;
  /** The Cancel button's key of each run this process drew one for (one key per run, not one per edit). */
  readonly #cancelKeys = new Map<string, string>();

  constructor(options: {
    bench: ChatBench;
    client: Client;
    logger: Logger;
    /** The adapter's API caller (retries and logs). */
    call: PlatformCall;
    /** The same, for first responses to interactions (the adapter's answers wait for them). */
    ack: PlatformCall;
    /** Edits deferred replies outside the global rate limit. */
    webhook: InteractionWebhook;
    /** Recent runs, for run-id autocomplete; none: run ids are not suggested. */
    runs?: (() => Promise<readonly BenchRun[]>) | undefined;
    /** The adapter's button store: what each benchmark button means, persisted and shared like every button. */
    buttons: ButtonStore;
  }) {
    this.#bench = options.bench;
    this.#client = options.client;
    this.#logger = options.logger;
    this.#call = options.call;
    this.#ack = options.ack;
    this.#webhook = options.webhook;
    this.#runs = options.runs;
    this.#buttons = options.buttons;
    this.#status = new StatusMessages({
      idKey: 'statusId',
      ops: {
        post: async (run, text, active) => {
          const sent = (await this.#call('post status message', () =>
            this.#client.rest.post(Routes.channelMessages(run.target.data.channel ?? ''), {
              body: statusBody(text, active, this.#cancelKey(run)),
            }),
          )) as { id: string };
          return sent.id;
        },
        edit: async (run, id, text, active) => {
          await this.#call('edit status message', () =>
            this.#client.rest.patch(Routes.channelMessage(run.target.data.channel ?? '', id), {
              body: statusBody(text, active, this.#cancelKey(run)),
            }),
          );
        },
      },
    });
  }

  /** BenchNotifier: creates or edits the status message; tells the requester when a restart cut the run off. */
  async status(run: BenchRun, text: string): Promise<void> {
    await this.#status.show(run, MESSAGES.relay(MESSAGES.interruptedStatus(run, text)));
    const user = run.target.data.user;
    if (run.status === 'interrupted' && user) {
      await this.#call('post message', () =>
        this.#client.rest.post(Routes.channelMessages(run.target.data.channel ?? ''), {
          body: {
            content: `<@${user}> ${MESSAGES.interruptedNotice(run)}`,
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

  /** Handles `/bench`, `/cancel`, `/results` and `/compare`; `/bench` without options opens the form. */
  async command(name: BenchCommand, interaction: ChatInputCommandInteraction): Promise<void> {
    const opt = (n: string) => interaction.options.getString(n)?.trim() || undefined;
    if (name === 'bench' && !opt('workloads') && !opt('engines') && !opt('device'))
      return this.#openForm(interaction, {});
    // Acknowledged at once (3 s rule); what everyone should see goes to the channel, not this reply.
    await this.#ack('interaction.deferReply', () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    const requester = requesterOf(interaction);
    const channel = interaction.channelId;
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
    await this.#answer(interaction, answer);
  }

  /**
   * Autocomplete for `/bench` workloads and engines (from the benchmark catalogue) and for run ids in
   * `/results`, `/compare` (runs with a result) and `/cancel` (your queued or running runs; an admin's: all),
   * most recent first, filtered by what was typed. `choices` may have been started already (the adapter reads
   * them while it claims the interaction).
   */
  async autocomplete(
    interaction: AutocompleteInteraction,
    choices: Promise<Choice[]> = this.choices(interaction),
  ): Promise<void> {
    const listed = await choices;
    await this.#ack('interaction.respond', () => interaction.respond(listed));
  }

  /** The suggestions for an autocomplete request; none, logged at warn, when they can't be read. Never rejects. */
  async choices(interaction: AutocompleteInteraction): Promise<Choice[]> {
    try {
      const focused = interaction.options.getFocused(true);
      return await this.#choices(interaction, String(focused.value), focused.name);
    } catch (err) {
      // Runs or workloads that can't be read (the BullMQ queue's Redis down): no suggestions, never no answer.
      this.#logger.warn('discord: autocomplete could not list choices', { error: err });
      return [];
    }
  }

  async #choices(interaction: AutocompleteInteraction, typed: string, option: string): Promise<Choice[]> {
    const ids = await this.#bench.workloadIds();
    let choices: Choice[] = [];
    if (interaction.commandName === 'bench') {
      const words = option === 'engines' ? ENGINE_WORDS : ids.map((value) => ({ value }));
      choices = option === 'device' ? [] : wordChoices(typed, words, ids);
    } else if (this.#runs && ['results', 'compare', 'cancel'].includes(interaction.commandName)) {
      const runs = await this.#runs();
      const user = platformId('discord', interaction.user.id);
      choices =
        interaction.commandName === 'cancel'
          ? runChoices(
              runs,
              typed,
              (r) => ACTIVE.has(r.status) && (this.#bench.queue.isAdmin(user) || r.requester.userId === user),
            )
          : runChoices(runs, typed, (r) => r.resultId !== undefined, {
              last: interaction.commandName === 'results',
            });
    }
    return choices;
  }

  /** The `/bench` form was sent: the same checks as the command (permission, rate, time limit), then queued. */
  async submitForm(interaction: ModalSubmitInteraction): Promise<void> {
    await this.#ack('interaction.deferReply', () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    const form = readBenchModal((id) => {
      const field = interaction.fields.fields.get(id);
      return field && 'values' in field ? field.values : undefined;
    });
    let answer = form.ok ? '' : form.message;
    if (form.ok) {
      const parsed = parseBenchWords(form.words, await this.#bench.workloadIds());
      answer = parsed.ok
        ? await this.#submit(
            requesterOf(interaction),
            parsed.request,
            interaction.channelId ?? '',
            interaction.user.id,
          )
        : parsed.message;
    }
    await this.#answer(interaction, answer);
  }

  /**
   * A row for a free-text benchmark request: Start benchmark (the click queues the run as asked) and
   * Choose options… (the click opens the `/bench` form with the request's words picked).
   */
  async startRow(text: string): Promise<APIActionRowComponent<APIButtonComponent>> {
    const r = parseBenchText(text, await this.#bench.workloadIds());
    const request: ChatBenchRequest = {
      ...(r.workloads ? { workloads: r.workloads } : {}),
      ...(r.engines ? { engines: r.engines } : {}),
      ...(r.device ? { device: r.device } : {}),
    };
    // One key for both buttons: Start runs the request, Choose options… opens the form with it picked.
    const key = this.#buttons.encode({ kind: 'benchStart', request });
    const button = (
      label: string,
      kind: 'benchStart' | 'benchOptions',
      style: ButtonStyle.Primary | ButtonStyle.Secondary,
    ): APIButtonComponent => ({
      type: ComponentType.Button,
      style,
      label,
      custom_id: benchButtonId(kind, key),
    });
    return {
      type: ComponentType.ActionRow,
      components: [
        button('Start benchmark', 'benchStart', ButtonStyle.Primary),
        button('Choose options…', 'benchOptions', ButtonStyle.Secondary),
      ],
    };
  }

  /**
   * Handles a click on Cancel, Start benchmark or Choose options…; `looked` is the lookup of its key, started
   * while the click was claimed (the adapter's read-ahead), so the first response waits for one Redis round trip.
   */
  async click(interaction: ButtonInteraction, looked?: Promise<ButtonAction | undefined>): Promise<void> {
    const parsed = parseCustomId(interaction.customId);
    if (!parsed || !isBenchKind(parsed.kind)) return;
    const action = (await (looked ?? this.#buttons.lookup(parsed.key))) ?? (await this.#legacy(parsed.key));
    const wanted = parsed.kind === 'benchCancel' ? 'benchCancel' : 'benchStart';
    if (!action || action.kind !== wanted) {
      await this.#ack('interaction.reply', () =>
        interaction.reply({ content: MESSAGES.expiredButton, flags: MessageFlags.Ephemeral }),
      );
      return;
    }
    if (parsed.kind === 'benchOptions' && action.kind === 'benchStart')
      return this.#openForm(interaction, action.request);
    await this.#ack('interaction.deferReply', () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    const requester = requesterOf(interaction);
    const answer =
      action.kind === 'benchCancel'
        ? (await this.#bench.queue.cancel(action.runId, requester)).message
        : action.kind === 'benchStart'
          ? await this.#submit(requester, action.request, interaction.channelId, interaction.user.id)
          : MESSAGES.expiredButton;
    await this.#answer(interaction, answer);
  }

  /**
   * What a benchmark button drawn by an earlier version means: those carried their payload in the custom_id
   * (`td:bc:<run id>`, `td:bs:<workloads>|<engines>|<device>`), so their messages keep working after an upgrade.
   */
  async #legacy(key: string): Promise<ButtonAction | undefined> {
    if (RUN_ID.test(key)) return { kind: 'benchCancel', runId: key };
    if (!key.includes('|')) return undefined;
    const [w = '', e = '', d = ''] = key.split('|');
    const parsed = parseBenchWords(`${w} ${e} ${d}`, await this.#bench.workloadIds());
    return { kind: 'benchStart', request: parsed.ok ? parsed.request : {} };
  }

  /** The key of `run`'s Cancel button, minted once per run in this process. */
  #cancelKey(run: BenchRun): string {
    const key = this.#cancelKeys.get(run.id) ?? this.#buttons.encode({ kind: 'benchCancel', runId: run.id });
    if (ACTIVE.has(run.status)) this.#cancelKeys.set(run.id, key);
    else this.#cancelKeys.delete(run.id);
    return key;
  }

  /** Drops pending status edits (shutdown). */
  close(): void {
    this.#status.clear();
  }

  /** Shows the `/bench` form (the interaction's first and only response; its submit comes back as a new one). */
  async #openForm(
    interaction: ChatInputCommandInteraction | ButtonInteraction,
    preset: ChatBenchRequest,
  ): Promise<void> {
    const modal = benchModal(await this.#bench.workloadIds(), preset);
    await this.#ack('interaction.showModal', () => interaction.showModal(modal));
  }

  /** Fills in the deferred (ephemeral) reply. */
  async #answer(
    interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction,
    text: string,
  ): Promise<void> {
    await this.#call('interaction.editReply', () =>
      // The queue names commands the Slack way (`/tensorduel bench`): spelled `/bench` here.
      this.#webhook.editOriginal(interaction, {
        content: truncate(MESSAGES.relay(text), DISCORD_LIMITS.content),
        embeds: [],
        components: [],
      }),
    );
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
function requesterOf(
  interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction,
): BenchRequester {
  const member = interaction.member;
  const roles = !member ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  return {
    userId: platformId('discord', interaction.user.id),
    roles: roles.map((r) => platformId('discord', r)),
    channelId: platformId('discord', interaction.channelId ?? ''),
  };
}

/** The status message: its text, and a Cancel button while the run is queued or running. */
function statusBody(text: string, active: boolean, cancelKey: string): Record<string, unknown> {
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
                custom_id: benchButtonId('benchCancel', cancelKey),
              },
            ],
          },
        ]
      : [],
  };
}
