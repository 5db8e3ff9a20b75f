/**
 * The Slack load generator of `npm run bench:chat`, in its own worker thread: signing and sending 220 requests
 * and reading their responses is the client's work, and on the bot's event loop it would count in the bot's
 * acknowledgement times. Receives `{ url, secret, sends }`, posts back one result per send, in order.
 */
import { parentPort } from 'node:worker_threads';
import { SlackPusher } from '../test/fakes/FakeSlack.ts';

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

parentPort?.once('message', async (m: { url: string; secret: string; sends: Send[] }) => {
  const pusher = new SlackPusher(m.url, m.secret);
  const results = await Promise.all(
    m.sends.map(async (s): Promise<Sent> => {
      const sentAt = Date.now();
      const r = await pusher.sendEvent(s.body, s.retryNum !== undefined ? { retryNum: s.retryNum } : {});
      return { status: r.status, ackMs: r.ackMs, sentAt };
    }),
  );
  parentPort?.postMessage(results);
});
