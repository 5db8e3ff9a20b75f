import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../../src/core/ports.ts';
import { BatchingEmbedder, type BatchTimer } from '../../../src/infra/embedders/BatchingEmbedder.ts';
import { FakeEmbedder } from '../../helpers/fake-embedder.ts';

/** Time that moves only when the test says so. */
class ManualTimer implements BatchTimer {
  now = 0;
  #timers: Array<{ at: number; fn: () => void; id: number }> = [];
  #id = 0;
  set(fn: () => void, ms: number): unknown {
    const id = ++this.#id;
    this.#timers.push({ at: this.now + ms, fn, id });
    return id;
  }
  clear(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }
  defer(fn: () => void): void {
    queueMicrotask(fn);
  }
  /** Timers still waiting, as delays from now. */
  get pending(): number[] {
    return this.#timers.map((t) => t.at - this.now);
  }
  async advance(ms: number): Promise<void> {
    this.now += ms;
    for (const t of this.#timers.filter((x) => x.at <= this.now)) {
      this.clear(t.id);
      t.fn();
    }
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** An embedder whose calls finish only when the test releases them; records each batch. */
class GatedEmbedder implements Embedder {
  readonly modelId = 'gated';
  readonly dimensions = 256;
  readonly batches: string[][] = [];
  readonly #real = new FakeEmbedder();
  #gates: Array<() => void> = [];
  async ready(): Promise<void> {}
  async dispose(): Promise<void> {}
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.batches.push([...texts]);
    await new Promise<void>((r) => this.#gates.push(r));
    return this.#real.embed(texts);
  }
  /** Finishes the oldest call in flight. */
  async release(): Promise<void> {
    this.#gates.shift()?.();
    await settle();
  }
}

describe('BatchingEmbedder (dynamic batching, injected clock)', () => {
  it('sends a lone request after the 2 ms window, not later', async () => {
    const timer = new ManualTimer();
    const inner = new GatedEmbedder();
    const e = new BatchingEmbedder(inner, { maxBatch: 16, maxDelayMs: 2, timer });
    void e.embed(['alone']);
    await settle();
    expect(inner.batches).toEqual([]);
    expect(timer.pending).toEqual([2]);
    await timer.advance(1);
    expect(inner.batches).toEqual([]);
    await timer.advance(1);
    expect(inner.batches).toEqual([['alone']]);
  });

  it('groups requests that arrive inside the window into one call, in order', async () => {
    const timer = new ManualTimer();
    const inner = new GatedEmbedder();
    const e = new BatchingEmbedder(inner, { maxBatch: 16, maxDelayMs: 2, timer });
    const a = e.embed(['a']);
    await timer.advance(1);
    const b = e.embed(['b', 'c']);
    await timer.advance(1);
    expect(inner.batches).toEqual([['a', 'b', 'c']]);
    await inner.release();
    const [ra, rb] = await Promise.all([a, b]);
    const direct = await new FakeEmbedder().embed(['a', 'b', 'c']);
    expect(ra?.map((v) => Array.from(v))).toEqual([Array.from(direct[0] as Float32Array)]);
    expect(rb?.map((v) => Array.from(v))).toEqual(direct.slice(1).map((v) => Array.from(v)));
  });

  it('leaves at once when a full batch is waiting, without waiting for the timer', async () => {
    const timer = new ManualTimer();
    const inner = new GatedEmbedder();
    const e = new BatchingEmbedder(inner, { maxBatch: 4, maxDelayMs: 2, timer });
    for (const t of ['1', '2', '3', '4', '5']) void e.embed([t]);
    await settle();
    expect(inner.batches).toEqual([['1', '2', '3', '4']]);
    expect(timer.pending).toEqual([]);
  });

  it('queues while the model is busy and sends the queue as the next batch when it is free', async () => {
    const timer = new ManualTimer();
    const inner = new GatedEmbedder();
    const e = new BatchingEmbedder(inner, { maxBatch: 3, maxDelayMs: 2, timer });
    void e.embed(['first']);
    await timer.advance(2);
    for (const t of ['q1', 'q2', 'q3', 'q4']) void e.embed([t]);
    await timer.advance(10);
    expect(inner.batches).toEqual([['first']]);
    await inner.release();
    expect(inner.batches).toEqual([['first'], ['q1', 'q2', 'q3']]);
    await inner.release();
    expect(inner.batches).toEqual([['first'], ['q1', 'q2', 'q3'], ['q4']]);
    expect(e.stats).toMatchObject({ batches: 3, requests: 5, texts: 5, largest: 3 });
  });

  it('sends a request larger than the batch alone and unsplit', async () => {
    const timer = new ManualTimer();
    const inner = new GatedEmbedder();
    const e = new BatchingEmbedder(inner, { maxBatch: 2, maxDelayMs: 2, timer });
    const big = e.embed(['a', 'b', 'c']);
    void e.embed(['d']);
    await settle();
    expect(inner.batches).toEqual([['a', 'b', 'c']]);
    await inner.release();
    expect((await big).length).toBe(3);
    expect(inner.batches[1]).toEqual(['d']);
  });

  it('rejects every request of a failed batch and serves the next one', async () => {
    const timer = new ManualTimer();
    let fail = true;
    const inner = new FakeEmbedder();
    const flaky: Embedder = {
      modelId: 'flaky',
      dimensions: 256,
      ready: async () => {},
      dispose: async () => {},
      embed: async (texts) => {
        if (fail) throw new Error('model crashed');
        return inner.embed(texts);
      },
    };
    const e = new BatchingEmbedder(flaky, { maxDelayMs: 0, timer });
    const results = await Promise.allSettled([e.embed(['x']), e.embed(['y'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await e.embed(['z'])).length).toBe(1);
  });
});
