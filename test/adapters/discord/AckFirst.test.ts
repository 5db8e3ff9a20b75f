import { afterEach, describe, expect, it, vi } from 'vitest';
import { AckFirst } from '../../../src/adapters/discord/AckFirst.ts';

/** A promise the test settles. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Whether `p` has settled after the pending microtasks ran. */
async function isDone(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('AckFirst', () => {
  afterEach(() => vi.useRealTimers());

  it('lets an answer start at once when no acknowledgement is in flight', async () => {
    const acks = new AckFirst();
    expect(await isDone(acks.settled())).toBe(true);
  });

  it('holds answers until every acknowledgement in flight is done, failed ones included', async () => {
    const acks = new AckFirst();
    const first = deferred<string>();
    const second = deferred<string>();
    const a = acks.ack(() => first.promise);
    const b = acks.ack(() => second.promise).catch((e: unknown) => e);
    const answer = acks.settled();
    expect(acks.inFlight).toBe(2);
    first.resolve('ok');
    expect(await a).toBe('ok');
    expect(await isDone(answer)).toBe(false);
    second.reject(new Error('HTTP 500'));
    expect(await b).toBeInstanceOf(Error);
    expect(await isDone(answer)).toBe(true);
    expect(acks.inFlight).toBe(0);
  });

  it('never holds an answer longer than maxWaitMs behind a hanging acknowledgement', async () => {
    vi.useFakeTimers();
    const acks = new AckFirst({ maxWaitMs: 250 });
    void acks.ack(() => new Promise(() => {}));
    const answer = acks.settled();
    await vi.advanceTimersByTimeAsync(249);
    expect(await isDone(answer)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await isDone(answer)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
