import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { App, ReceiverEvent } from '@slack/bolt';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  type HttpFrontOptions,
  HttpFrontReceiver,
  MAX_FRONT_RESTARTS,
} from '../../../src/adapters/slack/HttpFrontReceiver.ts';
import { UNACKED_TIMEOUT_MS } from '../../../src/adapters/slack/http-front.ts';
import { waitFor } from '../../fakes/util.ts';

const SECRET = 'front-secret';
/** Signature headers; `spell` writes the timestamp header (the signature covers the number, as Slack's does). */
const signed = (
  body: string,
  secret = SECRET,
  ts = Math.floor(Date.now() / 1000),
  spell: (ts: number) => string = String,
) => {
  return {
    'x-slack-request-timestamp': spell(ts),
    'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
};
const eventBody = (id: string) =>
  JSON.stringify({ type: 'event_callback', event_id: id, event: { type: 'app_mention', text: 'hi' } });
const post = (url: string, body: string, form = false) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...signed(body),
    },
    body,
  });
/**
 * For tests whose commands are answered by their listener: a 404 of the unacked timeout (3 s by default) could beat a
 * listener on a machine stalled that long; with this one it cannot within a test's time.
 */
const LISTENER_ANSWERS = { unackedTimeoutMs: 600_000 };
const commandBody = (text: string) => new URLSearchParams({ command: '/tensorduel', text }).toString();
const postCommand = (url: string, text = 'help') => post(url, commandBody(text), true);

/** Things that happened, in order, and promises for the ones to come: the tests' barriers. */
class Log<T> {
  readonly items: T[] = [];
  #waiting: Array<{ match: (t: T) => boolean; found: (t: T) => void }> = [];
  push(t: T): void {
    this.items.push(t);
    const found = this.#waiting.filter((w) => w.match(t));
    this.#waiting = this.#waiting.filter((w) => !found.includes(w));
    for (const w of found) w.found(t);
  }
  /** The first item from index `from` on that matches, once there is one. */
  next(match: (t: T) => boolean, from = 0): Promise<T> {
    const hit = this.items.slice(from).find(match);
    return hit !== undefined
      ? Promise.resolve(hit)
      : new Promise((found) => this.#waiting.push({ match, found }));
  }
}

let receiver: HttpFrontReceiver | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await receiver?.stop();
  receiver = undefined;
});

/** What a receiver logged: its warnings and its errors, in order. */
type Logged = { level: 'warn' | 'error'; message: string; err?: unknown };

