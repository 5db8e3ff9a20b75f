/**
 * A fake Slack on 127.0.0.1: the Web API (`/api/<method>`), response_url endpoints, the Socket Mode WebSocket,
 * and a sender that pushes signed Events API / slash command / interactivity requests to a bot over HTTP.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  closeServer,
  FailureQueue,
  type InjectedFailure,
  isPng,
  listen,
  parseMultipart,
  readBody,
  readRaw,
  waitFor,
} from './util.ts';

/** One Web API call the bot made. */
export interface SlackApiCall {
  method: string;
  args: Record<string, unknown>;
  /** The bearer token it used. */
  token: string | undefined;
  at: number;
  /** The `ts` the fake gave a posted message. */
  ts?: string;
}

/** One POST the bot made to a response_url. */
export interface SlackResponsePost {
  id: string;
  payload: Record<string, unknown>;
  at: number;
}

/** One file the bot uploaded to an `upload_url` (files.uploadV2 step 2). */
export interface SlackUpload {
  fileId: string;
  /** The file's bytes (the multipart field "body", or the raw body). */
  bytes: Buffer;
  /** Whether the bytes are a PNG image. */
  png: boolean;
  at: number;
}

/** What the fake knows about the bot's identity. */
export const SLACK_BOT = { userId: 'UBOT', botId: 'BBOT', teamId: 'T0001', appId: 'A0001' } as const;

/** A fake Slack workspace. */
export class FakeSlack {
  readonly calls: SlackApiCall[] = [];
  readonly responses: SlackResponsePost[] = [];
  readonly uploads: SlackUpload[] = [];
  readonly failures = new FailureQueue();
  /** Socket Mode acks received, by envelope id. */
  readonly acks = new Map<string, unknown>();
  /** The App Home view last published for each user (views.publish). */
  readonly homeViews = new Map<string, Record<string, unknown>>();
  /** Block types this workspace refuses with `invalid_blocks` (as one without the table block would). */
  readonly refusedBlocks = new Set<string>();
  /** trigger_ids already used to open a view: Slack accepts each once. */
  readonly #usedTriggers = new Set<string>();
  #views = 0;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #port: number;
  #ts = 1_700_000_000_000_000;
  #responseIds = 0;
  #fileIds = 0;
  #envelopes = 0;
  #socket: WebSocket | undefined;
  #socketConnections = 0;
  #pinger: NodeJS.Timeout | undefined;

  private constructor(server: Server, wss: WebSocketServer, port: number) {
    this.#server = server;
    this.#wss = wss;
    this.#port = port;
  }

  /** Starts the fake on a random port. */
  static async start(): Promise<FakeSlack> {
    const server = createServer();
    const wss = new WebSocketServer({ noServer: true });
    const port = await listen(server);
    const fake = new FakeSlack(server, wss, port);
    server.on('request', (req, res) => {
      fake.#route(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    server.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => fake.#onSocket(ws));
    });
    return fake;
  }

  /** Base URL for SLACK_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api/`;
  }

  /** A fresh response_url on this fake. */
  responseUrl(): string {
    return `http://127.0.0.1:${this.#port}/response/${++this.#responseIds}`;
  }

  /** Web API calls of one method. */
  callsTo(method: string): SlackApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Queues failures for a Web API method (or `response_url`). */
  failNext(method: string, ...failures: InjectedFailure[]): void {
    this.failures.add(method, ...failures);
  }

  /** Waits for `count` calls to `method` (and returns them all). */
  waitForCalls(method: string, count: number, timeoutMs = 30_000): Promise<SlackApiCall[]> {
    return waitFor(
      () => {
        const calls = this.callsTo(method);
        return calls.length >= count ? calls : undefined;
      },
      `${count} ${method} call(s)`,
      timeoutMs,
    );
  }

  /** Waits for `count` response_url posts. */
  waitForResponses(count: number, timeoutMs = 30_000): Promise<SlackResponsePost[]> {
    return waitFor(
      () => (this.responses.length >= count ? this.responses : undefined),
      `${count} response_url post(s)`,
      timeoutMs,
    );
  }

  /** How many Socket Mode connections were opened so far. */
  get socketConnections(): number {
    return this.#socketConnections;
  }

  /** Whether a Socket Mode connection is open now. */
  get hasSocket(): boolean {
    return this.#socket !== undefined;
  }

