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
  /** The front thread's module (default ./http-front-worker.ts); a test runs a wrapper of it that kills the thread. */
  workerModule?: URL;
}

/** The front, wherever it runs: where it listens, how the bot answers a request, how it stops. */
type Front = Pick<FrontHandle, 'port' | 'respond' | 'close'>;
type Respond = FrontHandle['respond'];

/** How long stop() waits for the front's worker to close its server before it terminates the worker. */
const CLOSE_GRACE_MS = 5_000;
/**
 * How many times in a row the front's thread is restarted after it died with no request handed over in between:
 * a thread that dies on every start is not restarted forever. It covers a request that kills the thread each time
 * Slack sends it (the first try and 3 retries) in a workspace that sends nothing else meanwhile.
 */
export const MAX_FRONT_RESTARTS = 5;
const FRONT_WORKER = new URL('./http-front-worker.ts', import.meta.url);

interface WorkerHooks {
  onRequest: (r: FrontRequest, respond: Respond) => void;
  onWarn: (m: string) => void;
  /** The thread died after it listened on `port`, other than by close(). */
  onDeath: (port: number, code: number, err: unknown) => void;
}

function startInWorker(options: FrontOptions, module: URL, hooks: WorkerHooks): Promise<Front> {
  const worker = new Worker(tsWorkerSource(module), { eval: true, workerData: options });
  let closed: (() => void) | undefined;
  let exited = false;
  let closing = false;
  let port: number | undefined;
  let failure: unknown;
  const respond: Respond = (r) => {
    if (!exited) worker.postMessage({ type: 'respond', ...r } satisfies ToFront);
  };
  return new Promise<Front>((resolve, reject) => {
    // Before the front listens an error fails the start; after it, it is reported with the exit that follows.
    worker.on('error', (err) => {
      if (port === undefined) reject(err);
      else failure = err;
    });
    worker.on('exit', (code) => {
      exited = true;
      closed?.();
      if (port === undefined)
        reject(new Error(`the Slack HTTP front thread exited (code ${code}) before it listened`));
      else if (!closing) hooks.onDeath(port, code, failure);
    });
    worker.on('message', (m: FromFront) => {
      if (m.type === 'request') {
        const { type: _, ...r } = m;
        hooks.onRequest(r, respond);
      } else if (m.type === 'warn') hooks.onWarn(m.message);
      else if (m.type === 'closed') closed?.();
      else if (m.type === 'failed') {
        void worker.terminate();
        reject(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
      } else {
        port = m.port;
        resolve({
          port: m.port,
          respond,
          // Bounded: a worker that died, or a server held open by a slow upload, never makes stop() hang.
          close: async () => {
            closing = true;
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

/**
 * A front whose thread dies after it listened (an uncaught error in it, or the thread terminated) is logged and
 * started again on the same port; while it is down, connections to the port are refused, and the requests the dead
 * thread held lose their connection (Slack retries events). A restart that cannot listen is logged and not tried
 * again, nor is one after {@link MAX_FRONT_RESTARTS} deaths in a row: the port stays closed until stop().
 */
export class HttpFrontReceiver implements Receiver {
  readonly #options: HttpFrontOptions;
  #app: App | undefined;
  #front: Front | undefined;
  /** Requests handed to the app and not yet through it (stop waits for them). */
  readonly #inFlight = new Set<Promise<void>>();
  #stopping = false;
  /** The restart of a front whose thread died, while it is under way (stop waits for it). */
  #restarting: Promise<void> | undefined;
  /** Deaths of the front's thread since it last handed over a request. */
  #deaths = 0;

  constructor(options: HttpFrontOptions) {
    this.#options = options;
  }

  /** The port it listens on once started (undefined while its thread is down). */
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
    this.#stopping = false;
    this.#deaths = 0;
    this.#front = await this.#open(options);
    return { port: this.#front.port };
  }

  /** Closes the server, then lets the requests it already handed over finish (they were answered 200 already). */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#restarting;
    await this.#front?.close();
    this.#front = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise<void>((done) => {
        timer = setTimeout(done, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  #warn = (message: string) => this.#options.onWarn?.(message);
  #error = (message: string, err: unknown) => this.#options.onError?.(message, err);

  async #open(options: FrontOptions): Promise<Front> {
    if (this.#options.thread === false) {
      let handle: FrontHandle | undefined;
      // No request reaches the callback before startFront resolves (it listens last).
      handle = await startFront(options, (r) => this.#take(r, (x) => handle?.respond(x)), this.#warn);
      return handle;
    }
    return startInWorker(options, this.#options.workerModule ?? FRONT_WORKER, {
      onRequest: (r, respond) => {
        this.#deaths = 0;
        this.#take(r, respond);
      },
      onWarn: this.#warn,
      onDeath: (port, code, err) => this.#died({ ...options, port }, code, err),
    });
  }

  /** The front's thread died: it is restarted on the port it listened on (see the class's comment). */
  #died(options: FrontOptions, code: number, err: unknown): void {
    this.#front = undefined;
    const what = `slack: the HTTP front thread died (exit code ${code})`;
    if (this.#stopping) {
      this.#error(what, err);
      return;
    }
    if (++this.#deaths > MAX_FRONT_RESTARTS) {
      this.#error(
        `${what}: ${this.#deaths} deaths in a row without a request, not restarted; port ${options.port} is closed`,
        err,
      );
      return;
    }
    this.#error(`${what}; restarting it on port ${options.port}`, err);
    const restart = this.#restart(options);
    this.#restarting = restart;
    void restart.finally(() => {
      if (this.#restarting === restart) this.#restarting = undefined;
    });
  }

  async #restart(options: FrontOptions): Promise<void> {
    try {
      const front = await this.#open(options);
      if (this.#stopping) await front.close();
      else {
        this.#front = front;
        this.#warn(`slack: the HTTP front thread was restarted on port ${front.port}`);
      }
    } catch (err) {
      this.#error(`slack: the HTTP front could not be restarted: port ${options.port} is closed`, err);
    }
  }

  /** Hands a request over to the app; `respond` answers it on the front that received it. */
  #take(r: FrontRequest, respond: Respond): void {
    const p = this.#dispatch(r, respond);
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  async #dispatch(r: FrontRequest, respond: Respond): Promise<void> {
    const app = this.#app;
    if (!app) return;
    let acked = r.acked;
    const event: ReceiverEvent = {
      body: r.body,
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        if (response === undefined || response === '') respond({ id: r.id, status: 200 });
        else if (typeof response === 'string') respond({ id: r.id, status: 200, body: response });
        else respond({ id: r.id, status: 200, body: JSON.stringify(response), json: true });
      },
      ...(r.retryNum !== undefined ? { retryNum: r.retryNum } : {}),
      ...(r.retryReason !== undefined ? { retryReason: r.retryReason } : {}),
      customProperties: { [this.#options.keyProperty]: r.key },
    };
    try {
      await app.processEvent(event);
    } catch (err) {
      // As Bolt's default: a listener's error after ack() is only logged; before it, the request gets a 500.
      this.#error('slack: an unhandled error occurred while processing a request', err);
      if (!acked) {
        acked = true;
        respond({ id: r.id, status: 500 });
      }
    }
  }
}
