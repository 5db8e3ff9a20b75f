/** The Slack adapter: Bolt in Socket Mode or over HTTP, translating Slack events to the core and back. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { App, type Receiver, type ReceiverEvent, SocketModeReceiver } from '@slack/bolt';
import { claimLines } from '../../core/bench/claims.ts';
import { ErrorCode, UserError } from '../../core/errors.ts';
import type { BenchRun } from '../../core/jobs/bench-run.ts';
import type { EventClaims, EventLease, Logger, SharedActions } from '../../core/ports.ts';
import type { AdvisorApi, Reply } from '../../core/types.ts';
import { MemoryThreads, type ThreadMemory } from '../shared/AnsweredThreads.ts';
import { type ButtonAction, ButtonStore } from '../shared/ButtonStore.ts';
import { type ChatBench, isBenchCommand } from '../shared/bench.ts';
import { COMMAND_TABLE, type CommandName, parseCommandLine, slackSyntax } from '../shared/command-table.ts';
import { type ChatCommand, commandText, isChatCommand } from '../shared/commands.ts';
import { decodeConversation, encodeConversation, platformId } from '../shared/conversation-id.ts';
import { askCore, recordFeedback } from '../shared/core-calls.ts';
import { EVENT_CLAIM_MS, inProcessClaims, leaseEvent } from '../shared/event-lease.ts';
import { plainReply } from '../shared/friendly.ts';
import { postJson } from '../shared/http.ts';
import { LogLimiter, type LogLimiterOptions } from '../shared/LogLimiter.ts';
import { ChatMessages } from '../shared/messages.ts';
import { RecentSet } from '../shared/RecentSet.ts';
import {
  DEFAULT_RETRY_POLICY,
  DeliveryError,
  type PlatformCall,
  platformCall,
  type RetryPolicy,
} from '../shared/retry.ts';
import { truncate } from '../shared/split-markdown.ts';
import {
  CHOICE_ACTION,
  decodeLegacyValue,
  FEEDBACK_ACTION,
  FEEDBACK_ACTIONS,
  FOLLOWUP_ACTION,
  type ReplyMode,
} from './actions.ts';
import {
  type AssistantThreadMessage,
  type AssistantTools,
  DEFAULT_SUGGESTED_PROMPTS,
  type SuggestedPrompt,
  THINKING_STATUS,
  tensorDuelAssistant,
} from './assistant.ts';
import { BENCH_MODAL } from './bench-modal.ts';
import { boltLogger } from './bolt-logger.ts';
import { ChartLinks } from './ChartLinks.ts';
import { classifySlackError } from './classify.ts';
import { HttpFrontReceiver } from './HttpFrontReceiver.ts';
import { homeView, lastResultRuns } from './home.ts';
import { fromSlackText } from './markup.ts';
import { parseFeedbackValue, renderReply, type SlackMessage } from './render.ts';
import { BENCH_ACTIONS, SlackBench } from './SlackBench.ts';

/** What answering one event came to: set by the delivery, read by the claim middleware. */
interface EventOutcome {
  failed: boolean;
  /** This process's de-dup keys of the event's message: forgotten when answering failed. */
  seen: string[];
}

/** What the Slack adapter needs; Socket Mode when `appToken` is given, else HTTP with `signingSecret`. */
export interface SlackAdapterOptions {
  advisor: AdvisorApi;
  logger: Logger;
  botToken: string;
  appToken?: string | undefined;
  signingSecret?: string | undefined;
  /** Web API base URL, e.g. `https://slack.com/api/` (tests point it at a fake). */
  apiUrl: string;
  /** HTTP mode: where to listen for Events API and slash command requests (`/slack/events`). */
  port?: number;
  host?: string;
  retry?: RetryPolicy;
  /** The slash command's name as configured in the Slack app. */
  command?: string;
  /**
   * Socket Mode: how long to wait for a pong; also the delay before reconnecting after a drop
   * (default 5000, the library's).
   */
  socketPingTimeoutMs?: number;
  /** HTTP mode: false runs the HTTP front (which acknowledges events) on this thread; default its own thread. */
  httpFrontThread?: boolean;
  /** The benchmark queue: when given, `bench`, `cancel`, `results` and `compare` run benchmarks from chat. */
  bench?: ChatBench | undefined;
  /**
   * The threads TensorDuel has answered in, whose replies it follows up without a mention (default: in
   * memory; pass a FileThreads to keep them across restarts).
   */
  threads?: ThreadMemory | undefined;
  /** Caps on repeated log lines an outsider can trigger (tests inject a clock). */
  logLimits?: LogLimiterOptions;
  /** Prompts offered when a user opens an assistant thread (default: the article's most asked questions). */
  suggestedPrompts?: readonly SuggestedPrompt[];
  /**
   * A file that keeps what each button means (the shared button store), so buttons on messages posted before
   * a restart still work; in memory without it.
   */
  buttonsFile?: string | undefined;
  /** A file that keeps where each result's chart was uploaded (the App Home tab links them); in memory without it. */
  chartsFile?: string | undefined;
  /** Every run the benchmark queue knows (the App Home tab's queue, recent runs and last results). */
  runs?: (() => Promise<readonly BenchRun[]>) | undefined;
  /** The admin report as chat Markdown (`/tensorduel report`); without it the command says it is not available. */
  report?: (() => Promise<string>) | undefined;
  /** Who may see the report: platform ids from TENSORDUEL_ADMINS (`slack:U123`). */
  admins?: readonly string[] | undefined;
  /**
   * Claims of the events it answers, shared with the other replicas (Redis), so an event or Slack's retry of it
   * is answered once whichever replica receives it; default: this process's memory. With `lease`, an event is
   * claimed for {@link EVENT_LEASE_MS} while it is answered, kept for {@link EVENT_CLAIM_MS} once the answer is out,
   * and released when answering failed, so Slack's retry (X-Slack-Retry-Num) is answered.
   */
  claims?: EventClaims | undefined;
  /** What each button means, shared with the other replicas (Redis), so a click on any replica works. */
  sharedButtons?: SharedActions<ButtonAction> | undefined;
}

