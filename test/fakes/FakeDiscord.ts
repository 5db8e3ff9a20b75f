/**
 * A fake Discord on 127.0.0.1: REST under `/api/v10` and a JSON gateway (HELLO, IDENTIFY → READY +
 * GUILD_CREATE, heartbeats, RESUME), with helpers that dispatch messages and interactions to the bot.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  closeServer,
  FailureQueue,
  type FormPart,
  type InjectedFailure,
  isPng,
  listen,
  parseMultipart,
  readRaw,
  waitFor,
} from './util.ts';

/** One REST call the bot made. */
export interface DiscordRestCall {
  method: string;
  /** Path below /api/v10, URL-decoded (e.g. `/webhooks/1/tok/messages/@original`). */
  path: string;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
  at: number;
  /** The message object the fake answered with, for calls that create or edit a message. */
  response?: Record<string, unknown>;
  /** Files of a multipart request (attachments), with whether each is a PNG. */
  files?: Array<FormPart & { png: boolean }>;
}

/**
 * Where an interaction happens, as Discord says it (`context` and `authorizing_integration_owners`):
 * - `guild`: a server channel of a server that installed the bot (default);
 * - `user-install`: a server channel where only the user installed the app (no bot there);
 * - `bot-dm`: the user's DM with the bot;
 * - `private`: a DM or group DM between users, through the user's install.
 */
export type InteractionPlace = 'guild' | 'user-install' | 'bot-dm' | 'private';

/** Who acts in an interaction: a guild member with roles (default: the usual test user, no roles), and where. */
export interface Actor {
  userId?: string;
  roles?: string[];
  place?: InteractionPlace;
}

/** A DM channel of the fake (the bot's DM with the test user, and a DM between two users). */
export const DM_CHANNELS = { bot: '300000000000000011', private: '300000000000000012' } as const;

/** Ids of the fake world. */
export const DISCORD_IDS = {
  bot: '100000000000000001',
  app: '100000000000000002',
  guild: '200000000000000001',
  channel: '300000000000000001',
  thread: '300000000000000002',
  /** A guild role ("ml-team") a test member may hold. */
  role: '600000000000000001',
  otherBot: '100000000000000009',
  /** A server the bot is not in, where a user installed the app for themselves. */
  otherGuild: '200000000000000002',
  otherChannel: '300000000000000021',
} as const;

const GATEWAY_VERSION = 10;

/** A user object. */
function user(id: string, name: string, bot = false): Record<string, unknown> {
  return { id, username: name, discriminator: '0', global_name: name, avatar: null, bot };
}

/** The fake Discord. */
export class FakeDiscord {
  readonly calls: DiscordRestCall[] = [];
  readonly failures = new FailureQueue();
  /** Gateway opcodes received from the bot, in order (2 = IDENTIFY, 6 = RESUME). */
  readonly opcodes: number[] = [];
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #port: number;
  #socket: WebSocket | undefined;
  #seq = 0;
  /** Fakes made so far in this process: each draws its snowflakes from a range of its own. */
  static #made = 0n;
  // Unique across fakes, as Discord's are: replicas on two fakes share event claims keyed by message id.
  #ids = 400_000_000_000_000_000n + FakeDiscord.#made++ * 1_000_000_000n;
  #ready = 0;
  #sessionId = 'fake-session';
  #rejectIntents = false;
  #callbacksHeld: Promise<void> = Promise.resolve();
  /** Every interaction dispatched, by id, as it was sent (for redeliveries). */
  readonly #interactions = new Map<string, Record<string, unknown>>();
  /** The intents of the last IDENTIFY. */
  #intents = 0;

  private constructor(server: Server, wss: WebSocketServer, port: number) {
    this.#server = server;
    this.#wss = wss;
    this.#port = port;
  }

