/** The Discord adapter: discord.js over the gateway, translating mentions, DMs and interactions to the core. */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type APIMessage,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  Events,
  escapeMarkdown,
  GatewayIntentBits,
  type Interaction,
  type Message,
  type MessageContextMenuCommandInteraction,
  MessageFlags,
  type ModalSubmitInteraction,
  Partials,
  RESTEvents,
} from 'discord.js';
import { ErrorCode, UserError } from '../../core/errors.ts';
import type { BenchRun } from '../../core/jobs/bench-run.ts';
import type { EventClaims, EventLease, Logger, SharedActions } from '../../core/ports.ts';
import type { AdvisorApi, Reply } from '../../core/types.ts';
import { type ButtonAction, ButtonStore } from '../shared/ButtonStore.ts';
import { type ChatBench, isBenchCommand } from '../shared/bench.ts';
import { COMMAND_TABLE } from '../shared/command-table.ts';
import { type ChatCommand, commandText, isChatCommand } from '../shared/commands.ts';
import { type ConversationPlace, encodeConversation, platformId } from '../shared/conversation-id.ts';
import { askCore, recordFeedback } from '../shared/core-calls.ts';
import { EVENT_CLAIM_MS, inProcessClaims, leaseEvent } from '../shared/event-lease.ts';
import { DISCORD_LIMITS } from '../shared/limits.ts';
import { RecentSet } from '../shared/RecentSet.ts';
import {
  DEFAULT_RETRY_POLICY,
  DeliveryError,
  type PlatformCall,
  platformCall,
  type RetryPolicy,
} from '../shared/retry.ts';
import { splitMarkdown, truncate } from '../shared/split-markdown.ts';
import { AckFirst } from './AckFirst.ts';
import type { Choice } from './autocomplete.ts';
import { classifyDiscordError } from './classify.ts';
import { ASK_ABOUT_MESSAGE, DISCORD_MESSAGES as MESSAGES } from './commands.ts';
import { choiceId, feedbackId, isBenchKind, parseCustomId } from './custom-id.ts';
import { DiscordBench, isBenchModal } from './DiscordBench.ts';
import { InteractionWebhook } from './InteractionWebhook.ts';
import { fromDiscordText } from './markup.ts';
import { serverRateLimitsOnly } from './rate-limits.ts';
import { type DiscordMessage, renderReply } from './render.ts';

/** What answering one event came to: set by the delivery, read by the claim around the handler. */
interface EventOutcome {
  failed: boolean;
}

/**
 * What an interaction's first response depends on, read while the interaction is claimed: both may be Redis round
 * trips (each up to the client's 2 s command timeout), and Discord wants the response within 3 s.
 */
interface ReadAhead {
  /** The action behind one of our buttons' custom_id (undefined: expired or unknown). */
  button?: Promise<ButtonAction | undefined>;
  /** The suggestions of an autocomplete request. */
  choices?: Promise<Choice[]>;
}

/** What the Discord adapter needs. */
export interface DiscordAdapterOptions {
  advisor: AdvisorApi;
  logger: Logger;
  token: string;
  /** REST base URL, e.g. `https://discord.com/api` (the library adds `/v10`; tests point it at a fake). */
  apiUrl: string;
  retry?: RetryPolicy;
  /** How long to wait for the gateway's READY before giving up. */
  readyTimeoutMs?: number;
  /** The benchmark queue: when given, `/bench`, `/cancel`, `/results` and `/compare` run benchmarks from chat. */
  bench?: ChatBench | undefined;
  /** A file that keeps what each button means, so buttons on earlier messages still work after a restart. */
  buttonsFile?: string;
  /** Recent benchmark runs (the queue's store), for run-id autocomplete in `/results`, `/compare`, `/cancel`. */
  runs?: (() => Promise<readonly BenchRun[]>) | undefined;
  /** The admin report as chat Markdown (`/report`); without it `/report` says it is not available here. */
  report?: (() => Promise<string>) | undefined;
  /** Platform-qualified ids (`discord:123`) allowed to run admin commands (`/report`): TENSORDUEL_ADMINS. */
  admins?: readonly string[];
  /** The longest an answer waits for acknowledgements in flight (default 250 ms; see AckFirst.ts). */
  ackWaitMs?: number;
  /**
   * Claims of the messages and interactions it answers, shared with the other replicas (Redis): every gateway
   * session receives every message, and only one replica answers it. Default: this process's memory. With
   * `lease`, an event is claimed for {@link EVENT_LEASE_MS} while it is answered, kept for {@link EVENT_CLAIM_MS}
   * once the reply is sent, and released when sending failed, so a redelivery of it is answered.
   */
  claims?: EventClaims | undefined;
  /** What each button means, shared with the other replicas (Redis), so a click on any replica works. */
  sharedButtons?: SharedActions<ButtonAction> | undefined;
}