/** Where a reply goes: a channel (optionally a thread) via chat.postMessage, or a response_url. */
type Destination =
  | { kind: 'chat'; channel: string; threadTs?: string }
  | { kind: 'response'; url: string; visibility: 'in_channel' | 'ephemeral' };

// Answers that are personal dialogue go to the user only; answers worth sharing go to the channel.
const COMMAND_VISIBILITY: Record<ChatCommand, 'in_channel' | 'ephemeral'> = {
  ask: 'in_channel',
  bench: 'in_channel',
  recommend: 'ephemeral',
  help: 'ephemeral',
};

/** The context key under which the HTTP receiver passes the hash of a signed request. */
const REQUEST_KEY = 'tensorduelRequestKey';

/** Message subtypes that are still a person asking something. */
const QUESTION_SUBTYPES: ReadonlySet<string> = new Set(['file_share', 'thread_broadcast']);

/** The key of an answered thread in the thread memory (kept as it was, so remembered threads still match). */
const threadKey = (channel: string, threadTs: string) => `${channel}:${threadTs}`;

/** Slack conversation ids, through the shared codec. */
const slackConversation = {
  thread: (channel: string, threadTs: string) =>
    encodeConversation({ platform: 'slack', channel, place: { kind: 'thread', id: threadTs } }),
  dm: (channel: string) => encodeConversation({ platform: 'slack', channel, place: { kind: 'dm' } }),
  command: (channel: string, triggerId: string) =>
    encodeConversation({ platform: 'slack', channel, place: { kind: 'command', id: triggerId } }),
};

/** Top-level request types Bolt dispatches (helpers.getTypeAndConversation); anything else has no listener. */
function knownRequest(body: Record<string, unknown>): boolean {
  if (body.event !== undefined || body.command !== undefined || body.name !== undefined) return true;
  if (body.actions !== undefined) return true;
  return [
    'block_suggestion',
    'dialog_submission',
    'shortcut',
    'message_action',
    'view_submission',
    'view_closed',
  ].includes(String(body.type));
}

/**
 * Wraps Bolt's receiver so that a request of a type Bolt does not know is acknowledged at once: Bolt itself
 * drops it unacknowledged, which holds the HTTP connection until its 3-second timeout and logs an error.
 */
class KnownTypesReceiver implements Receiver {
  readonly #inner: Receiver;
  readonly #onUnknown: (type: unknown) => void;

  constructor(inner: Receiver, onUnknown: (type: unknown) => void) {
    this.#inner = inner;
    this.#onUnknown = onUnknown;
  }

  init(app: App): void {
    const guard = {
      processEvent: async (event: ReceiverEvent): Promise<void> => {
        const body = (event.body ?? {}) as Record<string, unknown>;
        if (knownRequest(body)) return app.processEvent(event);
        this.#onUnknown(body.type);
        await event.ack();
      },
    };
    // The receivers only call processEvent on the app they are given.
    this.#inner.init(guard as unknown as App);
  }

  start(...args: unknown[]): Promise<unknown> {
    return this.#inner.start(...args);
  }

  stop(...args: unknown[]): Promise<unknown> {
    return this.#inner.stop(...args);
  }
}

/** Loose shapes of the Slack payloads this adapter reads (Bolt's unions are wider than needed). */
interface MessageLikeEvent {
  type: string;
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
}

/** callback_id of the message shortcut "Ask TensorDuel about this message" (manifest.yml names it too). */
export const ASK_SHORTCUT = 'td_ask_message';

/** The parts of a message shortcut (`message_action`) payload this adapter reads. */
interface MessageShortcut {
  user: { id: string };
  channel?: { id: string };
  message?: { ts?: string; thread_ts?: string; text?: string };
  response_url: string;
}

