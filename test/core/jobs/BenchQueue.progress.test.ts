import { describe, expect, it } from 'vitest';
import type { BenchResultDoc } from '../../../src/core/bench/result.ts';
import type { BenchProgress } from '../../../src/core/bench/run.ts';
import { type BenchExecutor, BenchQueue } from '../../../src/core/jobs/BenchQueue.ts';
import type { BenchRun } from '../../../src/core/jobs/bench-run.ts';
import { silentLogger } from '../../../src/core/ports.ts';
import { type AppState, emptyState } from '../../../src/core/state.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { MemoryStore } from '../../helpers/memory-store.ts';

const step = (jobIndex: number): BenchProgress =>
  ({ kind: 'job-start', message: `mlp · job ${jobIndex}`, jobIndex, jobCount: 3 }) as BenchProgress;
const policy = { admins: ['slack:UADMIN'], users: [], roles: [], channels: [], ratePerHour: 0, maxRunS: 600 };
const admin = { userId: 'slack:UADMIN', roles: [], channelId: 'slack:C1' };

/** The status texts a notifier was given, in order. */
function recorder() {
  const texts: string[] = [];
  return {
    texts,
    notifier: {
      status: async (_run: BenchRun, text: string) => {
        texts.push(text);
      },
      result: async () => {},
    },
  };
}

describe('BenchQueue progress', () => {
  it('edits the status message on each progress step (interval 0), in order, without writing progress to the store', async () => {
    const store = new MemoryStore<AppState>(emptyState());
    let writesDuringRun = -1;
    const executor: BenchExecutor = {
      async execute(_request, hooks) {
        const before = store.writes;
        for (let i = 0; i < 3; i++) hooks.onProgress(step(i));
        // Let every edit land before returning, so the count below covers them.
        await new Promise((resolve) => setImmediate(resolve));
        writesDuringRun = store.writes - before;
        return { id: 'res-1', rows: [{ status: 'ok' }] } as unknown as BenchResultDoc;
      },
    };
    const texts: string[] = [];
    const queue = new BenchQueue({
      store,
      executor,
      policy,
      clock: { now: () => 0 },
      logger: silentLogger,
      progressIntervalMs: 0,
    });
    queue.attach('test', {
      status: async (_run: BenchRun, text: string) => {
        texts.push(text);
      },
      result: async () => {},
    });
    await queue.start();
    await queue.submit(
      { userId: 'slack:UADMIN', roles: [], channelId: 'slack:C1' },
      {},
      { platform: 'test', data: {} },
    );
    await queue.whenIdle();
    await queue.stop();
    expect(writesDuringRun).toBe(0);
    const running = texts.filter((t) => t.startsWith('🏃'));
    expect(running).toEqual([
      expect.stringContaining(': starting'),
      expect.stringContaining('mlp · job 0 (1 of 3)'),
      expect.stringContaining('mlp · job 1 (2 of 3)'),
      expect.stringContaining('mlp · job 2 (3 of 3)'),
    ]);
    expect(texts.at(-1)).toMatch(/^✅ Finished/);
    expect(store.data.benchRuns[0]?.progress).toBeUndefined();
  });

  it('throttles progress edits on the injected clock: the latest of each interval, none after the final state', async () => {
    const store = new MemoryStore<AppState>(emptyState());
    const clock = new ManualClock();
    const progress = (jobIndex: number, phase: string): BenchProgress =>
      ({
        kind: 'job-progress',
        message: `mlp · job ${jobIndex} · ${phase}`,
        jobIndex,
        jobCount: 3,
      }) as BenchProgress;
    const executor: BenchExecutor = {
      async execute(_request, hooks) {
        // 'starting' went out at 0: everything until 3000 is coalesced into the latest.
        hooks.onProgress(step(0));
        clock.advance(1000);
        hooks.onProgress(progress(0, 'train 1/3'));
        clock.advance(2000);
        hooks.onProgress(step(1));
        clock.advance(1000);
        hooks.onProgress(step(2)); // still pending when the run ends: dropped, the final state goes out instead
        return { id: 'res-1', rows: [{ status: 'ok' }] } as unknown as BenchResultDoc;
      },
    };
    const chat = recorder();
    const queue = new BenchQueue({
      store,
      executor,
      policy,
      clock: { now: () => clock.now() },
      logger: silentLogger,
      progressClock: clock,
    });
    queue.attach('test', chat.notifier);
    await queue.start();
    await queue.submit(admin, {}, { platform: 'test', data: {} });
    await queue.whenIdle();
    await queue.stop();
    clock.advance(60_000);
    const running = chat.texts.filter((t) => t.startsWith('🏃'));
    expect(running).toEqual([
      expect.stringContaining(': starting'),
      expect.stringContaining('mlp · job 0 · train 1/3 (1 of 3)'),
    ]);
    expect(chat.texts.at(-1)).toMatch(/^✅ Finished/);
    expect(clock.pending).toBe(0);
  });
});
