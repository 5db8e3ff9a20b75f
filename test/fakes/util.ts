/** Helpers shared by the fake chat servers: request bodies, waiting for conditions, closing servers. */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Polls `probe` until it returns something other than undefined/false; rejects after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined | false,
  what = 'condition',
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Listens on a random 127.0.0.1 port; returns the port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Closes a server for good: terminates WebSockets, drops keep-alive connections, stops listening. */
export async function closeServer(server: Server, wss?: WebSocketServer): Promise<void> {
  if (wss) {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A scripted failure the fake answers instead of the real response. */
export interface InjectedFailure {
  status: number;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  body?: string;
}

/** Failures queued per route, served in order. */
export class FailureQueue {
  readonly #queue: Array<{ match: (key: string) => boolean; failure: InjectedFailure }> = [];

  /** Queues failures for requests whose key (`METHOD path` or Slack method name) matches. */
  add(match: string | RegExp, ...failures: InjectedFailure[]): void {
    const test = typeof match === 'string' ? (k: string) => k === match : (k: string) => match.test(k);
    for (const failure of failures) this.#queue.push({ match: test, failure });
  }

  /** Takes the next failure for `key`, if any. */
  take(key: string): InjectedFailure | undefined {
    const i = this.#queue.findIndex((f) => f.match(key));
    if (i < 0) return undefined;
    return this.#queue.splice(i, 1)[0]?.failure;
  }

  /** Failures still queued. */
  get size(): number {
    return this.#queue.length;
  }
}