// Personal dialogue (recommend, help) is only shown to the user; answers worth sharing are public.
const EPHEMERAL_COMMANDS: ReadonlySet<ChatCommand> = new Set(['recommend', 'help']);

/**
 * Serves TensorDuel on Discord: mentions and DMs (answered as replies), slash commands and buttons.
 * @example const discord = new DiscordAdapter({ advisor, logger, token, apiUrl: 'https://discord.com/api' });
 * await discord.start();
 */
export class DiscordAdapter {
  readonly #options: DiscordAdapterOptions;
  readonly #logger: Logger;
  readonly #client: Client;
  readonly #call: PlatformCall;
  /** First responses to interactions (deferrals, modals, autocomplete): answers wait for them. */
  readonly #ack: PlatformCall;
  readonly #acks: AckFirst;
  readonly #rateLimits = serverRateLimitsOnly();
  /** What each button means (the codec Slack uses too): a custom_id carries only its key. */
  readonly #buttons: ButtonStore;
  readonly #seen = new RecentSet({ capacity: 20_000, ttlMs: 2 * 60 * 60 * 1000 });
  readonly #claims: EventClaims;
  /** The outcome of the event whose handler is running (async context of #answerOnce). */
  readonly #outcome = new AsyncLocalStorage<EventOutcome>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #webhook: InteractionWebhook;
  readonly #bench: DiscordBench | undefined;
  #started = false;
  /** Set by stop(): the gateway events that destroy() causes are not a reconnect. */
  #stopping = false;
  #sessions = 0;

