import { describe, expect, it } from 'vitest';
import type { BenchResultDoc } from '../../../src/core/bench/result.ts';
import type { BenchProgress } from '../../../src/core/bench/run.ts';
import { type BenchExecutor, BenchQueue } from '../../../src/core/jobs/BenchQueue.ts';
import type { BenchRun } from '../../../src/core/jobs/bench-run.ts';
import { silentLogger } from '../../../src/core/ports.ts';
import { type AppState, emptyState } from '../../../src/core/state.ts';
import { MemoryStore } from '../../helpers/memory-store.ts';

const step = (jobIndex: number): BenchProgress =>
  ({ kind: 'job-start', message: `mlp · job ${jobIndex}`, jobIndex, jobCount: 3 }) as BenchProgress;

describe('BenchQueue progress', () => {
  it('edits the status message on each progress step, in order, without writing progress to the store', async () => {
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
      policy: { admins: ['slack:UADMIN'], users: [], roles: [], channels: [], ratePerHour: 0, maxRunS: 600 },
      clock: { now: () => 0 },
      logger: silentLogger,
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
});
