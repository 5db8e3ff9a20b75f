/**
 * The HTTP front of the Slack adapter: the server that receives Slack's signed requests, verifies them and sends
 * the acknowledgement of an Events API request at once, before the bot looks at it. It uses nothing but Node's
 * built-ins so that it can run in its own worker thread (http-front-worker.ts): under a burst of events, the
 * acknowledgements are then never queued behind the bot's event loop (Bolt's dispatch, the answers' I/O and
 * the advisor's scoring), which Slack's 3-second rule is about (issue 8 part 5).
 *
 * What it answers itself, as Bolt's HTTPReceiver does: `url_verification` (the challenge), `ssl_check`, a bad
 * or stale signature (401), a body that is not JSON or a form (400), another path or method (404). Everything
 * else is handed over verified and parsed; commands, clicks and form submissions are answered with what the
 * bot acknowledges them with ({@link FrontHandle.respond}), or 404 after {@link UNACKED_TIMEOUT_MS} (unless
 * {@link FrontOptions.unackedTimeoutMs} says otherwise) as Bolt does.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

/**
 * Bolt's wait for an acknowledgement before it answers 404 (HTTPResponseAck's unhandledRequestTimeoutMillis): the
 * default of {@link FrontOptions.unackedTimeoutMs}.
 */
export const UNACKED_TIMEOUT_MS = 3001;
/** Slack's and Bolt's window for a request's timestamp. */
const MAX_AGE_S = 300;
/** Bolt's default body limit is none; this one keeps a runaway request from filling memory. */
const BODY_LIMIT = 1 << 20;

export interface FrontOptions {
  signingSecret: string;
  /** The Events API path, `/slack/events`. */
  path: string;
  port: number;
  host: string;
  /** How long a command, click or form submission waits for the bot's answer before it gets 404. */
  unackedTimeoutMs?: number;
}

/** One verified request, handed to the bot. */
export interface FrontRequest {
  id: number;
  body: Record<string, unknown>;
  retryNum?: number;
  retryReason?: string;
  /** sha256 of what was signed (timestamp and raw body; {@link requestKey}): a replay has the same key. */
  key: string;
  /** True for an Events API request: its 200 is already sent, the bot's ack() is a no-op. */
  acked: boolean;
}

/** What the bot answers a request it was handed (unless it was acknowledged already). */
export interface FrontResponse {
  id: number;
  status: number;
  body?: string;
  json?: boolean;
}

export interface FrontHandle {
  port: number;
  respond(r: FrontResponse): void;
  close(): Promise<void>;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/**
 * The request's timestamp when its signature is right and the timestamp fresh, else undefined. What is signed is
 * the parsed timestamp (`Number` of the header), so every spelling of it (`0123`, `123.0`) verifies alike.
 */
function verified(secret: string, req: IncomingMessage, raw: string, nowS: number): number | undefined {
  const signature = header(req, 'x-slack-signature');
  const timestamp = Number(header(req, 'x-slack-request-timestamp'));
  if (!signature || !Number.isFinite(timestamp) || Math.abs(nowS - timestamp) > MAX_AGE_S) return undefined;
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${raw}`).digest('hex')}`;
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b) ? timestamp : undefined;
}

/**
 * A request's replay key: sha256 of what its signature covers, the parsed timestamp and the raw body. It hashes the
 * number, not the header's text, as the signature does: a replay that respells the timestamp has the same key.
 */
export const requestKey = (timestamp: number, raw: string): string =>
  createHash('sha256').update(`${timestamp}:`).update(raw).digest('hex');

function parseBody(req: IncomingMessage, raw: string): Record<string, unknown> {
  if (header(req, 'content-type') === 'application/x-www-form-urlencoded') {
    const form = parseQuery(raw);
    return typeof form.payload === 'string'
      ? (JSON.parse(form.payload) as Record<string, unknown>)
      : (form as Record<string, unknown>);
  }
  return JSON.parse(raw) as Record<string, unknown>;
}

const send = (res: ServerResponse, status: number, body?: string, json?: boolean) => {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, json ? { 'content-type': 'application/json' } : {});
  res.end(body);
};

/**
 * Starts the front on `options.port` (0: any free port); verified requests go to `onRequest`, in arrival order.
 * @example const front = await startFront({ signingSecret, path: '/slack/events', port: 3000, host: '0.0.0.0' }, hand);
 */
export async function startFront(
  options: FrontOptions,
  onRequest: (r: FrontRequest) => void,
  onWarn: (message: string) => void = () => {},
): Promise<FrontHandle> {
  let next = 0;
  const unackedMs = options.unackedTimeoutMs ?? UNACKED_TIMEOUT_MS;
  const waiting = new Map<number, { res: ServerResponse; timer: NodeJS.Timeout }>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== options.path) {
      req.resume();
      send(res, 404);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        send(res, 413);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const raw = Buffer.concat(chunks).toString();
      const form = header(req, 'content-type') === 'application/x-www-form-urlencoded';
      // Slack's SSL check carries no signature; whatever else it carries is dropped.
      if (form && parseQuery(raw).ssl_check === '1') return send(res, 200);
      const timestamp = verified(options.signingSecret, req, raw, Math.floor(Date.now() / 1000));
      if (timestamp === undefined) {
        onWarn('Failed to parse and verify the request data: missing, stale or wrong signature');
        return send(res, 401);
      }
      let body: Record<string, unknown>;
      try {
        body = parseBody(req, raw);
      } catch {
        onWarn('Malformed request body');
        return send(res, 400);
      }
      if (body.type === 'url_verification')
        return send(res, 200, JSON.stringify({ challenge: body.challenge }), true);
      const id = ++next;
      const acked = body.type === 'event_callback';
      // An event's acknowledgement carries nothing: it goes out now, before the bot sees the event.
      if (acked) send(res, 200);
      else
        waiting.set(id, {
          res,
          timer: setTimeout(() => {
            waiting.delete(id);
            onWarn(`An incoming event was not acknowledged within ${unackedMs} ms`);
            send(res, 404);
          }, unackedMs),
        });
      const retry = header(req, 'x-slack-retry-num');
      const retryReason = header(req, 'x-slack-retry-reason');
      onRequest({
        id,
        body,
        key: requestKey(timestamp, raw),
        acked,
        ...(retry !== undefined ? { retryNum: Number.parseInt(retry, 10) } : {}),
        ...(retryReason !== undefined ? { retryReason } : {}),
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    respond(r) {
      const w = waiting.get(r.id);
      if (!w) return;
      waiting.delete(r.id);
      clearTimeout(w.timer);
      send(w.res, r.status, r.body, r.json);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [id, w] of waiting) {
          clearTimeout(w.timer);
          send(w.res, 503);
          waiting.delete(id);
        }
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