/** A receiver on a free port whose app records what it was handed; `processEvent` may be replaced. */
async function start(
  processEvent: (e: ReceiverEvent) => Promise<void>,
  thread = true,
  more: Partial<HttpFrontOptions> = {},
) {
  const logged = new Log<Logged>();
  receiver = new HttpFrontReceiver({
    signingSecret: SECRET,
    keyProperty: 'requestKey',
    thread,
    onWarn: (message) => logged.push({ level: 'warn', message }),
    onError: (message, err) => logged.push({ level: 'error', message, err }),
    ...more,
  });
  receiver.init({ processEvent } as unknown as App);
  const { port } = await receiver.start({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${port}/slack/events`, port, logged };
}

/** A promise and the function that settles it: the tests' barriers for listeners. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

/**
 * The front's worker module wrapped so that a test steers its threads over a BroadcastChannel: each thread says
 * 'starting' and waits to be told 'start' (load the real front) or 'fail' (throw before it listens); a started one
 * says 'listening' and 'closed' when the real front posts them, and on 'throw' dies from an uncaught error, on
 * 'exit' ends itself (as a terminated thread: an exit with no error).
 */
const wrapperDir = mkdtempSync(join(tmpdir(), 'td-front-threads-'));
afterAll(() => rmSync(wrapperDir, { recursive: true, force: true }));
const REAL_WORKER = new URL('../../../src/adapters/slack/http-front-worker.ts', import.meta.url).href;
type ThreadEvent = { event: 'starting' | 'listening' | 'closed'; threadId: number };

class FrontThreads {
  readonly name = `td-front-${randomUUID()}`;
  readonly module: URL;
  readonly events = new Log<ThreadEvent>();
  readonly #channel = new BroadcastChannel(this.name);
  #starts = 0;

  /** `decide(n)`: what the n-th thread started (0 first) is told; 'hold': nothing until the test tells it. */
  constructor(readonly decide: (n: number) => 'start' | 'fail' | 'hold' = () => 'start') {
    const file = join(wrapperDir, `${this.name}.mjs`);
    writeFileSync(
      file,
      `import { parentPort, threadId } from 'node:worker_threads';
       const channel = new BroadcastChannel(${JSON.stringify(this.name)});
       const told = new Promise((resolve) => {
         channel.onmessage = ({ data }) => {
           if (data.to !== threadId) return;
           if (data.cmd === 'start' || data.cmd === 'fail') resolve(data.cmd);
           else if (data.cmd === 'throw') setImmediate(() => { throw new Error('a bug in the front'); });
           else if (data.cmd === 'exit') process.exit(data.code);
         };
       });
       channel.postMessage({ event: 'starting', threadId });
       if ((await told) === 'fail') throw new Error('the front cannot start');
       channel.unref();
       const post = parentPort.postMessage.bind(parentPort);
       parentPort.postMessage = (m) => {
         // First: once the receiver has 'closed', it may terminate this thread before the next line.
         if (m.type === 'listening' || m.type === 'closed') channel.postMessage({ event: m.type, threadId });
         post(m);
       };
       await import(${JSON.stringify(REAL_WORKER)});`,
    );
    this.module = pathToFileURL(file);
    this.#channel.onmessage = ({ data }: { data: ThreadEvent }) => {
      if (data.event === 'starting') {
        const decision = this.decide(this.#starts++);
        if (decision !== 'hold') this.tell(data.threadId, { cmd: decision });
      }
      this.events.push(data);
    };
  }

  tell(threadId: number, m: { cmd: 'start' | 'fail' | 'throw' } | { cmd: 'exit'; code: number }): void {
    this.#channel.postMessage({ to: threadId, ...m });
  }

  /** The n-th thread (0 first) once it said `event`. */
  async nth(n: number, event: ThreadEvent['event']): Promise<number> {
    const starting = await waitForNth(this.events, (e) => e.event === 'starting', n);
    return (await this.events.next((e) => e.event === event && e.threadId === starting.threadId)).threadId;
  }

  close(): void {
    this.#channel.close();
  }
}

/** The n-th item (0 first) of `log` that matches, once there is one. */
async function waitForNth<T>(log: Log<T>, match: (t: T) => boolean, n: number): Promise<T> {
  let from = 0;
  for (let i = 0; ; i++) {
    const hit = await log.next(match, from);
    if (i === n) return hit;
    from = log.items.indexOf(hit) + 1;
  }
}

/**
 * Awaits `p` with setTimeout faked: it resolves only if nothing it waits for is a timer (a stop() that waited for a
 * grace period would hang here, and the real timer's bound fails the test instead of letting it pass slowly).
 */
async function withoutTimers(p: () => Promise<void>): Promise<void> {
  const realSetTimeout = globalThis.setTimeout;
  let bound: NodeJS.Timeout | undefined;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    await Promise.race([
      p(),
      new Promise((_, reject) => {
        bound = realSetTimeout(() => reject(new Error('it waited for a timer')), 20_000);
      }),
    ]);
  } finally {
    clearTimeout(bound);
    vi.useRealTimers();
  }
}

/** The cause's code of a failed fetch (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET), or 'answered <status>'. */
const outcome = (r: Promise<Response>) =>
  r.then(
    (res) => `answered ${res.status}`,
    (err: { cause?: { code?: string } }) => err.cause?.code ?? String(err),
  );

describe('HttpFrontReceiver', () => {
  it("acknowledges an event from its own thread while the bot's thread is blocked", async () => {
    const handed: ReceiverEvent[] = [];
    const { url } = await start(async (e) => {
      handed.push(e);
    });
    const body = eventBody('Ev1');
    const flag = new Int32Array(new SharedArrayBuffer(8));
    // The request is sent from another thread, which raises the flag once the response is in.
    const sender = new Worker(
      `const { workerData: w } = require('node:worker_threads');
       fetch(w.url, { method: 'POST', headers: w.headers, body: w.body }).then((r) => {
         Atomics.store(w.flag, 1, r.status); Atomics.store(w.flag, 0, 1); Atomics.notify(w.flag, 0);
       }, () => { Atomics.store(w.flag, 0, 2); Atomics.notify(w.flag, 0); });`,
      {
        eval: true,
        workerData: { url, body, flag, headers: { 'content-type': 'application/json', ...signed(body) } },
      },
    );
    try {
      // This thread is blocked, as by CPU work, until the response arrived: only the front's thread can send it.
      // (With the acknowledgement on this thread it could never arrive: the wait would end at its bound, failing.)
      expect(Atomics.wait(flag, 0, 0, 30_000)).toBe('ok');
      expect([flag[0], flag[1]]).toEqual([1, 200]);
      expect(handed).toHaveLength(0); // this thread had not even seen the event yet
      await waitFor(() => handed.length === 1, 'the event handed to the app');
      expect(handed[0]?.body).toMatchObject({ event_id: 'Ev1' });
      expect(handed[0]?.customProperties?.requestKey).toMatch(/^[0-9a-f]{64}$/);
      await handed[0]?.ack(); // Bolt's own ack() of an event: nothing more is sent
    } finally {
      await sender.terminate();
    }
  });

  for (const thread of [true, false]) {
    const where = thread ? 'in its own thread' : 'on this thread';
    it(`${where}: answers a command with what its listener acknowledges it with`, async () => {
      let release: () => void = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      const { url } = await start(
        async (e) => {
          await held; // the listener acks only once released: the response waits for it
          await e.ack({ text: `got ${(e.body as { command?: string }).command}` });
        },
        thread,
        LISTENER_ANSWERS,
      );
      const body = new URLSearchParams({ command: '/tensorduel', text: 'help' }).toString();
      const response = fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...signed(body) },
        body,
      });
      let settled = false;
      void response.then(() => {
        settled = true;
      });
      await new Promise((r) => setImmediate(r));
      expect(settled).toBe(false);
      release();
      const res = await response;
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ text: 'got /tensorduel' });
    });

    it(`${where}: refuses a wrong signature (401), answers the URL challenge, 404 elsewhere`, async () => {
      const handed: ReceiverEvent[] = [];
      const { url } = await start(async (e) => {
        handed.push(e);
      }, thread);
      const body = eventBody('Ev2');
      const forged = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed(body, 'forged') },
        body,
      });
      expect(forged.status).toBe(401);
      const challenge = JSON.stringify({ type: 'url_verification', challenge: 'c-123' });
      const verified = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed(challenge) },
        body: challenge,
      });
      expect(await verified.json()).toEqual({ challenge: 'c-123' });
      expect((await fetch(url.replace('/slack/events', '/other'), { method: 'POST' })).status).toBe(404);
      expect(handed).toHaveLength(0);
    });

    it(`${where}: answers 500 to a command whose listener throws before ack()`, async () => {
      const { url, logged } = await start(
        async () => {
          throw new Error('listener bug');
        },
        thread,
        LISTENER_ANSWERS,
      );
      const res = await postCommand(url);
      expect(res.status).toBe(500);
      const error = await logged.next((l) => l.level === 'error');
      expect(error.message).toMatch(/unhandled error/);
      expect((error.err as Error).message).toBe('listener bug');
    });

    it(`${where}: answers 404 to a command whose listener never acks, once the unacked timeout passed`, async () => {
      const late = gate();
      const lateAck: Array<Promise<void>> = [];
      // The timeout is 1 ms: nothing but the timeout can answer, so the outcome does not depend on the machine.
      const { url, logged } = await start(
        async (e) => {
          await late.opened;
          lateAck.push(e.ack({ text: 'too late' }));
        },
        thread,
        { unackedTimeoutMs: 1 },
      );
      const res = await postCommand(url);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('');
      // (From the front's thread the warning travels apart from the response: it is awaited, not looked up.)
      await logged.next((l) => l.message === 'An incoming event was not acknowledged within 1 ms');
      late.open(); // the listener acks after the 404: nothing is sent, nothing fails
      await waitFor(() => lateAck.length === 1, 'the late ack');
      await expect(lateAck[0]).resolves.toBeUndefined();
      // The front still answers what comes next.
      const challenge = JSON.stringify({ type: 'url_verification', challenge: 'c-1' });
      expect(await (await post(url, challenge)).json()).toEqual({ challenge: 'c-1' });
    });

    it(`${where}: gives a request the same replay key however its timestamp header is spelt`, async () => {
      const handed: ReceiverEvent[] = [];
      const { url } = await start(async (e) => {
        handed.push(e);
      }, thread);
      const body = eventBody('Ev3');
      // Each spelling is signed alike (the signature covers the parsed number): a replay could use any of them.
      // (' 123' reaches the front as '123': the HTTP parser strips the spaces around a header's value.)
      const spellings = [
        String,
        (ts: number) => `0${ts}`,
        (ts: number) => `${ts}.0`,
        (ts: number) => ` ${ts}`,
      ];
      const ts = Math.floor(Date.now() / 1000); // one timestamp: the same request, respelt
      for (const spell of spellings) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signed(body, SECRET, ts, spell) },
          body,
        });
        expect(res.status).toBe(200);
      }
      await waitFor(() => handed.length === spellings.length, 'the requests handed to the app');
      const keys = new Set(handed.map((e) => e.customProperties?.requestKey));
      expect(keys.size).toBe(1);
    });
  }

  it('on this thread: waits UNACKED_TIMEOUT_MS for an ack by default, not a millisecond less', async () => {
    const reached = gate();
    const { url, logged } = await start(async () => reached.open(), false);
    const warned = () => logged.items.some((l) => /not acknowledged/.test(l.message));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const response = postCommand(url);
    // The listener runs after the front set the request's timer: only the fake clock moves it from here.
    await reached.opened;
    vi.advanceTimersByTime(UNACKED_TIMEOUT_MS - 1);
    expect(warned()).toBe(false); // the 404 is sent with the warning, in the same timer callback
    vi.advanceTimersByTime(1);
    expect(warned()).toBe(true);
    vi.useRealTimers();
    expect((await response).status).toBe(404);
  });

  describe('in its own thread, when the thread dies after it listened', () => {
    let threads: FrontThreads | undefined;
    afterEach(() => {
      threads?.close();
      threads = undefined;
    });

    it('logs it and restarts the front on the same port; the requests the dead thread held lose their connection', async () => {
      threads = new FrontThreads();
      const handed = new Log<ReceiverEvent>();
      const release = gate();
      const { url, port, logged } = await start(
        async (e) => {
          handed.push(e);
          await release.opened;
          await e.ack();
        },
        true,
        { workerModule: threads.module, ...LISTENER_ANSWERS },
      );
      const first = await threads.nth(0, 'listening');
      const held = outcome(postCommand(url, 'held')); // waits for its ack when the thread dies
      await handed.next(() => true);
      threads.tell(first, { cmd: 'throw' });
      expect(await held).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
      const died = await logged.next((l) => l.level === 'error');
      expect(died.message).toBe(
        `slack: the HTTP front thread died (exit code 1); restarting it on port ${port}`,
      );
      expect((died.err as Error).message).toBe('a bug in the front');
      await logged.next((l) => l.message === `slack: the HTTP front thread was restarted on port ${port}`);
      expect(receiver?.port).toBe(port);
      // The new thread answers on the same port; the dead thread's request is acked into the void.
      release.open();
      const res = await postCommand(url, 'after');
      expect(res.status).toBe(200);
      expect(handed.items.map((e) => (e.body as { text?: string }).text)).toEqual(['held', 'after']);
      await receiver?.stop(); // a thread ended by stop() is no death: nothing more is logged
      expect(logged.items.filter((l) => l.level === 'error')).toHaveLength(1);
    });

    it('logs a thread that ended with no error and a restart that cannot listen; the port is closed, stop() needs no timer', async () => {
      threads = new FrontThreads((n) => (n === 0 ? 'start' : 'fail'));
      const { url, port, logged } = await start(async () => {}, true, { workerModule: threads.module });
      threads.tell(await threads.nth(0, 'listening'), { cmd: 'exit', code: 7 });
      const failed = await logged.next((l) => /could not be restarted/.test(l.message));
      expect(logged.items.map((l) => [l.level, l.message])).toEqual([
        ['error', `slack: the HTTP front thread died (exit code 7); restarting it on port ${port}`],
        ['error', `slack: the HTTP front could not be restarted: port ${port} is closed`],
      ]);
      expect((failed.err as Error).message).toBe('the front cannot start');
      expect(receiver?.port).toBeUndefined();
      expect(await outcome(postCommand(url))).toBe('ECONNREFUSED');
      await withoutTimers(() => receiver?.stop() ?? Promise.resolve());
    });

    it('stop() while the front is being restarted waits for the new thread and closes it', async () => {
      threads = new FrontThreads((n) => (n === 0 ? 'start' : 'hold'));
      const { url, logged } = await start(async () => {}, true, { workerModule: threads.module });
      threads.tell(await threads.nth(0, 'listening'), { cmd: 'exit', code: 1 });
      const second = await threads.nth(1, 'starting'); // held before it loads the front
      let stopSettled = false;
      const stopped = receiver?.stop().finally(() => {
        stopSettled = true;
      });
      // All that stop() could do without the new thread is done by the next turn of the event loop.
      await new Promise((r) => setImmediate(r));
      expect(stopSettled).toBe(false);
      threads.tell(second, { cmd: 'start' });
      await stopped;
      // The new thread listened, then was closed by stop() rather than left serving.
      await threads.events.next((e) => e.event === 'closed' && e.threadId === second);
      expect(await outcome(postCommand(url))).toBe('ECONNREFUSED');
      expect(logged.items.some((l) => /restarted on port/.test(l.message))).toBe(false);
    });

    it(`is restarted ${MAX_FRONT_RESTARTS} times in a row without a request, not once more; a request resets the count`, async () => {
      threads = new FrontThreads();
      const { url, port, logged } = await start(async (e) => e.ack(), true, {
        workerModule: threads.module,
        ...LISTENER_ANSWERS,
      });
      let n = 0;
      const kill = async () => threads?.tell(await threads.nth(n++, 'listening'), { cmd: 'exit', code: 1 });
      const restarts = () => logged.items.filter((l) => /restarting it/.test(l.message)).length;
      await kill();
      await waitForNth(logged, (l) => /restarted on port/.test(l.message), 0);
      expect((await postCommand(url)).status).toBe(200); // the count starts again from here
      for (let i = 1; i <= MAX_FRONT_RESTARTS; i++) {
        await kill();
        await waitForNth(logged, (l) => /restarted on port/.test(l.message), i);
      }
      expect(restarts()).toBe(MAX_FRONT_RESTARTS + 1);
      await kill();
      const last = await logged.next((l) => /not restarted/.test(l.message));
      expect(last.message).toBe(
        `slack: the HTTP front thread died (exit code 1): ${MAX_FRONT_RESTARTS + 1} deaths in a row without ` +
          `a request, not restarted; port ${port} is closed`,
      );
      expect(receiver?.port).toBeUndefined();
      expect(await outcome(postCommand(url))).toBe('ECONNREFUSED');
    });
  });
});
