import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/core/limit.ts';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('createLimiter', () => {
  it('runs at most max calls at once, the rest in arrival order', async () => {
    const limit = createLimiter(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limit.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limit.active).toBe(2);
    expect(limit.waiting).toBe(2);
    gates[1]?.resolve();
    await runs[1];
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(limit.active).toBe(0);
  });

  it('frees the slot when a call throws', async () => {
    const limit = createLimiter(1);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(async () => 'next')).toBe('next');
    expect(limit.active).toBe(0);
  });

  it('rejects a limit below 1', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
  });
});
