import { expect, it } from 'vitest';
import { LogLimiter } from '../../../src/adapters/shared/LogLimiter.ts';

it('lets a burst of one kind of line through per window and then says how many were dropped', () => {
  let now = 0;
  const limiter = new LogLimiter({ burst: 2, windowMs: 1000, now: () => now });
  const verdicts = [1, 2, 3, 4].map((i) => limiter.admit(`stale timestamp ${i}`).write);
  expect(verdicts).toEqual([true, true, false, false]);
  // Another kind of line has its own allowance.
  expect(limiter.admit('signature mismatch').write).toBe(true);
  now = 1000;
  expect(limiter.admit('stale timestamp 5')).toEqual({ write: true, dropped: 2 });
  expect(limiter.admit('stale timestamp 6')).toEqual({ write: true, dropped: 0 });
});
