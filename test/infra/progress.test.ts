import { describe, expect, it } from 'vitest';
import { createProgress, type ProgressClock } from '../../src/infra/progress.ts';

/** A clock the test moves by hand; timers fire when it passes them. */
function manualClock() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let id = 0;
  const clock: ProgressClock = {
    now: () => now,
    set: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: ++id });
      return id;
    },
    clear: (h) => {
      timers = timers.filter((t) => t.id !== h);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) {
      clock.clear(t.id);
      t.fn();
    }
  };
  return { clock, advance };
}

const sink = () => {
  const out: string[] = [];
  return { out, stream: { write: (s: string) => out.push(s) } };
};

describe('start-up progress', () => {
  it('shows nothing for a phase that ends within a second', async () => {
    const { clock, advance } = manualClock();
    const { out, stream } = sink();
    const progress = createProgress({ stream, tty: true, clock });
    await progress.phase('loading', async (tick) => {
      advance(999);
      tick(1, 1);
    });
    expect(out).toEqual([]);
  });

  it('writes one line per slow phase when stderr is not a terminal', async () => {
    const { clock, advance } = manualClock();
    const { out, stream } = sink();
    const progress = createProgress({ stream, tty: false, clock });
    await progress.phase('embedding 530 texts', async (tick) => {
      for (let i = 1; i <= 5; i++) {
        advance(400);
        tick(i * 100, 500);
      }
    });
    expect(out).toEqual(['tensorduel: embedding 530 texts…\n']);
  });

  it('draws a bar on a terminal after a second, redraws at most every 100 ms, and ends with the time taken', async () => {
    const { clock, advance } = manualClock();
    const { out, stream } = sink();
    const progress = createProgress({ stream, tty: true, clock });
    await progress.phase('embedding', async (tick) => {
      tick(0, 100);
      advance(1000);
      advance(100);
      tick(50, 100);
      advance(10);
      tick(60, 100); // too soon after the last draw
      advance(100);
      tick(100, 100);
    });
    expect(out).toEqual([
      '\r\x1b[2Ktensorduel: embedding [························] 0/100',
      '\r\x1b[2Ktensorduel: embedding [############············] 50/100',
      '\r\x1b[2Ktensorduel: embedding [########################] 100/100',
      '\r\x1b[2Ktensorduel: embedding: done in 1.2 s\n',
    ]);
  });

  it('passes the result and the error of the phase through', async () => {
    const { clock } = manualClock();
    const progress = createProgress({ stream: sink().stream, tty: true, clock });
    expect(await progress.phase('x', async () => 42)).toBe(42);
    await expect(
      progress.phase('y', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