  constructor(options: DiscordAdapterOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#claims = options.claims ?? inProcessClaims(this.#seen);
    this.#buttons = new ButtonStore({
      ...(options.buttonsFile ? { file: options.buttonsFile } : {}),
      shared: options.sharedButtons,
      logger: options.logger,
      onError: (err) =>
        options.logger.warn('discord: cannot keep button state on disk; buttons will not survive a restart', {
          platform: 'discord',
          file: options.buttonsFile,
          error: err instanceof Error ? err.message : String(err),
        }),
    });
    this.#call = platformCall({
      policy: options.retry ?? DEFAULT_RETRY_POLICY,
      classify: classifyDiscordError,
      logger: options.logger,
      fields: { platform: 'discord' },
    });
    this.#acks = new AckFirst(options.ackWaitMs !== undefined ? { maxWaitMs: options.ackWaitMs } : {});
    this.#ack = (what, call) => this.#acks.ack(() => this.#call(what, call));
    this.#client = new Client({
      // No privileged MessageContent intent: Discord delivers the text of DMs and of messages that mention the
      // bot (a reply to the bot mentions it unless the user turns the ping off) without it, and those are the
      // only messages TensorDuel reads. Slash commands and buttons carry their own data.
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
      // DM channels are not cached until used: without this partial, DMs never reach messageCreate.
      partials: [Partials.Channel],
      // Retries are ours (withRetry, with backoff and logs): the library retries 5xx at once, silently.
      // Limits discord.js predicts are waited out in its queue; a 429 Discord sends goes to withRetry.
      rest: { api: options.apiUrl, retries: 0, rejectOnRateLimit: this.#rateLimits.rejectOnRateLimit },
      allowedMentions: { parse: [], repliedUser: false },
    });
    this.#webhook = new InteractionWebhook({ apiUrl: options.apiUrl, logger: options.logger });
    if (options.bench) {
      this.#bench = new DiscordBench({
        bench: options.bench,
        client: this.#client,
        logger: options.logger,
        call: this.#call,
        ack: this.#ack,
        webhook: this.#webhook,
        runs: options.runs,
        buttons: this.#buttons,
      });
      options.bench.queue.attach('discord', this.#bench);
    }
    this.#wire();
  }

  /** The bot's user id (after start). */
  get userId(): string | undefined {
    return this.#client.user?.id;
  }

  /** Logs in and resolves once the gateway session is ready. */
  async start(): Promise<void> {
    const timeoutMs = this.#options.readyTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      this.#client.once(Events.ClientReady, () => resolve());
      timer = setTimeout(
        () => reject(new UserError(ErrorCode.Internal, 'Discord did not finish connecting in time.')),
        timeoutMs,
      );
    });
    try {
      await Promise.all([this.#client.login(this.#options.token), ready]);
    } catch (err) {
      this.#webhook.close();
      await this.#client.destroy().catch(() => undefined);
      if (err instanceof UserError) throw err;
      throw new UserError(ErrorCode.Permission, loginFailure(err), { cause: err });
    } finally {
      clearTimeout(timer);
    }
    this.#started = true;
    this.#logger.info('discord: connected', { platform: 'discord', user: this.#client.user?.tag });
  }

  /** Disconnects from the gateway, waits for replies in progress and closes every socket. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#stopping = true;
    await Promise.allSettled([...this.#inFlight]);
    this.#bench?.close();
    await this.#buttons.flush();
    this.#webhook.close();
    await this.#client.destroy();
    this.#logger.info('discord: disconnected', { platform: 'discord' });
  }

  #wire(): void {
    const fields = { platform: 'discord' };
    // Errors thrown inside discord.js event handlers become uncaught exceptions: every handler is caught here.
    this.#client.on(Events.MessageCreate, (message) => this.#track(this.#onMessage(message)));
    this.#client.on(Events.InteractionCreate, (interaction) => this.#track(this.#onInteraction(interaction)));
    this.#client.on(Events.Error, (err) => this.#logger.error('discord: client error', { ...fields, err }));
    this.#client.on(Events.Warn, (msg) => this.#logger.warn(`discord: ${msg}`, fields));
    // While stopping, destroy() closes the gateway, which discord.js reports as a disconnect or reconnect.
    this.#client.on(Events.ShardDisconnect, (event) => {
      if (!this.#stopping)
        this.#logger.warn('discord: gateway disconnected', { ...fields, code: event.code });
    });
    this.#client.on(Events.ShardReconnecting, () => {
      if (!this.#stopping) this.#logger.info('discord: gateway reconnecting', fields);
    });
    this.#client.on(Events.ShardResume, () => this.#logger.info('discord: gateway session resumed', fields));
    // A READY after the first is a new session (after an invalid session, or a resume that was refused).
    this.#client.on(Events.ShardReady, () => {
      this.#sessions++;
      if (this.#sessions > 1 && !this.#stopping)
        this.#logger.info('discord: new gateway session ready', { ...fields, sessions: this.#sessions });
    });
    this.#client.on(Events.ShardError, (err) =>
      this.#logger.warn('discord: gateway error', { ...fields, err }),
    );
    this.#client.rest.on(RESTEvents.Response, (request, response) =>
      this.#rateLimits.onResponse(request, response),
    );
    this.#client.rest.on(RESTEvents.RateLimited, (info) =>
      this.#logger.warn('discord: rate limited', {
        ...fields,
        route: info.route,
        retryAfterMs: info.retryAfter,
      }),
    );
  }

  #track(work: Promise<void>): void {
    const guarded = work.catch((err: unknown) =>
      this.#logger.error('discord: handler failed', {
        platform: 'discord',
        reason: classifyDiscordError(err).reason,
      }),
    );
    this.#inFlight.add(guarded);
    void guarded.finally(() => this.#inFlight.delete(guarded));
  }

  async #onMessage(message: Message): Promise<void> {
    const me = this.#client.user;
    // Ignores itself, other bots, webhooks and system messages.
    if (!me || message.author.bot || message.author.id === me.id || message.webhookId || message.system)
      return;
    const isDm = !message.inGuild();
    if (!isDm && !message.mentions.users.has(me.id)) return;
    // A resumed gateway session may replay events, and every replica's session gets every message: answer each
    // message once, and again only when sending the answer failed.
    await this.#answerOnce(`discord:message:${message.id}`, () => this.#answerMessage(message, isDm));
  }

  async #answerMessage(message: Message, isDm: boolean): Promise<void> {
    const text = fromDiscordText(message.content);
    const conversationId = await this.#conversationFor(message, isDm);
    // Acknowledgements of interactions that came with this one go out before the core's work.
    await this.#acks.settled();
    const reply = await askCore(
      this.#options.advisor,
      {
        conversationId,
        userId: platformId('discord', message.author.id),
        text: text === '' ? 'help' : text,
      },
      this.#logger,
      { platform: 'discord' },
    );
    const messages = await this.#withBenchOffer(reply, text, this.#render(reply, conversationId, false));
    // Every chunk is a reply, so a long answer stays attached to its question in a busy channel.
    await this.#deliver(conversationId, messages, async (m) => {
      const sent = await message.reply(m);
      this.#remember(sent.id, conversationId);
    });
  }

  /** discord:<dm channel>:dm, discord:<parent>:<thread>, or discord:<channel>:<message that started it>. */
  async #conversationFor(message: Message, isDm: boolean): Promise<string> {
    const id = (channel: string, place: ConversationPlace) =>
      encodeConversation({ platform: 'discord', channel, place });
    if (isDm) return id(message.channelId, { kind: 'dm' });
    const channel = message.channel;
    if (channel.isThread()) return id(channel.parentId ?? channel.id, { kind: 'thread', id: channel.id });
    // A Discord "reply" to one of our answers (or to a question we answered) continues that conversation, on
    // any replica: the answer is found by its id, or (if its link is not stored yet) through the question it
    // replied to, whose link was stored before the answer was sent. Discord sends the message replied to along.
    const referenced = message.reference?.messageId;
    const answer = referenced ? message.channel.messages.cache.get(referenced) : undefined;
    const question = answer?.author.id === this.#client.user?.id ? answer?.reference?.messageId : undefined;
    const [byAnswer, byQuestion] = await Promise.all([
      referenced ? this.#conversationOf(referenced) : undefined,
      question ? this.#conversationOf(question) : undefined,
    ]);
    const conversationId =
      byAnswer ?? byQuestion ?? id(message.channelId, { kind: 'thread', id: message.id });
    this.#remember(message.id, conversationId);
    return conversationId;
  }

  /** The conversation of a message we answered or sent, from this replica's store or the shared one. */
  async #conversationOf(messageId: string): Promise<string | undefined> {
    const link = await this.#buttons.lookup(replyKey(messageId));
    return link?.kind === 'reply' ? link.conversationId : undefined;
  }

  /** Remembers (on disk, and for the other replicas) that a reply to `messageId` continues `conversationId`. */
  #remember(messageId: string, conversationId: string): void {
    this.#buttons.attach(replyKey(messageId), { kind: 'reply', conversationId });
  }

  async #onInteraction(interaction: Interaction): Promise<void> {
    // Read while the claim is taken, so the first response waits for one round trip, not two in turn. A duplicate
    // that loses the claim just drops what was read.
    const early = this.#readAhead(interaction);
    await this.#answerOnce(`discord:interaction:${interaction.id}`, () =>
      this.#routeInteraction(interaction, early),
    );
  }

  /** Starts the reads the first response to `interaction` waits for (see {@link ReadAhead}). */
  #readAhead(interaction: Interaction): ReadAhead {
    const early: ReadAhead = {};
    if (interaction.isButton()) {
      // Every button of ours carries a key of the button store: answer and benchmark buttons alike.
      const parsed = parseCustomId(interaction.customId);
      if (parsed) early.button = this.#buttons.lookup(parsed.key);
    } else if (interaction.isAutocomplete() && this.#bench) {
      early.choices = this.#bench.choices(interaction);
    }
    // Awaited by the handler if the claim wins; a duplicate's reads must not become unhandled rejections.
    void early.button?.catch(() => undefined);
    return early;
  }

  /**
   * Runs `handle` under a lease of `key` (for good where the claims cannot lease): kept once it answered, released
   * when sending failed or it threw, so a redelivery is answered; a duplicate while it is held is dropped.
   */
  async #answerOnce(key: string, handle: () => Promise<void>): Promise<void> {
    const lease = await leaseEvent(this.#claims, key);
    if (!lease) {
      this.#logger.debug('discord: duplicate event ignored', { platform: 'discord', key });
      return;
    }
    const outcome: EventOutcome = { failed: false };
    try {
      await this.#outcome.run(outcome, handle);
    } catch (err) {
      outcome.failed = true;
      throw err;
    } finally {
      await this.#settleLease(lease, outcome, key);
    }
  }

  async #settleLease(lease: EventLease, outcome: EventOutcome, key: string): Promise<void> {
    try {
      if (!outcome.failed) {
        await lease.keep(EVENT_CLAIM_MS);
        return;
      }
      await lease.release();
      this.#logger.info('discord: answering failed; its claim is released so a redelivery is answered', {
        platform: 'discord',
        key,
      });
    } catch (err) {
      this.#logger.warn('discord: could not settle an event claim', {
        platform: 'discord',
        key,
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }

  async #routeInteraction(interaction: Interaction, early: ReadAhead): Promise<void> {
    if (interaction.isAutocomplete()) return this.#onAutocomplete(interaction, early.choices);
    if (interaction.isChatInputCommand()) return this.#onCommand(interaction);
    if (interaction.isMessageContextMenuCommand()) return this.#onAskAbout(interaction);
    if (interaction.isButton()) return this.#onButton(interaction, early.button);
    if (interaction.isModalSubmit()) return this.#onModal(interaction);
  }

  /** Option suggestions while a command is typed (answered within Discord's 3 s, never deferred). */
  async #onAutocomplete(
    interaction: AutocompleteInteraction,
    choices: Promise<Choice[]> | undefined,
  ): Promise<void> {
    if (this.#bench) return this.#bench.autocomplete(interaction, choices);
    await this.#ack('interaction.respond', () => interaction.respond([]));
  }

  async #onModal(interaction: ModalSubmitInteraction): Promise<void> {
    if (isBenchModal(interaction.customId) && this.#bench) return this.#bench.submitForm(interaction);
    await this.#ack('interaction.reply', () =>
      interaction.reply({ content: EXPIRED_FORM_TEXT, flags: MessageFlags.Ephemeral }),
    );
  }

  /** "Apps → Ask TensorDuel" on a message: answers that message's text, as `/ask` would. */
  async #onAskAbout(interaction: MessageContextMenuCommandInteraction): Promise<void> {
    if (interaction.commandName !== ASK_ABOUT_MESSAGE) return;
    const target = interaction.targetMessage;
    const text = fromDiscordText(messageText(target));
    if (text === '') {
      await this.#ack('interaction.reply', () =>
        interaction.reply({ content: NO_TEXT_TEXT, flags: MessageFlags.Ephemeral }),
      );
      return;
    }
    await this.#ack('interaction.deferReply', () => interaction.deferReply());
    // Asking about one of its own answers continues that answer's conversation.
    const conversationId =
      (await this.#conversationOf(target.id)) ??
      encodeConversation({
        platform: 'discord',
        channel: interaction.channelId,
        place: { kind: 'thread', id: target.id },
      });
    // Acknowledgements of interactions that came with this one go out before the core's work.
    await this.#acks.settled();
    const reply = await askCore(
      this.#options.advisor,
      { conversationId, userId: platformId('discord', interaction.user.id), text },
      this.#logger,
      { platform: 'discord' },
    );
    const link = `https://discord.com/channels/${interaction.guildId ?? '@me'}/${interaction.channelId}/${target.id}`;
    // Someone else's words, quoted: escaped and on one line, so they can't spoof a link, a heading or a code block.
    const quoted = escapeMarkdown(truncate(text.replace(/\s+/g, ' '), 200));
    const about = { type: 'text' as const, text: `About [this message](${link}): “${quoted}”` };
    await this.#answerInteraction(
      interaction,
      conversationId,
      { ...reply, parts: [about, ...reply.parts] },
      false,
      text,
    );
  }

  /** `/report` (admins only): what people asked that TensorDuel could not answer well, shown only to the admin. */
  async #onReport(interaction: ChatInputCommandInteraction): Promise<void> {
    // default_member_permissions hides the command from members, but a server admin can hand it to anyone:
    // the TensorDuel admin list decides.
    if (!this.#isAdmin(interaction.user.id)) {
      await this.#ack('interaction.reply', () =>
        interaction.reply({ content: MESSAGES.notAdmin('report'), flags: MessageFlags.Ephemeral }),
      );
      return;
    }
    const report = this.#options.report;
    if (!report) {
      await this.#ack('interaction.reply', () =>
        interaction.reply({
          content: 'The report is not available on this TensorDuel host.',
          flags: MessageFlags.Ephemeral,
        }),
      );
      return;
    }
    await this.#ack('interaction.deferReply', () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    let text: string;
    try {
      text = await report();
    } catch (err) {
      this.#logger.error('discord: could not build the report', {
        platform: 'discord',
        reason: err instanceof Error ? err.message : String(err),
      });
      text = 'Sorry, I could not build the report just now. Please try again later.';
    }
    const messages = splitMarkdown(text, DISCORD_LIMITS.content).map((content) => ({
      content,
      embeds: [],
      components: [],
    }));
    const conversationId = encodeConversation({
      platform: 'discord',
      channel: interaction.channelId,
      place: { kind: 'command', id: interaction.id },
    });
    await this.#deliver(conversationId, messages, async (m, i) => {
      if (i === 0) await this.#webhook.editOriginal(interaction, m);
      else await this.#webhook.followUp(interaction, m, true);
    });
  }

  async #onCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const name = interaction.commandName;
    if (name === 'report') return this.#onReport(interaction);
    if (this.#bench && isBenchCommand(name)) return this.#bench.command(name, interaction);
    if (isBenchCommand(name) && name !== 'bench') {
      await this.#ack('interaction.reply', () =>
        interaction.reply({ content: MESSAGES.benchOff(), flags: MessageFlags.Ephemeral }),
      );
      return;
    }
    if (!isChatCommand(name)) return;
    const ephemeral = EPHEMERAL_COMMANDS.has(name);
    // An interaction must be acknowledged within 3 s; the core may take longer.
    await this.#ack('interaction.deferReply', () =>
      interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
    );
    // What the command's options say, in the table's order (`/bench` without the queue: its three options).
    const given = (COMMAND_TABLE[name]?.options ?? [])
      .map((o) => interaction.options.getString(o.name) ?? '')
      .join(' ');
    const text = commandText(name, fromDiscordText(given)) ?? 'help';
    const conversationId = encodeConversation({
      platform: 'discord',
      channel: interaction.channelId,
      place: { kind: 'command', id: interaction.id },
    });
    // Acknowledgements of interactions that came with this one go out before the core's work.
    await this.#acks.settled();
    const reply = await askCore(
      this.#options.advisor,
      { conversationId, userId: platformId('discord', interaction.user.id), text },
      this.#logger,
      { platform: 'discord' },
    );
    const help = MESSAGES.help({
      bench: this.#bench !== undefined,
      admin: this.#isAdmin(interaction.user.id),
    });
    const shown =
      name === 'help' ? { ...reply, parts: [{ type: 'text' as const, text: help }, ...reply.parts] } : reply;
    await this.#answerInteraction(interaction, conversationId, shown, ephemeral, text);
  }

  /** True for a TensorDuel admin (TENSORDUEL_ADMINS), by Discord user id. */
  #isAdmin(userId: string): boolean {
    return (this.#options.admins ?? []).includes(platformId('discord', userId));
  }

  /** A click on one of our buttons; `looked` is the lookup of its key, started while the click was claimed. */
  async #onButton(
    interaction: ButtonInteraction,
    looked: Promise<ButtonAction | undefined> | undefined,
  ): Promise<void> {
    const parsed = parseCustomId(interaction.customId);
    if (!parsed) return;
    if (isBenchKind(parsed.kind)) {
      if (this.#bench) await this.#bench.click(interaction, looked);
      return;
    }
    const action = await (looked ?? this.#buttons.lookup(parsed.key));
    const userId = platformId('discord', interaction.user.id);
    if (!action || action.kind !== parsed.kind) {
      await this.#ack('interaction.reply', () =>
        interaction.reply({ content: MESSAGES.expiredButton, flags: MessageFlags.Ephemeral }),
      );
      return;
    }
    if (action.kind === 'feedback' && parsed.kind === 'feedback') {
      await this.#ack('interaction.deferReply', () =>
        interaction.deferReply({ flags: MessageFlags.Ephemeral }),
      );
      const ok = await recordFeedback(
        this.#options.advisor,
        {
          conversationId: action.conversationId,
          userId,
          entryId: action.entryId,
          question: action.question,
          vote: parsed.vote,
        },
        this.#logger,
        { platform: 'discord' },
      );
      const text = ok ? MESSAGES.feedbackThanks : MESSAGES.feedbackFailed;
      await this.#call('interaction.editReply', () =>
        this.#webhook.editOriginal(interaction, { content: text, embeds: [], components: [] }),
      );
      return;
    }
    if (action.kind !== 'choice') return;
    await this.#ack('interaction.deferReply', () =>
      interaction.deferReply(action.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
    );
    // Acknowledgements of interactions that came with this one go out before the core's work.
    await this.#acks.settled();
    const reply = await askCore(
      this.#options.advisor,
      { conversationId: action.conversationId, userId, text: action.value },
      this.#logger,
      { platform: 'discord' },
    );
    await this.#answerInteraction(
      interaction,
      action.conversationId,
      reply,
      action.ephemeral ?? false,
      action.value,
    );
  }

  /**
   * Adds the Start benchmark row to the last message, for a benchmark request or a performance answer with
   * nothing measured on this host yet (`offerBenchmark`); none without the benchmark queue or room for a row.
   */
  async #withBenchOffer(
    reply: Reply,
    text: string,
    messages: DiscordMessage[],
    canPost = true,
  ): Promise<DiscordMessage[]> {
    const last = messages[messages.length - 1];
    if (!this.#bench || !canPost || !last || last.components.length >= 5) return messages;
    if (reply.intent !== 'benchmark' && !reply.offerBenchmark) return messages;
    last.components = [...last.components, await this.#bench.startRow(text)];
    return messages;
  }

  /** Edits the deferred reply with the first message and sends the rest as follow-ups. */
  async #answerInteraction(
    interaction: ChatInputCommandInteraction | ButtonInteraction | MessageContextMenuCommandInteraction,
    conversationId: string,
    reply: Reply,
    ephemeral: boolean,
    question?: string,
  ): Promise<void> {
    const rendered = this.#render(reply, conversationId, ephemeral);
    // A benchmark reports in the channel: only where the bot is installed (not a user install elsewhere).
    const canPost = interaction.authorizingIntegrationOwners.guildId !== null;
    const messages =
      question === undefined ? rendered : await this.#withBenchOffer(reply, question, rendered, canPost);
    await this.#deliver(conversationId, messages, async (m, i) => {
      const sent =
        i === 0
          ? await this.#webhook.editOriginal(interaction, m)
          : await this.#webhook.followUp(interaction, m, ephemeral);
      this.#remember(sent.id, conversationId);
    });
  }

  #render(reply: Reply, conversationId: string, ephemeral: boolean): DiscordMessage[] {
    const followups = reply.followups ?? [];
    const hasButtons = reply.choices.length > 0 || followups.length > 0 || reply.feedback !== undefined;
    if (!hasButtons) return renderReply(reply, undefined);
    const choiceKeys = reply.choices.map((c) =>
      this.#buttons.encode({ kind: 'choice', conversationId, value: c.value, ephemeral }),
    );
    // A follow-up click asks its topic as a new message in the same conversation, like a choice.
    const followupKeys = followups.map((c) =>
      this.#buttons.encode({ kind: 'choice', conversationId, value: c.value, ephemeral }),
    );
    const feedbackKey = reply.feedback
      ? this.#buttons.encode({ kind: 'feedback', conversationId, ...reply.feedback })
      : undefined;
    return renderReply(reply, {
      choice: (i) => choiceId(choiceKeys[i] ?? ''),
      followup: (i) => choiceId(followupKeys[i] ?? ''),
      feedback: (vote) => feedbackId(feedbackKey ?? '', vote),
    });
  }

  /** Sends each message in order through `send`; a delivery failure is logged, never thrown. */
  async #deliver(
    conversationId: string,
    messages: DiscordMessage[],
    send: (message: DiscordMessage, index: number) => Promise<void>,
  ): Promise<void> {
    try {
      // Buttons drawn for these messages are stored (file, shared store) before anyone can click them.
      await this.#buttons.flush();
      for (const [i, m] of messages.entries()) await this.#call('send message', () => send(m, i));
    } catch (err) {
      this.#logFailure(err, conversationId);
      // The event's claim is released (#answerOnce), so a redelivery of it is answered.
      const outcome = this.#outcome.getStore();
      if (outcome) outcome.failed = true;
    }
  }

  #logFailure(err: unknown, conversationId: string): void {
    this.#logger.error('discord: could not deliver reply', {
      platform: 'discord',
      conversationId,
      reason: err instanceof DeliveryError ? err.reason : classifyDiscordError(err).reason,
      attempts: err instanceof DeliveryError ? err.attempts : 1,
    });
  }
}