  /** Sends a Socket Mode envelope; resolves with the app's ack payload. */
  async sendEnvelope(
    type: 'events_api' | 'slash_commands' | 'interactive',
    payload: Record<string, unknown>,
    options: { retryAttempt?: number; envelopeId?: string } = {},
  ): Promise<unknown> {
    const socket = await waitFor(() => this.#socket, 'a Socket Mode connection');
    const envelopeId = options.envelopeId ?? `env-${++this.#envelopes}`;
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: options.retryAttempt ?? 0,
        retry_reason: options.retryAttempt ? 'timeout' : '',
      }),
    );
    return waitFor(() => this.acks.get(envelopeId), `ack of ${envelopeId}`);
  }

  /** Drops the Socket Mode connection abruptly. */
  dropSocket(): void {
    this.#socket?.terminate();
    this.#socket = undefined;
  }

  /** Closes everything. */
  async close(): Promise<void> {
    clearInterval(this.#pinger);
    await closeServer(this.#server, this.#wss);
  }

  #nextTs(): string {
    this.#ts += 100;
    const s = String(this.#ts);
    return `${s.slice(0, 10)}.${s.slice(10)}`;
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/upload/')) {
      const body = await readRaw(req);
      const contentType = req.headers['content-type'] ?? '';
      const bytes = contentType.startsWith('multipart/')
        ? (parseMultipart(body, contentType).find((p) => p.name === 'body' || p.filename)?.data ?? body)
        : body;
      this.uploads.push({
        fileId: url.pathname.slice('/upload/'.length),
        bytes,
        png: isPng(bytes),
        at: Date.now(),
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK - uploaded');
      return;
    }
    const raw = await readBody(req);
    if (url.pathname.startsWith('/response/')) {
      const failure = this.failures.take('response_url');
      if (failure) return this.#fail(res, failure, undefined);
      this.responses.push({
        id: url.pathname.slice('/response/'.length),
        payload: JSON.parse(raw),
        at: Date.now(),
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      res.writeHead(404).end();
      return;
    }
    const method = url.pathname.slice('/api/'.length);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    const failure = this.failures.take(method);
    if (failure) return this.#fail(res, failure, token);
    const call: SlackApiCall = { method, args, token, at: Date.now() };
    this.calls.push(call);
    const json = (body: Record<string, unknown>): void => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const invalid = this.#invalidBlocks(method, args);
    if (invalid) return json({ ok: false, error: 'invalid_blocks', errors: [invalid] });
    switch (method) {
      case 'auth.test':
        return json({
          ok: true,
          url: 'https://fake.slack.com/',
          team: 'Fake',
          user: 'tensorduel',
          team_id: SLACK_BOT.teamId,
          user_id: SLACK_BOT.userId,
          bot_id: SLACK_BOT.botId,
        });
      case 'chat.postMessage':
      case 'chat.postEphemeral':
      case 'chat.update': {
        const ts = this.#nextTs();
        call.ts = ts;
        return json({
          ok: true,
          channel: args.channel,
          ts,
          message: { type: 'message', ts, text: args.text, bot_id: SLACK_BOT.botId, blocks: args.blocks },
        });
      }
      case 'files.getUploadURLExternal': {
        const fileId = `F${++this.#fileIds}`;
        return json({
          ok: true,
          file_id: fileId,
          upload_url: `http://127.0.0.1:${this.#port}/upload/${fileId}`,
        });
      }
      case 'files.completeUploadExternal': {
        const files = (typeof args.files === 'string' ? safeJson(args.files) : args.files) as Array<{
          id: string;
          title?: string;
        }>;
        return json({ ok: true, files: (files ?? []).map((f) => ({ id: f.id, title: f.title ?? '' })) });
      }
      case 'files.info':
        return json({
          ok: true,
          file: {
            id: args.file,
            permalink: `https://fake.slack.com/files/${SLACK_BOT.userId}/${String(args.file)}/chart.png`,
          },
        });
      case 'views.publish': {
        const view = args.view as Record<string, unknown> | undefined;
        if (typeof args.user_id !== 'string' || view?.type !== 'home')
          return json({ ok: false, error: 'invalid_arguments' });
        this.homeViews.set(args.user_id, view);
        return json({ ok: true, view: { id: `VH${++this.#views}`, ...view } });
      }
      case 'views.open': {
        const view = args.view as Record<string, unknown> | undefined;
        const trigger = args.trigger_id;
        if (typeof trigger !== 'string' || view?.type !== 'modal')
          return json({ ok: false, error: 'invalid_arguments' });
        if (this.#usedTriggers.has(trigger)) return json({ ok: false, error: 'expired_trigger_id' });
        this.#usedTriggers.add(trigger);
        return json({ ok: true, view: { id: `VM${++this.#views}`, ...view } });
      }
      case 'assistant.threads.setSuggestedPrompts':
      case 'assistant.threads.setStatus':
      case 'assistant.threads.setTitle': {
        // Like Slack: these need the assistant thread (channel_id + thread_ts) and their own field.
        const field = { setSuggestedPrompts: 'prompts', setStatus: 'status', setTitle: 'title' }[
          method.slice('assistant.threads.'.length)
        ] as string;
        const prompts = args.prompts;
        const ok =
          typeof args.channel_id === 'string' &&
          typeof args.thread_ts === 'string' &&
          args[field] !== undefined &&
          (field !== 'prompts' || (Array.isArray(prompts) && prompts.length >= 1 && prompts.length <= 4));
        return json(ok ? { ok: true } : { ok: false, error: 'invalid_arguments' });
      }
      case 'apps.connections.open':
        return json({
          ok: true,
          url: `ws://127.0.0.1:${this.#port}/socket?n=${this.#socketConnections + 1}`,
        });
      default:
        return json({ ok: true });
    }
  }

  /** Why Slack would refuse these blocks (`invalid_blocks`), checking the limits TensorDuel relies on. */
  #invalidBlocks(method: string, args: Record<string, unknown>): string | undefined {
    const isView = method.startsWith('views.');
    const raw = isView ? (args.view as { blocks?: unknown } | undefined)?.blocks : args.blocks;
    if (!Array.isArray(raw) || !(isView || method.startsWith('chat.'))) return undefined;
    const blocks = raw as Array<{ type?: string; text?: unknown; rows?: unknown }>;
    if (blocks.length > (isView ? 100 : 50)) return 'too many blocks';
    let markdown = 0;
    for (const block of blocks) {
      if (this.refusedBlocks.has(String(block.type))) return `unsupported block type ${block.type}`;
      if (block.type === 'markdown') {
        if (isView) return 'markdown blocks are for messages';
        markdown += typeof block.text === 'string' ? block.text.length : 0;
      }
      if (block.type === 'table') {
        if (isView) return 'table blocks are for messages';
        const rows = block.rows as Array<Array<{ type?: string; text?: unknown }>> | undefined;
        if (!Array.isArray(rows) || rows.length === 0 || rows.length > 100) return 'table rows';
        for (const row of rows)
          if (
            !Array.isArray(row) ||
            row.length > 20 ||
            row.some((c) => c.type !== 'raw_text' || typeof c.text !== 'string')
          )
            return 'table cells';
      }
    }
    if (markdown > 12_000) return 'markdown over 12000 characters';
    return undefined;
  }

  /** Answers with an injected failure; the body echoes the token, to catch code that logs raw responses. */
  #fail(res: ServerResponse, failure: InjectedFailure, token: string | undefined): void {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
    res
      .writeHead(failure.status, headers)
      .end(
        failure.body ?? JSON.stringify({ ok: false, error: 'fake_failure', debug: `token=${token ?? ''}` }),
      );
  }

  #onSocket(ws: WebSocket): void {
    this.#socketConnections++;
    this.#socket = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (msg.envelope_id) this.acks.set(msg.envelope_id, msg.payload ?? {});
    });
    ws.on('close', () => {
      if (this.#socket === ws) this.#socket = undefined;
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake', approximate_connection_time: 3600 },
        connection_info: { app_id: SLACK_BOT.appId },
      }),
    );
    // The Socket Mode client expects server pings; it reconnects when they stop for 30 s.
    clearInterval(this.#pinger);
    this.#pinger = setInterval(() => this.#socket?.ping(), 5000);
    this.#pinger.unref();
  }
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // The Web API client sends nested values (blocks, attachments) as JSON strings.
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Options of one signed request. */
export interface SignOptions {
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Sign with this secret instead of the right one. */
  secret?: string;
  retryNum?: number;
}

/** Result of pushing one request to the bot. */
export interface PushResult {
  status: number;
  body: string;
  /** Milliseconds until the bot acknowledged (answered the HTTP request). */
  ackMs: number;
}

/**
 * Pushes what Slack would push to a bot's Request URL: Events API callbacks, slash commands and button
 * clicks, signed with `v0=HMAC-SHA256(secret, "v0:<ts>:<body>")`.
 */
export class SlackPusher {
  readonly #url: string;
  readonly #secret: string;
  #events = 0;
  #ts = 1_800_000_000_000_000;

  constructor(url: string, signingSecret: string) {
    this.#url = url;
    this.#secret = signingSecret;
  }

  /** A message ts, unique per pusher. */
  nextTs(): string {
    this.#ts += 100;
    const s = String(this.#ts);
    return `${s.slice(0, 10)}.${s.slice(10)}`;
  }

  /** An Events API event_callback body for `event`. */
  eventBody(event: Record<string, unknown>, eventId = `Ev${++this.#events}`): Record<string, unknown> {
    return {
      token: 'legacy-verification-token',
      team_id: SLACK_BOT.teamId,
      api_app_id: SLACK_BOT.appId,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event,
      authorizations: [{ team_id: SLACK_BOT.teamId, user_id: SLACK_BOT.userId, is_bot: true }],
    };
  }

  /** Posts an event_callback; returns the HTTP result. */
  sendEvent(body: Record<string, unknown>, options: SignOptions = {}): Promise<PushResult> {
    return this.#post(JSON.stringify(body), 'application/json', options);
  }

  /** Posts a slash command (form-encoded, like Slack). */
  sendCommand(fields: Record<string, string>, options: SignOptions = {}): Promise<PushResult> {
    const form = new URLSearchParams({
      token: 'legacy-verification-token',
      team_id: SLACK_BOT.teamId,
      team_domain: 'fake',
      api_app_id: SLACK_BOT.appId,
      command: '/tensorduel',
      ...fields,
    });
    return this.#post(form.toString(), 'application/x-www-form-urlencoded', options);
  }

  /** Posts an interactivity payload (button click), form-encoded as `payload=<json>`. */
  sendAction(payload: Record<string, unknown>, options: SignOptions = {}): Promise<PushResult> {
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.#post(form.toString(), 'application/x-www-form-urlencoded', options);
  }

  async #post(body: string, contentType: string, options: SignOptions): Promise<PushResult> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', options.secret ?? this.#secret)
      .update(`v0:${timestamp}:${body}`)
      .digest('hex')}`;
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    };
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    const started = performance.now();
    const res = await fetch(this.#url, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text, ackMs: performance.now() - started };
  }
}

/** A button-click (block_actions) payload for a button found in a message the bot posted. */
export function blockActionPayload(options: {
  user: string;
  channel: string;
  messageTs: string;
  threadTs?: string;
  responseUrl: string;
  /** `type` is the element's (`button`, `feedback_buttons`, …); default `button`. */
  action: { action_id: string; value: string; block_id?: string; type?: string };
  ephemeral?: boolean;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: options.user, username: 'someone', team_id: SLACK_BOT.teamId },
    api_app_id: SLACK_BOT.appId,
    token: 'legacy-verification-token',
    team: { id: SLACK_BOT.teamId, domain: 'fake' },
    container: {
      type: 'message',
      message_ts: options.messageTs,
      channel_id: options.channel,
      is_ephemeral: options.ephemeral ?? false,
    },
    trigger_id: `trig-${options.messageTs}`,
    channel: { id: options.channel, name: 'general' },
    message: {
      type: 'message',
      ts: options.messageTs,
      bot_id: SLACK_BOT.botId,
      ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    },
    response_url: options.responseUrl,
    actions: [
      {
        type: options.action.type ?? 'button',
        action_id: options.action.action_id,
        block_id: options.action.block_id ?? 'td_choices',
        value: options.action.value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
}

/** A message shortcut (`message_action`) on a message in a channel, as Slack sends it. */
export function messageShortcutPayload(options: {
  callbackId: string;
  user: string;
  channel: string;
  message: { ts: string; text: string; user?: string; thread_ts?: string };
  responseUrl: string;
  triggerId?: string;
}): Record<string, unknown> {
  return {
    type: 'message_action',
    callback_id: options.callbackId,
    trigger_id: options.triggerId ?? `trig-${options.message.ts}`,
    action_ts: String(Date.now() / 1000),
    message_ts: options.message.ts,
    response_url: options.responseUrl,
    token: 'legacy-verification-token',
    api_app_id: SLACK_BOT.appId,
    team: { id: SLACK_BOT.teamId, domain: 'fake' },
    user: { id: options.user, name: 'someone', team_id: SLACK_BOT.teamId },
    channel: { id: options.channel, name: 'general' },
    message: { type: 'message', user: options.message.user ?? 'U0AUTHOR', ...options.message },
  };
}

/** A modal's submission (`view_submission`): `values` is `{ block_id: { action_id: state } }`. */
export function viewSubmissionPayload(options: {
  user: string;
  view: { id?: string; callback_id: string; private_metadata?: string };
  values: Record<string, Record<string, Record<string, unknown>>>;
}): Record<string, unknown> {
  return {
    type: 'view_submission',
    token: 'legacy-verification-token',
    api_app_id: SLACK_BOT.appId,
    trigger_id: `trig-submit-${Date.now()}`,
    team: { id: SLACK_BOT.teamId, domain: 'fake' },
    user: { id: options.user, name: 'someone', team_id: SLACK_BOT.teamId },
    view: {
      id: options.view.id ?? 'VM1',
      type: 'modal',
      team_id: SLACK_BOT.teamId,
      callback_id: options.view.callback_id,
      private_metadata: options.view.private_metadata ?? '',
      hash: 'h1',
      state: { values: options.values },
    },
    response_urls: [],
  };
}
