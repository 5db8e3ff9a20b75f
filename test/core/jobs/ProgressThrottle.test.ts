import { describe, expect, it } from 'vitest';
import { PROGRESS_INTERVAL_MS, ProgressThrottle } from '../../../src/core/jobs/ProgressThrottle.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

describe('ProgressThrottle', () => {
  it('publishes the first value at once, then the latest of each interval as it ends', () => {
    const clock = new ManualClock();
    const out: Array<[number, string]> = [];
    const throttle = new ProgressThrottle<string>({ clock, publish: (v) => out.push([clock.now(), v]) });
    throttle.push('a');
    clock.advance(500);
    throttle.push('b');
    clock.advance(500);
    throttle.push('c');
    expect(out).toEqual([[0, 'a']]);
    clock.advance(2000);
    expect(out).toEqual([
      [0, 'a'],
      [PROGRESS_INTERVAL_MS, 'c'],
    ]);
    // Quiet for longer than the interval: the next value goes out at once.
    clock.advance(10_000);
    throttle.push('d');
    expect(out.at(-1)).toEqual([13_000, 'd']);
    expect(clock.pending).toBe(0);
  });

  it('spaces publications of a steady stream one interval apart', () => {
    const clock = new ManualClock();
    const at: number[] = [];
    const throttle = new ProgressThrottle<number>({
      clock,
      intervalMs: 2000,
      publish: () => at.push(clock.now()),
    });
    for (let i = 0; i < 12; i++) {
      throttle.push(i);
      clock.advance(700);
    }
    clock.advance(5000);
    expect(at).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it('drops what is pending on close and publishes nothing after it (the final state goes out without it)', () => {
    const clock = new ManualClock();
    const out: string[] = [];
    const throttle = new ProgressThrottle<string>({ clock, publish: (v) => out.push(v) });
    throttle.push('job 1');
    throttle.push('job 2');
    throttle.close();
    throttle.push('job 3');
    clock.advance(60_000);
    expect(out).toEqual(['job 1']);
    expect(clock.pending).toBe(0);
  });

  it('with interval 0 publishes every value at once, with no timer', () => {
    const clock = new ManualClock();
    const out: string[] = [];
    const throttle = new ProgressThrottle<string>({ clock, intervalMs: 0, publish: (v) => out.push(v) });
    for (const v of ['a', 'b', 'c']) throttle.push(v);
    expect(out).toEqual(['a', 'b', 'c']);
    expect(clock.pending).toBe(0);
  });
});
