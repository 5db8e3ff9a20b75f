/**
 * The Slack HTTP front (http-front.ts) in its own worker thread: requests and warnings go to the bot's thread,
 * which sends back what commands and clicks are acknowledged with. Messages: see {@link ToFront} / {@link FromFront}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type FrontOptions, type FrontRequest, type FrontResponse, startFront } from './http-front.ts';

/** Messages to the front. */
export type ToFront = ({ type: 'respond' } & FrontResponse) | { type: 'close' };
/** Messages from the front. */
export type FromFront =
  | { type: 'listening'; port: number }
  | { type: 'failed'; message: string; code?: string }
  | ({ type: 'request' } & FrontRequest)
  | { type: 'warn'; message: string }
  | { type: 'closed' };

const port = parentPort;
if (!port) throw new Error('http-front-worker.ts runs only as a worker thread');
const post = (m: FromFront) => port.postMessage(m);
try {
  const front = await startFront(
    workerData as FrontOptions,
    (r) => post({ type: 'request', ...r }),
    (message) => post({ type: 'warn', message }),
  );
  port.on('message', async (m: ToFront) => {
    if (m.type === 'respond') front.respond(m);
    else {
      await front.close();
      post({ type: 'closed' });
      port.close();
    }
  });
  post({ type: 'listening', port: front.port });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  post({ type: 'failed', message: e.message, ...(e.code ? { code: e.code } : {}) });
  port.close();
}