interface BlockActionBody {
  user: { id: string };
  channel?: { id: string };
  container?: { is_ephemeral?: boolean };
  message?: { ts?: string; thread_ts?: string };
  response_url?: string;
}

/**
 * Serves TensorDuel on Slack: app mentions (answered in their thread), DMs, `/tensorduel` and buttons.
 * @example const slack = new SlackAdapter({ advisor, logger, botToken, signingSecret, apiUrl, port: 3000 });
 * await slack.start();
 */
export class SlackAdapter {
  /** `socket` (SLACK_APP_TOKEN set) or `http` (Events API with signature verification). */
  readonly mode: 'socket' | 'http';
  readonly #options: SlackAdapterOptions;
  readonly #logger: Logger;
  readonly #app: App;
  readonly #socketReceiver: SocketModeReceiver | undefined;
  readonly #seen = new RecentSet({ capacity: 20_000, ttlMs: 2 * 60 * 60 * 1000 });
  readonly #claims: EventClaims;
  /** The outcome of the event whose listeners are running (async context of the claim middleware). */
  readonly #outcome = new AsyncLocalStorage<EventOutcome>();
  /** Signed requests already handled (Bolt refuses timestamps older than 5 minutes; kept for 10). */
  readonly #signed = new RecentSet({ capacity: 20_000, ttlMs: 10 * 60 * 1000 });
  readonly #threads: ThreadMemory;
  readonly #warnings: LogLimiter;
  #stopping = false;
  #socketDropped = false;
  readonly #call: PlatformCall;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #bench: SlackBench | undefined;
  /** The texts Slack shows on its own, spelled with this app's slash command. */
  readonly #messages: ChatMessages;
  /** What each button means; a button's value is its key here. */
  readonly #buttons: ButtonStore;
  /** HTTP mode: the receiver whose front (in its own thread) acknowledges events. */
  #front: HttpFrontReceiver | undefined;
  #started = false;

