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

/**
 * Polls `probe` until it returns something other than undefined/false; rejects after `timeoutMs`. The deadline
 * only guards against a hang (it decides nothing a passing run sees), so it is generous: a loaded 2-core machine
 * can be many times slower than an idle one.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false,
  what = 'condition',
  timeoutMs = 30_000,
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

/** Reads a request body as bytes (file uploads). */
export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Splits a multipart/form-data body into its parts (enough for what the chat libraries send). */
export function parseMultipart(body: Buffer, contentType: string): FormPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const mark = Buffer.from(`--${boundary?.[1] ?? boundary?.[2] ?? ''}`);
  const parts: FormPart[] = [];
  let start = body.indexOf(mark);
  while (start >= 0) {
    const next = body.indexOf(mark, start + mark.length);
    if (next < 0) break;
    const chunk = body.subarray(start + mark.length + 2, next - 2);
    const split = chunk.indexOf('\r\n\r\n');
    if (split >= 0) {
      const head = chunk.subarray(0, split).toString('utf8');
      const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
      const filename = /filename="([^"]*)"/.exec(head)?.[1];
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
      parts.push({
        name,
        ...(filename !== undefined ? { filename } : {}),
        ...(type ? { contentType: type.trim() } : {}),
        data: chunk.subarray(split + 4),
      });
    }
    start = next;
  }
  return parts;
}

/** True when `bytes` hold a PNG image (its 8-byte signature). */
export function isPng(bytes: Buffer): boolean {
  return bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}