  /** Starts the fake on a random port. */
  static async start(): Promise<FakeDiscord> {
    const server = createServer();
    const wss = new WebSocketServer({ noServer: true });
    const port = await listen(server);
    const fake = new FakeDiscord(server, wss, port);
    server.on('request', (req, res) => {
      fake.#route(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
    server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => fake.#onSocket(ws)),
    );
    return fake;
  }

  /** Base URL for DISCORD_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }

  /** How many READY sessions were established (IDENTIFY) or resumed (RESUME). */
  get sessions(): number {
    return this.#ready;
  }

  /** Whether the bot asked for the privileged MESSAGE_CONTENT intent (1 << 15) when it identified. */
  get messageContentIntent(): boolean {
    return (this.#intents & (1 << 15)) !== 0;
  }

  /**
   * Holds every interaction callback's response (the request is recorded when it arrives) until the returned
   * function is called: the bot's acknowledgements stay in flight as long as a test needs.
   */
  holdCallbacks(): () => void {
    let release!: () => void;
    this.#callbacksHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.#callbacksHeld = Promise.resolve();
      release();
    };
  }

  /** Makes the next IDENTIFY fail with close code 4014 (privileged intent not enabled). */
  rejectPrivilegedIntents(): void {
    this.#rejectIntents = true;
  }

  /** A fresh snowflake. */
  nextId(): string {
    this.#ids += 1n;
    return String(this.#ids);
  }

  /** Queues failures for requests whose `METHOD path` matches. */
  failNext(match: string | RegExp, ...failures: InjectedFailure[]): void {
    this.failures.add(match, ...failures);
  }

  /** REST calls whose `METHOD path` matches. */
  callsMatching(match: RegExp): DiscordRestCall[] {
    return this.calls.filter((c) => match.test(`${c.method} ${c.path}`));
  }

  /** Waits for `count` REST calls matching. */
  waitForCalls(match: RegExp, count: number, timeoutMs = 30_000): Promise<DiscordRestCall[]> {
    return waitFor(
      () => {
        const calls = this.callsMatching(match);
        return calls.length >= count ? calls : undefined;
      },
      `${count} call(s) matching ${match}`,
      timeoutMs,
    );
  }

  /** Waits until `count` sessions are ready (READY or RESUMED sent). */
  waitForSessions(count: number, timeoutMs = 30_000): Promise<number> {
    return waitFor(() => this.#ready >= count && this.#ready, `${count} gateway session(s)`, timeoutMs);
  }

  /** Sends a dispatch event to the bot. */
  dispatch(t: string, d: unknown): void {
    if (!this.#socket) throw new Error('no gateway connection');
    this.#socket.send(JSON.stringify({ op: 0, t, s: ++this.#seq, d }));
  }

  /**
   * Dispatches MESSAGE_CREATE from a user (or bot); returns the message id.
   * `where`: a guild channel (default), the thread, or a DM channel id.
   */
  sendMessage(options: {
    content: string;
    mentionBot?: boolean;
    authorId?: string;
    authorBot?: boolean;
    where?: 'channel' | 'thread' | { dm: string };
    replyTo?: string;
    /**
     * With `replyTo`, the message replied to as Discord sends it along (`referenced_message`). Default: the
     * message if this fake's bot sent it; a message object: one that another replica's session saw the bot send;
     * `false`: none (Discord may leave it out).
     */
    referenced?: Record<string, unknown> | false;
    id?: string;
  }): string {
    const id = options.id ?? this.nextId();
    const authorId = options.authorId ?? '500000000000000001';
    const author =
      authorId === DISCORD_IDS.bot
        ? user(authorId, 'TensorDuel', true)
        : user(authorId, 'someone', options.authorBot);
    const where = options.where ?? 'channel';
    const inGuild = typeof where === 'string';
    const channelId =
      typeof where === 'string' ? (where === 'thread' ? DISCORD_IDS.thread : DISCORD_IDS.channel) : where.dm;
    const mentionBot = options.mentionBot ?? inGuild;
    const content = mentionBot ? `<@${DISCORD_IDS.bot}> ${options.content}` : options.content;
    // Like Discord: without the MESSAGE_CONTENT intent a guild message's text is empty, except when it mentions
    // the bot or the bot wrote it; DMs always carry it.
    const readable = !inGuild || mentionBot || authorId === DISCORD_IDS.bot || this.messageContentIntent;
    this.dispatch('MESSAGE_CREATE', {
      id,
      channel_id: channelId,
      // Real Discord sends channel_type; without it an uncached DM channel cannot be built.
      channel_type: inGuild ? (where === 'thread' ? 11 : 0) : 1,
      ...(inGuild ? { guild_id: DISCORD_IDS.guild, member: member() } : {}),
      author,
      content: readable ? content : '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: mentionBot ? [user(DISCORD_IDS.bot, 'TensorDuel', true)] : [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: options.replyTo ? 19 : 0,
      ...(options.replyTo
        ? {
            message_reference: {
              type: 0,
              message_id: options.replyTo,
              channel_id: channelId,
              ...(inGuild ? { guild_id: DISCORD_IDS.guild } : {}),
            },
            // Like Discord, include the message replied to when it is one the bot sent.
            ...(options.referenced === false
              ? {}
              : options.referenced
                ? { referenced_message: options.referenced }
                : this.#referenced(options.replyTo)),
          }
        : {}),
    });
    return id;
  }

  #referenced(id: string): Record<string, unknown> {
    const sent = this.calls.find((c) => c.response?.id === id)?.response;
    return sent ? { referenced_message: sent } : {};
  }

  /** Dispatches a slash command interaction; returns its id and token. */
  sendCommand(
    name: string,
    options: Record<string, string> = {},
    actor: Actor = {},
  ): { id: string; token: string } {
    const id = this.nextId();
    const token = `itok-${id}`;
    this.#dispatchInteraction({
      ...this.#interactionBase(id, token, actor),
      type: 2,
      data: {
        id: this.nextId(),
        name,
        type: 1,
        options: Object.entries(options).map(([n, value]) => ({ name: n, type: 3, value })),
      },
    });
    return { id, token };
  }

  /**
   * Dispatches an autocomplete request (interaction type 4) while `focused` is typed in `/name`: the options
   * so far, the focused one with `focused: true`. Returns its id and token; the answer is callback type 8.
   */
  sendAutocomplete(
    name: string,
    focused: { name: string; value: string },
    others: Record<string, string> = {},
    actor: Actor = {},
  ): { id: string; token: string } {
    const id = this.nextId();
    const token = `itok-${id}`;
    const option = (n: string, value: string, isFocused = false) => ({
      name: n,
      type: 3,
      value,
      ...(isFocused ? { focused: true } : {}),
    });
    this.#dispatchInteraction({
      ...this.#interactionBase(id, token, actor),
      type: 4,
      data: {
        id: this.nextId(),
        name,
        type: 1,
        options: [
          ...Object.entries(others).map(([n, v]) => option(n, v)),
          option(focused.name, focused.value, true),
        ],
      },
    });
    return { id, token };
  }