  constructor(options: SlackAdapterOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#call = platformCall({
      policy: options.retry ?? DEFAULT_RETRY_POLICY,
      classify: classifySlackError,
      logger: options.logger,
      fields: { platform: 'slack' },
    });
    const fields = { platform: 'slack' };
    const libLogger = boltLogger(options.logger, fields, options.logLimits);
    this.#warnings = new LogLimiter(options.logLimits);
    this.#threads = options.threads ?? new MemoryThreads();
    this.#claims = options.claims ?? inProcessClaims(this.#seen);
    this.#messages = new ChatMessages(slackSyntax(options.command ?? '/tensorduel'));
    this.#buttons = new ButtonStore({
      ...(options.buttonsFile ? { file: options.buttonsFile } : {}),
      shared: options.sharedButtons,
      logger: options.logger,
      onError: (err) =>
        options.logger.warn('slack: cannot keep button state on disk; buttons will not survive a restart', {
          platform: 'slack',
          file: options.buttonsFile,
          error: err instanceof Error ? err.message : String(err),
        }),
    });
    // Retries are ours (withRetry): the library's default policy would retry for ~30 minutes, silently.
    const clientOptions = {
      slackApiUrl: options.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: libLogger,
    };
    if (options.appToken) {
      this.mode = 'socket';
      this.#socketReceiver = new SocketModeReceiver({
        appToken: options.appToken,
        logger: libLogger,
        ...(options.socketPingTimeoutMs ? { clientPingTimeout: options.socketPingTimeoutMs } : {}),
        // The socket client keeps its own reconnect policy for apps.connections.open.
        installerOptions: { clientOptions: { slackApiUrl: options.apiUrl } },
      });
    } else {
      if (!options.signingSecret)
        throw new UserError(
          ErrorCode.InvalidInput,
          'Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP events).',
        );
      this.mode = 'http';
      this.#socketReceiver = undefined;
    }
    this.#front = this.#socketReceiver
      ? undefined
      : new HttpFrontReceiver({
          signingSecret: options.signingSecret ?? '',
          // A signed request can be captured and replayed within the 5-minute window; commands and clicks carry
          // no id, so each request is known by a hash of what was signed (timestamp and raw body).
          keyProperty: REQUEST_KEY,
          // Events are acknowledged by the front's own thread as soon as they are verified (issue 8 part 5).
          ...(options.httpFrontThread === false ? { thread: false } : {}),
          // Through Bolt's logger, capped as its own warnings are.
          onWarn: (message) => libLogger.warn(message),
          onError: (message, err) => this.#logger.error(message, { ...fields, err }),
        });
    const receiver = this.#socketReceiver ?? (this.#front as HttpFrontReceiver);
    this.#app = new App({
      token: options.botToken,
      receiver: new KnownTypesReceiver(receiver, (type) => this.#unknownType(type)),
      logger: libLogger,
      clientOptions,
      deferInitialization: true,
      convoStore: false,
    });
    if (options.bench) {
      this.#bench = new SlackBench({
        bench: options.bench,
        client: this.#app.client,
        logger: options.logger,
        call: this.#call,
        messages: this.#messages,
        buttons: this.#buttons,
        charts: new ChartLinks({ file: options.chartsFile }),
        runs: options.runs,
      });
      options.bench.queue.attach('slack', this.#bench);
    }
    this.#app.error(async (err) => {
      this.#logger.error('slack listener failed', { ...fields, code: (err as { code?: string }).code, err });
    });
    this.#register();
  }

  /** The HTTP port listened on (HTTP mode, after start). */
  get port(): number | undefined {
    return this.#front?.port;
  }

  /** Checks the bot token (auth.test) and starts receiving events. */
  async start(): Promise<void> {
    try {
      await this.#app.init();
    } catch (err) {
      const reason = classifySlackError(err).reason;
      throw new UserError(
        ErrorCode.Permission,
        `Slack did not accept SLACK_BOT_TOKEN (auth.test: ${reason}).`,
        {
          cause: err,
        },
      );
    }
    if (this.#socketReceiver) {
      const client = this.#socketReceiver.client;
      client.on('close', () => {
        if (this.#stopping || this.#socketDropped) return;
        this.#socketDropped = true;
        this.#logger.warn('slack: Socket Mode connection dropped; reconnecting', { platform: 'slack' });
      });
      client.on('connected', () => {
        if (!this.#socketDropped) return;
        this.#socketDropped = false;
        this.#logger.info('slack: Socket Mode connection restored', { platform: 'slack' });
      });
      await this.#app.start();
      this.#logger.info('slack: connected in Socket Mode', { platform: 'slack' });
    } else {
      await this.#app.start({
        port: this.#options.port ?? 3000,
        host: this.#options.host ?? '0.0.0.0',
      });
      this.#logger.info('slack: listening for events', {
        platform: 'slack',
        path: '/slack/events',
        port: this.port,
      });
    }
    this.#started = true;
  }

  /** Stops receiving, waits for replies in progress, and closes every socket so the process can exit. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#stopping = true;
    if (this.#socketReceiver) {
      const client = this.#socketReceiver.client;
      // app.stop() returns before the WebSocket is closed; its `disconnected` event is the real end.
      const disconnected = new Promise<void>((resolve) => {
        client.once('disconnected', () => resolve());
        setTimeout(resolve, 2000).unref();
      });
      await this.#app.stop();
      await disconnected;
    } else {
      // The front closes its idle connections itself.
      await this.#app.stop();
    }
    await Promise.allSettled([...this.#inFlight]);
    this.#bench?.close();
    await this.#buttons.flush();
  }

  #register(): void {
    // Slack re-sends an event when the ack was slow (X-Slack-Retry-Num, same event_id): answer it once. A
    // signed request replayed as it was (same timestamp and body) is acknowledged and dropped.
    this.#app.use(async (args) => {
      const { body, context, next } = args;
      const requestKey = context[REQUEST_KEY];
      if (typeof requestKey === 'string' && this.#signed.checkAndAdd(requestKey)) {
        const ack = (args as { ack?: () => Promise<void> }).ack;
        if (ack) await ack();
        this.#warn('slack: replayed request ignored', { platform: 'slack' });
        return;
      }
      const eventId = (body as { event_id?: unknown }).event_id;
      if (typeof eventId !== 'string') {
        await next();
        return;
      }
      const lease = await leaseEvent(this.#claims, `slack:event:${eventId}`);
      if (!lease) {
        this.#logger.debug('slack: duplicate event ignored', {
          platform: 'slack',
          eventId,
          retryNum: context.retryNum,
        });
        return;
      }
      const outcome: EventOutcome = { failed: false, seen: [] };
      try {
        await this.#outcome.run(outcome, next);
      } catch (err) {
        outcome.failed = true;
        throw err;
      } finally {
        await this.#settleLease(lease, outcome, eventId);
      }
    });

    // The assistant panel's events, and every message in a DM thread (Bolt's Assistant takes those), go here.
    this.#app.assistant(
      tensorDuelAssistant({
        prompts: this.#options.suggestedPrompts ?? DEFAULT_SUGGESTED_PROMPTS,
        threadStarted: (thread, tools) => this.#track(this.#assistantThreadStarted(thread, tools)),
        userMessage: (message, tools) => this.#track(this.#assistantMessage(message, tools)),
      }),
    );

    this.#app.event('app_mention', async ({ event }) => {
      const e = event as unknown as MessageLikeEvent;
      if (e.bot_id || e.subtype === 'bot_message' || !e.user) return;
      const threadTs = e.thread_ts ?? e.ts;
      // Remembered before answering: a reply in the thread that arrives meanwhile is followed up too.
      await this.#rememberThread(e.channel, threadTs);
      await this.#track(
        this.#answerMessage(e, slackConversation.thread(e.channel, threadTs), {
          kind: 'chat',
          channel: e.channel,
          threadTs,
        }),
      );
    });

    this.#app.event('message', async ({ event, context }) => {
      const e = event as unknown as MessageLikeEvent;
      // Only people's messages: edits, joins and bot posts (ours included) carry another subtype or a bot_id.
      // A message with files (file_share) or also sent to the channel (thread_broadcast) is still a question.
      if ((e.subtype && !QUESTION_SUBTYPES.has(e.subtype)) || e.bot_id || !e.user) return;
      if (e.channel_type === 'im') {
        const destination: Destination = { kind: 'chat', channel: e.channel };
        if (e.thread_ts) destination.threadTs = e.thread_ts;
        const conversationId = e.thread_ts
          ? slackConversation.thread(e.channel, e.thread_ts)
          : slackConversation.dm(e.channel);
        await this.#track(this.#answerMessage(e, conversationId, destination));
        return;
      }
      // In channels: a reply in a thread TensorDuel has answered in. A reply that mentions the bot also arrives
      // as app_mention and is answered there.
      if (!e.thread_ts) return;
      const botUserId = context.botUserId;
      if (botUserId && (e.text ?? '').includes(`<@${botUserId}`)) return;
      if (!(await this.#threads.has(threadKey(e.channel, e.thread_ts)))) return;
      await this.#track(
        this.#answerMessage(e, slackConversation.thread(e.channel, e.thread_ts), {
          kind: 'chat',
          channel: e.channel,
          threadTs: e.thread_ts,
        }),
      );
    });

    this.#app.command(this.#options.command ?? '/tensorduel', async ({ command, ack }) => {
      await ack();
      await this.#track(this.#slashCommand(command));
    });

    // The App Home tab is built afresh each time it is opened.
    this.#app.event('app_home_opened', async ({ event }) => {
      const e = event as { user?: string; tab?: string };
      if (e.tab !== 'home' || !e.user) return;
      await this.#track(this.#publishHome(e.user));
    });

    // "Ask TensorDuel about this message", from a message's ⋮ menu.
    this.#app.shortcut({ callback_id: ASK_SHORTCUT, type: 'message_action' }, async ({ shortcut, ack }) => {
      await ack();
      await this.#track(this.#askAboutMessage(shortcut as unknown as MessageShortcut));
    });

    this.#app.view(BENCH_MODAL, async ({ ack, body, view }) => {
      await ack();
      if (this.#bench) await this.#track(this.#bench.submitModal(body.user.id, view));
    });

    this.#app.action(
      new RegExp(
        `^(${CHOICE_ACTION}_\\d+|${FOLLOWUP_ACTION}_\\d+|${FEEDBACK_ACTION}|${FEEDBACK_ACTIONS.up}|${FEEDBACK_ACTIONS.down})$`,
      ),
      async (args) => {
        await args.ack();
        const action = args.action as { action_id: string; value?: string };
        await this.#track(
          this.#buttonClick(action.action_id, action.value, args.body as unknown as BlockActionBody),
        );
      },
    );

    this.#app.action(new RegExp(`^(${BENCH_ACTIONS.cancel}|${BENCH_ACTIONS.start})$`), async (args) => {
      await args.ack();
      const action = args.action as { action_id: string; value?: string };
      await this.#track(
        this.#benchClick(action.action_id, action.value, args.body as unknown as BlockActionBody),
      );
    });
  }

  /** Keeps the event's claim once it is answered; releases it when answering failed, so Slack's retry is answered. */
  async #settleLease(lease: EventLease, outcome: EventOutcome, eventId: string): Promise<void> {
    try {
      if (!outcome.failed) {
        await lease.keep(EVENT_CLAIM_MS);
        return;
      }
      for (const key of outcome.seen) this.#seen.delete(key);
      await lease.release();
      this.#logger.info(
        "slack: answering an event failed; its claim is released so Slack's retry is answered",
        {
          platform: 'slack',
          eventId,
        },
      );
    } catch (err) {
      this.#logger.warn('slack: could not settle an event claim', { platform: 'slack', eventId, err });
    }
  }

  /** Records that `key` of #seen belongs to the event being answered (forgotten if answering it fails). */
  #seenForEvent(key: string): void {
    this.#outcome.getStore()?.seen.push(key);
  }

  async #assistantThreadStarted(
    thread: { channel: string; threadTs: string },
    tools: AssistantTools,
  ): Promise<void> {
    const prompts = this.#options.suggestedPrompts ?? DEFAULT_SUGGESTED_PROMPTS;
    await this.#bestEffort('assistant.threads.setSuggestedPrompts', () =>
      tools.setSuggestedPrompts(prompts.slice(0, 4), 'Most asked about TensorFlow vs PyTorch'),
    );
    const greeting =
      "Hi! I'm *TensorDuel*: I answer TensorFlow vs PyTorch questions from the article, recommend a framework for your project, and run benchmarks. Pick a question below or ask your own.";
    await this.#bestEffort('chat.postMessage', () =>
      this.#app.client.chat.postMessage({
        channel: thread.channel,
        thread_ts: thread.threadTs,
        text: greeting,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: greeting } }],
      }),
    );
  }

  /** A message in an assistant thread (or any DM thread): "is thinking…" while the advisor answers. */
  async #assistantMessage(m: AssistantThreadMessage, tools: AssistantTools): Promise<void> {
    if (this.#seen.checkAndAdd(`message:${m.channel}:${m.ts}`)) return;
    this.#seenForEvent(`message:${m.channel}:${m.ts}`);
    const text = fromSlackText(m.text);
    // Without the assistant panel (a plain DM thread, or a plan without it) Slack refuses these: no harm done.
    await this.#bestEffort('assistant.threads.setStatus', () => tools.setStatus(THINKING_STATUS));
    if (!this.#seen.checkAndAdd(`titled:${m.channel}:${m.threadTs}`) && text !== '')
      await this.#bestEffort('assistant.threads.setTitle', () => tools.setTitle(truncate(text, 60)));
    await this.#answer(slackConversation.thread(m.channel, m.threadTs), m.user, text, {
      kind: 'chat',
      channel: m.channel,
      threadTs: m.threadTs,
    });
  }

  /** A platform call whose failure only costs a nicety (a status, a title): logged at debug, never thrown. */
  async #bestEffort(what: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await this.#call(what, call);
    } catch (err) {
      this.#logger.debug('slack: optional call failed', {
        platform: 'slack',
        call: what,
        reason: err instanceof DeliveryError ? err.reason : classifySlackError(err).reason,
      });
    }
  }

  /** Answers a message event once (an app_mention and a message event may both carry it). */
  async #answerMessage(e: MessageLikeEvent, conversationId: string, destination: Destination): Promise<void> {
    if (this.#seen.checkAndAdd(`message:${e.channel}:${e.ts}`)) return;
    this.#seenForEvent(`message:${e.channel}:${e.ts}`);
    await this.#answer(conversationId, e.user ?? '', fromSlackText(e.text ?? ''), destination);
  }

  async #rememberThread(channel: string, threadTs: string): Promise<void> {
    try {
      await this.#threads.add(threadKey(channel, threadTs));
    } catch (err) {
      this.#warn('slack: could not remember an answered thread', { platform: 'slack', err });
    }
  }

  /** A request Bolt has no type for: acknowledged at once (it would hold the connection 3 s), logged capped. */
  #unknownType(type: unknown): void {
    this.#warn('slack: ignored a request of unknown type', {
      platform: 'slack',
      type: typeof type === 'string' ? type.slice(0, 40) : typeof type,
    });
  }

  /** A warning that an outsider can trigger at will: capped per message. */
  #warn(msg: string, fields: Record<string, unknown>): void {
    const { write, dropped } = this.#warnings.admit(msg);
    if (write) this.#logger.warn(msg, dropped > 0 ? { ...fields, suppressedSimilar: dropped } : fields);
  }

  async #benchClick(actionId: string, value: string | undefined, body: BlockActionBody): Promise<void> {
    if (!this.#bench) {
      if (body.response_url)
        await this.#deliver(plainReply(this.#messages.expiredButton), '', 'r', {
          kind: 'response',
          url: body.response_url,
          visibility: 'ephemeral',
        });
      return;
    }
    await this.#bench.click(actionId, value, body);
  }

  async #slashCommand(command: {
    text: string;
    user_id: string;
    channel_id: string;
    trigger_id: string;
    response_url: string;
  }): Promise<void> {
    const parsed = parseCommandLine(command.text);
    const scope = { bench: this.#bench !== undefined, admin: this.#isAdmin(command.user_id) };
    const respond = (visibility: 'in_channel' | 'ephemeral'): Destination => ({
      kind: 'response',
      url: command.response_url,
      visibility,
    });
    const privately = async (text: string): Promise<void> => {
      await this.#deliver(plainReply(text), '', 'r', respond('ephemeral'));
    };
    if (parsed.kind !== 'command')
      return privately(this.#messages.unknownCommand(parsed.kind === 'unknown' ? parsed.name : '', scope));
    const sub: CommandName = parsed.command;
    if (this.#bench && isBenchCommand(sub)) {
      await this.#bench.command(sub, parsed.args, {
        userId: command.user_id,
        channelId: command.channel_id,
        responseUrl: command.response_url,
        triggerId: command.trigger_id,
      });
      return;
    }
    if (sub === 'report') return privately(await this.#report(command.user_id));
    if (!isChatCommand(sub)) {
      if (COMMAND_TABLE[sub].group === 'bench') return privately(this.#messages.benchOff());
      return privately(this.#messages.unknownCommand(sub, scope));
    }
    const text = commandText(sub, fromSlackText(parsed.args));
    if (text === undefined) return privately(this.#messages.missingArgument(sub));
    // Each command starts a fresh conversation; its buttons carry the id to continue it.
    const conversationId = slackConversation.command(command.channel_id, command.trigger_id);
    const reply = await askCore(
      this.#options.advisor,
      { conversationId, userId: platformId('slack', command.user_id), text },
      this.#logger,
      { platform: 'slack' },
    );
    const shown =
      sub === 'help'
        ? { ...reply, parts: [{ type: 'text' as const, text: this.#messages.help(scope) }, ...reply.parts] }
        : reply;
    await this.#deliver(
      shown,
      conversationId,
      'r',
      respond(COMMAND_VISIBILITY[sub]),
      await this.#benchOffer(reply, text),
    );
  }

  /** Admins are named in TENSORDUEL_ADMINS; without that list, the benchmark queue's policy says. */
  #isAdmin(user: string): boolean {
    const id = platformId('slack', user);
    return this.#options.admins ? this.#options.admins.includes(id) : (this.#bench?.isAdmin(id) ?? false);
  }

  /** `/tensorduel report`: the admin report, or a friendly refusal. */
  async #report(user: string): Promise<string> {
    if (COMMAND_TABLE.report.adminOnly && !this.#isAdmin(user)) return this.#messages.notAdmin('report');
    if (!this.#options.report) return 'The report is not available on this host (it needs the database).';
    try {
      return await this.#options.report();
    } catch (err) {
      this.#logger.error('slack: the admin report failed', { platform: 'slack', err });
      return this.#messages.somethingWentWrong;
    }
  }

  /** Publishes the App Home tab for `user`: what TensorDuel does, the queue, their runs, the last results. */
  async #publishHome(user: string): Promise<void> {
    const bench = this.#bench;
    // The runs may live in Redis (the distributed queue): the tab is published without them when they cannot be read.
    let runs: readonly BenchRun[] | undefined;
    let runsUnavailable = false;
    try {
      runs = bench ? await bench.runs() : undefined;
    } catch (err) {
      runsUnavailable = true;
      this.#warn('slack: benchmark runs unavailable; Home tab published without them', {
        platform: 'slack',
        err,
      });
    }
    const results = await Promise.all(
      lastResultRuns(runs ?? []).map(async (run) => {
        // A result that cannot be read is listed without its summary and chart.
        const doc = await bench?.resultOf(run.id).catch(() => undefined);
        return {
          run,
          summary: doc ? claimLines(doc)[0] : undefined,
          chart: doc ? await bench?.chartLink(doc.id).catch(() => undefined) : undefined,
        };
      }),
    );
    const view = homeView({
      help: this.#messages.help({ bench: bench !== undefined, admin: this.#isAdmin(user) }),
      runs,
      runsUnavailable,
      user,
      results,
      now: new Date(),
      command: (name, args) => this.#messages.command(name, args),
    });
    await this.#bestEffort('views.publish', () => this.#app.client.views.publish({ user_id: user, view }));
  }

  /**
   * The message shortcut: the message's text is asked in its thread (a conversation TensorDuel then follows);
   * where it cannot post there (not a member of the channel), the answer comes privately.
   */
  async #askAboutMessage(s: MessageShortcut): Promise<void> {
    const channel = s.channel?.id ?? '';
    const text = fromSlackText(s.message?.text ?? '');
    const privately = (reply: Reply, conversationId: string) =>
      this.#deliver(reply, conversationId, 'r', {
        kind: 'response',
        url: s.response_url,
        visibility: 'ephemeral',
      });
    if (text === '' || !s.message?.ts) {
      await privately(
        plainReply('That message has no text I can read. Ask me about one with words in it.'),
        '',
      );
      return;
    }
    const threadTs = s.message.thread_ts ?? s.message.ts;
    const conversationId = slackConversation.thread(channel, threadTs);
    const reply = await askCore(
      this.#options.advisor,
      { conversationId, userId: platformId('slack', s.user.id), text },
      this.#logger,
      { platform: 'slack' },
    );
    const offer = await this.#benchOffer(reply, text);
    if (await this.#deliver(reply, conversationId, 't', { kind: 'chat', channel, threadTs }, offer)) {
      await this.#rememberThread(channel, threadTs);
      return;
    }
    await privately(reply, conversationId);
  }

  async #buttonClick(actionId: string, value: string | undefined, body: BlockActionBody): Promise<void> {
    // 👍/👎: the feedback_buttons element says the vote in its value; buttons of earlier releases in their id.
    const feedback = actionId === FEEDBACK_ACTION ? parseFeedbackValue(value) : undefined;
    const isFeedback =
      actionId === FEEDBACK_ACTION || actionId === FEEDBACK_ACTIONS.up || actionId === FEEDBACK_ACTIONS.down;
    const action = (await this.#buttons.lookup(feedback ? feedback.key : value)) ?? legacyAction(value);
    const userId = platformId('slack', body.user.id);
    const ephemeral = (url: string): Destination => ({ kind: 'response', url, visibility: 'ephemeral' });
    // A key of another kind of button (tampered with, or pasted from one) is as good as an expired one.
    if (!action || action.kind !== (isFeedback ? 'feedback' : 'choice')) {
      if (body.response_url)
        await this.#deliver(plainReply(this.#messages.expiredButton), '', 'r', ephemeral(body.response_url));
      return;
    }
    if (action.kind === 'feedback') {
      const vote = feedback?.vote ?? (actionId === FEEDBACK_ACTIONS.up ? 'up' : 'down');
      const ok = await recordFeedback(
        this.#options.advisor,
        {
          conversationId: action.conversationId,
          userId,
          entryId: action.entryId,
          question: action.question,
          vote,
        },
        this.#logger,
        { platform: 'slack' },
      );
      const text = ok ? this.#messages.feedbackThanks : this.#messages.feedbackFailed;
      if (body.response_url) await this.#deliver(plainReply(text), '', 'r', ephemeral(body.response_url));
      return;
    }
    if (action.kind !== 'choice') return;
    let destination: Destination;
    if (action.respond && body.response_url) {
      destination = {
        kind: 'response',
        url: body.response_url,
        visibility: body.container?.is_ephemeral ? 'ephemeral' : 'in_channel',
      };
    } else {
      // A thread's conversation continues in the thread; a DM's or a command's in the channel itself.
      const ref = decodeConversation(action.conversationId, 'slack');
      const channel = ref?.channel ?? body.channel?.id ?? '';
      destination =
        ref?.place.kind === 'thread'
          ? { kind: 'chat', channel, threadTs: ref.place.id }
          : { kind: 'chat', channel };
    }
    await this.#answer(
      action.conversationId,
      body.user.id,
      action.value,
      destination,
      action.respond ? 'r' : 't',
    );
  }

  async #answer(
    conversationId: string,
    user: string,
    text: string,
    destination: Destination,
    mode: ReplyMode = 't',
  ): Promise<void> {
    const reply = await askCore(
      this.#options.advisor,
      { conversationId, userId: platformId('slack', user), text: text === '' ? 'help' : text },
      this.#logger,
      { platform: 'slack' },
    );
    await this.#deliver(reply, conversationId, mode, destination, await this.#benchOffer(reply, text));
  }

  /**
   * The Start benchmark button, for a benchmark request or a performance answer with nothing measured on this
   * host yet (`offerBenchmark`); none without the benchmark queue.
   */
  async #benchOffer(reply: Reply, text: string): Promise<SlackMessage['blocks'] | undefined> {
    if (!this.#bench || (reply.intent !== 'benchmark' && !reply.offerBenchmark)) return undefined;
    return [await this.#bench.startButton(text)];
  }

  /** Sends every message of a rendered reply, in order; a delivery failure is logged, never thrown. */
  async #deliver(
    reply: Reply,
    conversationId: string,
    mode: ReplyMode,
    destination: Destination,
    extraBlocks?: SlackMessage['blocks'],
  ): Promise<boolean> {
    const messages = renderReply(reply, conversationId, mode, (action) => this.#buttons.encode(action));
    const last = messages[messages.length - 1];
    if (extraBlocks && last) last.blocks = [...last.blocks, ...extraBlocks];
    // On disk before it is shown: a button must not outlive what it means.
    await this.#buttons.flush();
    try {
      for (const message of messages) await this.#send(message, destination);
      return true;
    } catch (err) {
      const reason = err instanceof DeliveryError ? err.reason : classifySlackError(err).reason;
      this.#logger.error('slack: could not deliver reply', {
        platform: 'slack',
        conversationId,
        reason,
        attempts: err instanceof DeliveryError ? err.attempts : 1,
      });
      // Answering the event failed: its claim is released (the claim middleware), so Slack's retry is answered.
      const outcome = this.#outcome.getStore();
      if (outcome) outcome.failed = true;
      return false;
    }
  }

  #send(message: SlackMessage, destination: Destination): Promise<unknown> {
    if (destination.kind === 'response') {
      const payload = { ...message, response_type: destination.visibility, replace_original: false };
      return this.#call('response_url', () => postJson(destination.url, payload));
    }
    const args = {
      channel: destination.channel,
      text: message.text,
      blocks: message.blocks,
      ...(destination.threadTs ? { thread_ts: destination.threadTs } : {}),
    };
    return this.#call('chat.postMessage', () => this.#app.client.chat.postMessage(args));
  }

  async #track(work: Promise<void>): Promise<void> {
    this.#inFlight.add(work);
    try {
      await work;
    } finally {
      this.#inFlight.delete(work);
    }
  }
}

/** A button value of an earlier release (its payload as JSON), as a button action. */
function legacyAction(value: string | undefined): ButtonAction | undefined {
  const p = decodeLegacyValue(value);
  if (!p) return undefined;
  const respond = p.m === 'r' ? { respond: true } : {};
  return p.k === 'c'
    ? { kind: 'choice', conversationId: p.c, value: p.v, ...respond }
    : { kind: 'feedback', conversationId: p.c, entryId: p.e, question: p.q, ...respond };
}
