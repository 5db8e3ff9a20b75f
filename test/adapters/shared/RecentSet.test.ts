import { expect, it } from 'vitest';
import { RecentSet } from '../../../src/adapters/shared/RecentSet.ts';

it('recognises a repeated key until it expires or is pushed out', () => {
  let now = 0;
  const seen = new RecentSet({ capacity: 2, ttlMs: 100, now: () => now });
  expect(seen.checkAndAdd('a')).toBe(false);
  expect(seen.checkAndAdd('a')).toBe(true);
  now = 150;
  expect(seen.checkAndAdd('a')).toBe(false);
  seen.checkAndAdd('b');
  seen.checkAndAdd('c');
  expect(seen.size).toBe(2);
  expect(seen.checkAndAdd('a')).toBe(false);
});
