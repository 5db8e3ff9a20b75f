/**
 * The Slack side of `npm run bench:chat`, in its own worker thread: the fake Slack Web API (which receives the
 * bot's answers) and the load generator (signing and sending the events). Both are Slack's work, not the bot's;
 * on the bot's event loop they would count in its acknowledgement and answer times.
 * Messages: `start` → `{ apiUrl }`; `send` → `{ results, answers }`; `close` → `{}`.
 */
import { parentPort } from 'node:worker_threads';
import { FakeSlack, SlackPusher } from '../test/fakes/FakeSlack.ts';
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
    const pusher = new SlackPusher(m.url, m.secret);
    const results = await Promise.all(
      m.sends.map(async (s): Promise<Sent> => {
        const sentAt = Date.now();
        const r = await pusher.sendEvent(s.body, s.retryNum !== undefined ? { retryNum: s.retryNum } : {});
        return { status: r.status, ackMs: r.ackMs, sentAt };
      }),
    );
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
  } else {
    await slack?.close();
    port.postMessage({});
    port.close();
  }
});