  /**
   * Dispatches a message context-menu command (interaction type 2, command type 3) on `target`, a message
   * object (one the bot sent, or {@link userMessage}); returns its id and token.
   */
  sendMessageCommand(
    name: string,
    target: Record<string, unknown>,
    actor: Actor = {},
  ): { id: string; token: string } {
    const id = this.nextId();
    const token = `itok-${id}`;
    const targetId = String(target.id);
    this.#dispatchInteraction({
      ...this.#interactionBase(id, token, actor),
      type: 2,
      data: {
        id: this.nextId(),
        name,
        type: 3,
        target_id: targetId,
        // Message commands carry the target's content even without the MESSAGE_CONTENT intent.
        resolved: { messages: { [targetId]: target } },
      },
    });
    return { id, token };
  }

  /** A message object as a user in the channel wrote it (a target for {@link sendMessageCommand}). */
  userMessage(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id: this.nextId(),
      channel_id: DISCORD_IDS.channel,
      author: user('500000000000000002', 'someone else'),
      content,
      embeds: [],
      components: [],
      attachments: [],
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      type: 0,
      flags: 0,
      ...extra,
    };
  }

  /**
   * Dispatches a modal submit (interaction type 5) of the form `customId`: each field a string select in a
   * label, with the values picked (an empty list: nothing picked). Returns its id and token.
   */
  submitModal(
    customId: string,
    fields: Record<string, string[]>,
    actor: Actor = {},
  ): { id: string; token: string } {
    const id = this.nextId();
    const token = `itok-${id}`;
    this.#dispatchInteraction({
      ...this.#interactionBase(id, token, actor),
      type: 5,
      data: {
        custom_id: customId,
        components: Object.entries(fields).map(([field, values], i) => ({
          type: 18,
          id: i + 1,
          component: { type: 3, id: i + 10, custom_id: field, values },
        })),
      },
    });
    return { id, token };
  }

  /** The callback (the first response) of the interaction with `token`, once it came. */
  callbackOf(token: string): Promise<DiscordRestCall> {
    return waitFor(
      () => this.calls.find((c) => c.method === 'POST' && c.path.endsWith(`/${token}/callback`)),
      `the callback of ${token}`,
    );
  }

  /** The edit of the deferred reply of the interaction with `token`, once it came. */
  originalOf(token: string): Promise<DiscordRestCall> {
    return waitFor(
      () => this.calls.find((c) => c.method === 'PATCH' && c.path.endsWith(`/${token}/messages/@original`)),
      `the reply to ${token}`,
    );
  }

  /** Dispatches a button click on `message` (a message object the bot sent); returns its id and token. */
  clickButton(
    message: Record<string, unknown>,
    customId: string,
    actor: Actor = {},
  ): { id: string; token: string } {
    const id = this.nextId();
    const token = `itok-${id}`;
    this.#dispatchInteraction({
      ...this.#interactionBase(id, token, actor),
      type: 3,
      data: { custom_id: customId, component_type: 2 },
      message,
    });
    return { id, token };
  }

  /**
   * Delivers the interaction `id` (sent by this fake) again, the same payload with the same id and token: on this
   * gateway (a resumed session replaying it) or on `to`, another replica's gateway session.
   */
  redeliverInteraction(id: string, to: FakeDiscord = this): void {
    const payload = this.#interactions.get(id);
    if (!payload) throw new Error(`no interaction ${id} was sent by this fake`);
    to.#dispatchInteraction(payload);
  }

  #dispatchInteraction(payload: Record<string, unknown>): void {
    this.#interactions.set(String(payload.id), payload);
    this.dispatch('INTERACTION_CREATE', payload);
  }

  /** Sends INVALID_SESSION (op 9): `resumable` false makes the bot identify again, a new session. */
  invalidateSession(resumable = false): void {
    if (!this.#socket) throw new Error('no gateway connection');
    this.#socket.send(JSON.stringify({ op: 9, d: resumable, s: null, t: null }));
  }

  /** Drops the gateway connection abruptly (as a network failure would). */
  dropConnection(): void {
    this.#socket?.terminate();
    this.#socket = undefined;
  }

  /** Closes everything. */
  async close(): Promise<void> {
    await closeServer(this.#server, this.#wss);
  }

  #interactionBase(id: string, token: string, actor: Actor = {}): Record<string, unknown> {
    const common = {
      id,
      application_id: DISCORD_IDS.app,
      token,
      version: 1,
      app_permissions: '2147483647',
      locale: 'en-US',
      entitlements: [],
    };
    const userId = actor.userId ?? '500000000000000001';
    const place = actor.place ?? 'guild';
    if (place === 'guild' || place === 'user-install') {
      const [guild, channel] =
        place === 'guild'
          ? [DISCORD_IDS.guild, DISCORD_IDS.channel]
          : [DISCORD_IDS.otherGuild, DISCORD_IDS.otherChannel];
      return {
        ...common,
        guild_id: guild,
        channel_id: channel,
        channel: { id: channel, type: 0, guild_id: guild, name: 'general' },
        member: member(actor),
        guild_locale: 'en-US',
        // A user install in a server without the bot names only the user.
        authorizing_integration_owners: place === 'guild' ? { '0': DISCORD_IDS.guild } : { '1': userId },
        context: 0,
      };
    }
    // In DMs Discord sends `user` instead of `member`; the bot's DM names the guild install as "0".
    const dm = place === 'bot-dm' ? DM_CHANNELS.bot : DM_CHANNELS.private;
    return {
      ...common,
      channel_id: dm,
      channel: { id: dm, type: 1 },
      user: user(userId, 'someone'),
      authorizing_integration_owners: place === 'bot-dm' ? { '0': '0', '1': userId } : { '1': userId },
      context: place === 'bot-dm' ? 1 : 2,
    };
  }

  /** A message object as Discord returns it for what the bot sent. */
  #message(
    channelId: string,
    body: Record<string, unknown> | undefined,
    extra: Record<string, unknown> = {},
  ) {
    return {
      id: this.nextId(),
      channel_id: channelId,
      author: user(DISCORD_IDS.bot, 'TensorDuel', true),
      content: body?.content ?? '',
      embeds: body?.embeds ?? [],
      components: body?.components ?? [],
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      pinned: false,
      type: 0,
      flags: body?.flags ?? 0,
      ...extra,
    };
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    // discord.js sends `@original` as `%40original`.
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, '');
    const method = req.method ?? 'GET';
    const bytes = await readRaw(req);
    const contentType = req.headers['content-type'] ?? '';
    let body: Record<string, unknown> | undefined;
    let files: DiscordRestCall['files'];
    if (contentType.startsWith('multipart/')) {
      // discord.js sends attachments as multipart: payload_json plus files[n].
      const parts = parseMultipart(bytes, contentType);
      const payload = parts.find((p) => p.name === 'payload_json');
      body = payload ? (safeJson(payload.data.toString('utf8')) as Record<string, unknown>) : undefined;
      files = parts.filter((p) => p.filename !== undefined).map((p) => ({ ...p, png: isPng(p.data) }));
    } else {
      const raw = bytes.toString('utf8');
      body = raw ? (safeJson(raw) as Record<string, unknown>) : undefined;
    }
    const key = `${method} ${path}`;
    const json = (status: number, data: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));
    };
    const failure = this.failures.take(key);
    if (failure) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failure.retryAfter !== undefined) {
        headers['retry-after'] = String(failure.retryAfter);
        headers['x-ratelimit-scope'] = 'user';
      }
      // The body echoes the token, to catch code that logs raw responses.
      res.writeHead(failure.status, headers).end(
        failure.body ??
          JSON.stringify({
            message: `fake failure for ${req.headers.authorization ?? ''}`,
            code: 0,
            ...(failure.retryAfter !== undefined ? { retry_after: failure.retryAfter, global: false } : {}),
          }),
      );
      return;
    }
    const call: DiscordRestCall = {
      method,
      path,
      body,
      authorization: req.headers.authorization,
      at: Date.now(),
      ...(files ? { files } : {}),
    };
    this.calls.push(call);
    const message = (channelId: string, extra: Record<string, unknown> = {}): void => {
      call.response = this.#message(channelId, body, extra);
      json(200, call.response);
    };
    const channelPost = /^\/channels\/(\d+)\/messages$/.exec(path);
    const channelEdit = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    const original = /^\/webhooks\/(\d+)\/[^/]+\/messages\/@original$/.exec(path);
    const followUp = /^\/webhooks\/(\d+)\/[^/]+$/.exec(path);
    if (method === 'GET' && (path === '/gateway/bot' || path === '/gateway'))
      return json(200, {
        url: `ws://127.0.0.1:${this.#port}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    if (method === 'GET' && path === '/applications/@me')
      return json(200, { id: DISCORD_IDS.app, name: 'TensorDuel', bot_public: true, flags: 0 });
    if (method === 'POST' && channelPost) {
      const reference = body?.message_reference as Record<string, unknown> | undefined;
      return message(
        channelPost[1] as string,
        reference
          ? {
              type: 19,
              message_reference: { ...reference, channel_id: channelPost[1], guild_id: DISCORD_IDS.guild },
            }
          : {},
      );
    }
    if (method === 'PATCH' && channelEdit) {
      call.response = { ...this.#message(channelEdit[1] as string, body), id: channelEdit[2] };
      return json(200, call.response);
    }
    if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) {
      await this.#callbacksHeld;
      res.writeHead(204).end();
      return;
    }
    if (method === 'PATCH' && original) return message(DISCORD_IDS.channel, { webhook_id: original[1] });
    if (method === 'POST' && followUp) return message(DISCORD_IDS.channel, { webhook_id: followUp[1] });
    if (method === 'PUT' && /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(path))
      return json(
        200,
        (Array.isArray(body) ? body : []).map((c: Record<string, unknown>) => ({
          ...c,
          id: this.nextId(),
          application_id: DISCORD_IDS.app,
          version: '1',
        })),
      );
    json(404, { message: '404: Not Found', code: 0 });
  }

  #onSocket(ws: WebSocket): void {
    this.#socket = ws;
    ws.on('close', () => {
      if (this.#socket === ws) this.#socket = undefined;
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { op: number; d: Record<string, unknown> | number | null };
      this.opcodes.push(msg.op);
      if (msg.op === 1) ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      else if (msg.op === 2) this.#identify(ws, msg.d as Record<string, unknown>);
      else if (msg.op === 6) {
        this.#ready++;
        ws.send(JSON.stringify({ op: 0, t: 'RESUMED', s: ++this.#seq, d: {} }));
      }
    });
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null }));
  }

  #identify(ws: WebSocket, d: Record<string, unknown>): void {
    const messageContent = 1 << 15;
    if (this.#rejectIntents && (Number(d.intents) & messageContent) !== 0) {
      ws.close(4014, 'Disallowed intent(s).');
      return;
    }
    this.#intents = Number(d.intents);
    this.#sessionId = `fake-session-${this.#ready + 1}`;
    this.#seq = 0;
    const send = (t: string, payload: unknown) =>
      ws.send(JSON.stringify({ op: 0, t, s: ++this.#seq, d: payload }));
    send('READY', {
      v: GATEWAY_VERSION,
      user: { ...user(DISCORD_IDS.bot, 'TensorDuel', true), verified: true, flags: 0, mfa_enabled: false },
      guilds: [{ id: DISCORD_IDS.guild, unavailable: true }],
      session_id: this.#sessionId,
      resume_gateway_url: `ws://127.0.0.1:${this.#port}`,
      application: { id: DISCORD_IDS.app, flags: 0 },
      shard: [0, 1],
    });
    // Every guild listed in READY must follow, or ClientReady waits 15 s for it.
    send('GUILD_CREATE', {
      id: DISCORD_IDS.guild,
      name: 'Fake Guild',
      icon: null,
      owner_id: '500000000000000001',
      unavailable: false,
      member_count: 2,
      large: false,
      features: [],
      joined_at: new Date().toISOString(),
      roles: [
        {
          id: DISCORD_IDS.role,
          name: 'ml-team',
          permissions: '0',
          position: 1,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
        {
          id: DISCORD_IDS.guild,
          name: '@everyone',
          permissions: '2147483647',
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      emojis: [],
      stickers: [],
      members: [{ ...member(), user: user(DISCORD_IDS.bot, 'TensorDuel', true) }],
      channels: [
        { id: DISCORD_IDS.channel, type: 0, name: 'general', position: 0, permission_overwrites: [] },
      ],
      threads: [
        {
          id: DISCORD_IDS.thread,
          type: 11,
          name: 'a thread',
          parent_id: DISCORD_IDS.channel,
          guild_id: DISCORD_IDS.guild,
          thread_metadata: { archived: false, auto_archive_duration: 1440, locked: false },
        },
      ],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
    });
    this.#ready++;
  }
}

function member(actor: Actor = {}): Record<string, unknown> {
  return {
    user: user(actor.userId ?? '500000000000000001', 'someone'),
    roles: actor.roles ?? [],
    joined_at: new Date().toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    permissions: '2147483647',
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
