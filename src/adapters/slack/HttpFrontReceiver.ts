/**
 * A Bolt receiver for the Events API over HTTP whose server (http-front.ts) runs in its own worker thread: the
 * acknowledgement of an event is sent by that thread as soon as the request is verified, so it never waits behind
 * this thread's work (Bolt's dispatch of the other events of a burst, the answers, the advisor). Commands, clicks
 * and form submissions are acknowledged with what their listener calls `ack()` with, as with Bolt's HTTPReceiver
 * (processBeforeResponse: false). `thread: false` runs the same front on this thread.
 */
import { Worker } from 'node:worker_threads';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { tsWorkerSource } from '../../ts-worker.ts';
import { type FrontHandle, type FrontOptions, type FrontRequest, startFront } from './http-front.ts';
import type { FromFront, ToFront } from './http-front-worker.ts';

export interface HttpFrontOptions {
  signingSecret: string;
  /** Name of the context property that carries the request's key (sha256 of what was signed). */
  keyProperty: string;
  onWarn?: (message: string) => void;
  onError?: (message: string, err: unknown) => void;
  /** Default true: the server in its own worker thread. */
  thread?: boolean;
  /** How long a command, click or form submission waits for its listener's ack() before it gets 404. */
  unackedTimeoutMs?: number;
}

/** The front, wherever it runs: where it listens, how the bot answers a request, how it stops. */
type Front = Pick<FrontHandle, 'port' | 'respond' | 'close'>;

/** How long stop() waits for the front's worker to close its server before it terminates the worker. */
const CLOSE_GRACE_MS = 5_000;

function startInWorker(
  options: FrontOptions,
  onRequest: (r: FrontRequest) => void,
  onWarn: (m: string) => void,
  onError: (message: string, err: unknown) => void,
): Promise<Front> {
  const worker = new Worker(tsWorkerSource(new URL('./http-front-worker.ts', import.meta.url)), {
    eval: true,
    workerData: options,
  });
  let closed: (() => void) | undefined;
  let exited = false;
  let started = false;
  return new Promise<Front>((resolve, reject) => {
    // Before the front listens an error fails the start; after it, it is reported (a dead front is no silent one).
    worker.on('error', (err) => {
      if (started) onError('slack: the HTTP front thread failed', err);
      else reject(err);
    });
    worker.on('exit', (code) => {
      exited = true;
      closed?.();
      if (!started) reject(new Error(`the Slack HTTP front thread exited (code ${code}) before it listened`));
    });
    worker.on('message', (m: FromFront) => {
      if (m.type === 'request') {
        const { type: _, ...r } = m;
        onRequest(r);
      } else if (m.type === 'warn') onWarn(m.message);
      else if (m.type === 'closed') closed?.();
      else if (m.type === 'failed') {
        void worker.terminate();
        reject(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
      } else {
        started = true;
        resolve({
          port: m.port,
          respond: (r) => {
            if (!exited) worker.postMessage({ type: 'respond', ...r } satisfies ToFront);
          },
          // Bounded: a worker that died, or a server held open by a slow upload, never makes stop() hang.
          close: async () => {
            if (!exited) {
              let timer: NodeJS.Timeout | undefined;
              await Promise.race([
                new Promise<void>((done) => {
                  closed = done;
                  worker.postMessage({ type: 'close' } satisfies ToFront);
                }),
                new Promise<void>((done) => {
                  timer = setTimeout(done, CLOSE_GRACE_MS);
                }),
              ]);
              clearTimeout(timer);
            }
            await worker.terminate();
          },
        });
      }
    });
  });
}

export class HttpFrontReceiver implements Receiver {
  readonly #options: HttpFrontOptions;
  #app: App | undefined;
  #front: Front | undefined;
  /** Requests handed to the app and not yet through it (stop waits for them). */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: HttpFrontOptions) {
    this.#options = options;
  }

  /** The port it listens on once started. */
  get port(): number | undefined {
    return this.#front?.port;
  }

  init(app: App): void {
    this.#app = app;
  }

  /** `app.start({ port, host })` (as Bolt's HTTPReceiver takes it) or `app.start(port)`. */
  async start(listen: number | { port?: number; host?: string } = {}): Promise<{ port: number }> {
    const at = typeof listen === 'number' ? { port: listen } : listen;
    const options: FrontOptions = {
      signingSecret: this.#options.signingSecret,
      path: '/slack/events',
      port: at.port ?? 3000,
      host: at.host ?? '0.0.0.0',
      ...(this.#options.unackedTimeoutMs !== undefined
        ? { unackedTimeoutMs: this.#options.unackedTimeoutMs }
        : {}),
    };
    const onRequest = (r: FrontRequest) => {
      const p = this.#dispatch(r);
      this.#inFlight.add(p);
      void p.finally(() => this.#inFlight.delete(p));
    };
    const onWarn = this.#options.onWarn ?? (() => {});
    this.#front =
      this.#options.thread === false
        ? await startFront(options, onRequest, onWarn)
        : await startInWorker(options, onRequest, onWarn, (message, err) =>
            this.#options.onError?.(message, err),
          );
    return { port: this.#front.port };
  }

  /** Closes the server, then lets the requests it already handed over finish (they were answered 200 already). */
  async stop(): Promise<void> {
    await this.#front?.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise<void>((done) => {
        timer = setTimeout(done, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    this.#front = undefined;
  }

  async #dispatch(r: FrontRequest): Promise<void> {
    const front = this.#front;
    const app = this.#app;
    if (!front || !app) return;
    let acked = r.acked;
    const event: ReceiverEvent = {
      body: r.body,
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        if (response === undefined || response === '') front.respond({ id: r.id, status: 200 });
        else if (typeof response === 'string') front.respond({ id: r.id, status: 200, body: response });
        else front.respond({ id: r.id, status: 200, body: JSON.stringify(response), json: true });
      },
      ...(r.retryNum !== undefined ? { retryNum: r.retryNum } : {}),
      ...(r.retryReason !== undefined ? { retryReason: r.retryReason } : {}),
      customProperties: { [this.#options.keyProperty]: r.key },
    };
    try {
      await app.processEvent(event);
    } catch (err) {
      // As Bolt's default: a listener's error after ack() is only logged; before it, the request gets a 500.
      this.#options.onError?.('slack: an unhandled error occurred while processing a request', err);
      if (!acked) {
        acked = true;
        front.respond({ id: r.id, status: 500 });
      }
    }
  }
}
