/**
 * The Slack side of `npm run bench:chat`, in its own worker thread: the fake Slack Web API (which receives the
 * bot's answers) and the load generator (signing and sending the events). Both are Slack's work, not the bot's;
 * on the bot's event loop they would count in its acknowledgement and answer times.
 *
 * The load generator has a thread of its own too (LOAD_SOURCE), and sends requests that are signed and written out
 * beforehand, each on its own connection, over plain sockets: an ack is timed from the connect to the response's
 * status line. Sending them with fetch() from this thread timed the load generator as well (measured: 220 fetch()
 * calls took 83 ms of this thread before the first connection reached the bot, and the responses were read by the
 * thread that also serves the bot's chat.postMessage calls), which put 0.2-0.4 s of Slack's side into every ack.
 * Messages: `start` → `{ apiUrl }`; `send` → `{ results, answers }`; `floor` → `{ results }`; `close` → `{}`.
 *
 * `floor` sends the same burst to a bare TCP server in a thread of its own that answers each request with an empty
 * 200 as soon as its headers are in, and does nothing else (no HTTP parsing, body, signature or JSON): a lower
 * bound on the ack times this machine and this load generator allow, measured in the same run as the bot's.
 */
import { createHmac } from 'node:crypto';
import { parentPort, Worker } from 'node:worker_threads';
import { FakeSlack } from '../test/fakes/FakeSlack.ts';
import { waitFor } from '../test/fakes/util.ts';

/** One request to send: an event body, re-sent as a Slack retry when `retryNum` is set. */
export interface Send {
  body: Record<string, unknown>;
  retryNum?: number;
}
/** What came back: HTTP status, time to the response, and when it was sent (epoch ms). */
export interface Sent {
  status: number;
  ackMs: number;
  sentAt: number;
}
/** Requests to the Slack thread. */
export type ToSlackSide =
  | { type: 'start' }
  | { type: 'send'; url: string; secret: string; sends: Send[]; answers: number }
  | { type: 'floor'; secret: string; sends: Send[] }
  | { type: 'close' };
/** One answer the fake received: the thread it answered, and when (epoch ms). */
export interface Answer {
  key: string;
  at: number;
}

const port = parentPort;
if (!port) throw new Error('bench-chat-sender.ts runs only as a worker thread');
let slack: FakeSlack | undefined;
port.on('message', async (m: ToSlackSide) => {
  if (m.type === 'start') {
    slack = await FakeSlack.start();
    port.postMessage({ apiUrl: slack.apiUrl });
  } else if (m.type === 'send') {
    const fake = slack as FakeSlack;
    try {
      const results = await sendAll(m.url, m.secret, m.sends);
      await waitFor(
        () => new Set(fake.callsTo('chat.postMessage').map((c) => c.args.thread_ts)).size >= m.answers,
        'Slack answers',
        300_000,
      );
      await new Promise((r) => setTimeout(r, 500)); // would-be duplicates
      const answers: Answer[] = fake
        .callsTo('chat.postMessage')
        .map((c) => ({ key: String(c.args.thread_ts), at: c.at }));
      port.postMessage({ results, answers });
    } catch (err) {
      // Answered, so that the bench fails with the reason instead of waiting for ever.
      port.postMessage({ error: errorText(err) });
    }
  } else if (m.type === 'floor') {
    const bare = new Worker(BARE_SERVER_SOURCE, { eval: true });
    try {
      const barePort = await new Promise<number>((resolve, reject) => {
        bare.once('message', resolve);
        bare.once('error', reject);
      });
      const results = await sendAll(`http://127.0.0.1:${barePort}/slack/events`, m.secret, m.sends);
      port.postMessage({ results });
    } catch (err) {
      port.postMessage({ error: errorText(err) });
    } finally {
      await bare.terminate();
    }
  } else {
    await slack?.close();
    port.postMessage({});
    port.close();
  }
});

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Each request as it goes on the wire (signed, HTTP/1.1, one per connection). */
function wire(url: URL, secret: string, s: Send): string {
  const body = JSON.stringify(s.body);
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  const retry =
    s.retryNum !== undefined
      ? `X-Slack-Retry-Num: ${s.retryNum}\r\nX-Slack-Retry-Reason: http_timeout\r\n`
      : '';
  return (
    `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nX-Slack-Request-Timestamp: ${ts}\r\n` +
    `X-Slack-Signature: ${signature}\r\n${retry}Connection: close\r\n\r\n${body}`
  );
}

/** The bound's server (plain JavaScript, built-ins only): an empty 200 once a request's headers are in. */
const BARE_SERVER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer((socket) => {
  let head = '';
  socket.on('data', (chunk) => {
    if (head === null) return;
    head += chunk.toString('latin1');
    if (head.indexOf('\\r\\n\\r\\n') < 0) return;
    head = null;
    socket.end('HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n');
  });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', 511, () => parentPort.postMessage(server.address().port));
`;

/** The load generator (plain JavaScript, built-ins only): connects and writes every request at once. */
const LOAD_SOURCE = `
const { workerData: w, parentPort } = require('node:worker_threads');
const net = require('node:net');
const results = new Array(w.requests.length);
let left = w.requests.length;
w.requests.forEach((text, i) => {
  const sentAt = Date.now();
  const started = performance.now();
  const socket = net.connect(w.port, w.host, () => socket.write(text));
  let head = '';
  socket.on('data', (chunk) => {
    if (results[i]) return;
    head += chunk.toString('latin1');
    const line = head.indexOf('\\r\\n');
    if (line < 0) return;
    results[i] = { status: Number(head.slice(9, 12)), ackMs: performance.now() - started, sentAt };
    socket.destroy();
    if (--left === 0) parentPort.postMessage(results);
  });
  socket.on('error', () => {
    if (results[i]) return;
    results[i] = { status: 0, ackMs: performance.now() - started, sentAt };
    if (--left === 0) parentPort.postMessage(results);
  });
});
`;

/** Sends every request at once from the load generator's thread; resolves with each one's status and ack time. */
function sendAll(target: string, secret: string, sends: Send[]): Promise<Sent[]> {
  const url = new URL(target);
  const requests = sends.map((s) => wire(url, secret, s));
  const load = new Worker(LOAD_SOURCE, {
    eval: true,
    workerData: { host: url.hostname, port: Number(url.port), requests },
  });
  return new Promise<Sent[]>((resolve, reject) => {
    load.once('message', (results: Sent[]) => {
      void load.terminate();
      resolve(results);
    });
    load.once('error', reject);
  });
}