/** The button store's key of a message's conversation link (minted button keys never contain ':'). */
function replyKey(messageId: string): string {
  return `msg:${messageId}`;
}

/** A form whose meaning is no longer known (an older version's, or one this host does not serve). */
const EXPIRED_FORM_TEXT = 'That form has expired. Please start again with the command.';
/** "Ask TensorDuel" on a message without text (an image, a sticker, a message whose text Discord withheld). */
const NO_TEXT_TEXT = 'That message has no text I can read. Ask me with `/ask` instead.';

/** A message's text: its content, else the titles and descriptions of its embeds (TensorDuel's own answers). */
function messageText(message: Message | APIMessage): string {
  if (message.content.trim() !== '') return message.content;
  return message.embeds
    .flatMap((e) => [e.title, e.description])
    .filter((t): t is string => typeof t === 'string' && t !== '')
    .join('\n');
}

/** A friendly, secret-free explanation of a failed login. */
function loginFailure(err: unknown): string {
  const text =
    err instanceof Error ? `${err.name} ${err.message} ${(err as { code?: unknown }).code ?? ''}` : '';
  if (/TokenInvalid|401|Unauthorized/i.test(text))
    return 'Discord rejected DISCORD_TOKEN: check the bot token.';
  if (/disallowed intents|4014/i.test(text))
    return 'Discord refused a gateway intent: check the bot under Bot → Privileged Gateway Intents.';
  return `Could not connect to Discord (${classifyDiscordError(err).reason}).`;
}
