import { describe, expect, it } from 'vitest';
import type { BenchResultDoc } from '../../../src/core/bench/result.ts';
import type { BenchRequest } from '../../../src/core/bench/run.ts';
import { type BenchExecutor, type BenchPolicy, BenchQueue } from '../../../src/core/jobs/BenchQueue.ts';
import type { BenchRun } from '../../../src/core/jobs/bench-run.ts';
import { silentLogger } from '../../../src/core/ports.ts';
import { type AppState, emptyState } from '../../../src/core/state.ts';
import { MemoryStore } from '../../helpers/memory-store.ts';

/** An executor double: each run waits until the test releases it (or fails, or honours abort). */
class GatedExecutor implements BenchExecutor {
  started: BenchRequest[] = [];
  /** Rows of the documents returned (default none). */
  rows: unknown[] = [];
  aborted = 0;
  #gates: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  async execute(request: BenchRequest, hooks: { signal: AbortSignal }): Promise<BenchResultDoc> {
    this.started.push(request);
    await new Promise<void>((resolve, reject) => {
      this.#gates.push({ resolve, reject });
      hooks.signal.addEventListener('abort', () => {
        this.aborted++;
        resolve();
      });
    });
    return { id: `res-${this.started.length}`, rows: this.rows } as unknown as BenchResultDoc;
  }
  release(): void {
    this.#gates.shift()?.resolve();
  }
  fail(message: string): void {
    this.#gates.shift()?.reject(new Error(message));
  }
  async waitStarted(n: number): Promise<void> {
    for (let i = 0; i < 200 && this.started.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    expect(this.started.length).toBe(n);
  }
}

const policy: BenchPolicy = {
  admins: ['slack:UADMIN'],
  users: ['slack:UALLOWED'],
  roles: ['discord:role-ml'],
  channels: [],
  ratePerHour: 2,
  maxRunS: 600,
};
const who = (userId: string, roles: string[] = []) => ({ userId, roles, channelId: 'slack:C1' });
const target = { platform: 'test', data: {} };

function setup(store = new MemoryStore<AppState>(emptyState()), p: BenchPolicy = policy) {
  const executor = new GatedExecutor();
  let now = 1_000_000;
  const clock = { now: () => now };
  const statuses: string[] = [];
  const results: string[] = [];
  const queue = new BenchQueue({ store, executor, policy: p, clock, logger: silentLogger });
  queue.attach('test', {
    status: async (run: BenchRun, text: string) => {
      statuses.push(`${run.id}: ${text}`);
    },
    result: async (run: BenchRun, doc: BenchResultDoc) => {
      results.push(`${run.id}: ${doc.id}`);
    },
  });
  return { queue, executor, store, statuses, results, advance: (ms: number) => (now += ms) };
}

describe('BenchQueue', () => {
  it('refuses users who are not allowed, by default everyone but admins', async () => {
    const { queue } = setup(undefined, { ...policy, users: [], roles: [] });
    const r = await queue.submit(who('slack:USOMEONE'), {}, target);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(/Only admins/);
    expect((await queue.submit(who('slack:UADMIN'), {}, target)).ok).toBe(true);
  });

  it('allows by user list and by Discord role', async () => {
    const { queue } = setup();
    expect((await queue.submit(who('slack:UALLOWED'), {}, target)).ok).toBe(true);
    expect((await queue.submit(who('discord:9', ['discord:role-ml']), {}, target)).ok).toBe(true);
    expect((await queue.submit(who('discord:9', ['discord:role-other']), {}, target)).ok).toBe(false);
  });

  it('runs one at a time, first come first served, telling each request its position', async () => {
    const { queue, executor, statuses, results } = setup();
    await queue.start();
    const a = await queue.submit(who('slack:UADMIN'), { workloads: ['mlp'] }, target);
    await executor.waitStarted(1);
    const b = await queue.submit(who('slack:UADMIN'), { workloads: ['cnn'] }, target);
    expect(b.ok && b.value.position).toBe(2);
    expect(executor.started).toHaveLength(1);
    executor.release();
    await executor.waitStarted(2);
    expect(executor.started.map((r) => r.workloads)).toEqual([['mlp'], ['cnn']]);
    executor.release();
    await queue.whenIdle();
    expect(a.ok && b.ok).toBe(true);
    expect(results).toEqual(['b1: res-1', 'b2: res-2']);
    expect(statuses.some((s) => /b2: ⏳ Queued .*position 2/.test(s))).toBe(true);
    expect(statuses.filter((s) => s.startsWith('b1: ✅')).length).toBe(1);
    await queue.stop();
  });

  it('enforces the per-user hourly rate limit, admins exempt', async () => {
    const { queue, advance } = setup();
    expect((await queue.submit(who('slack:UALLOWED'), {}, target)).ok).toBe(true);
    expect((await queue.submit(who('slack:UALLOWED'), {}, target)).ok).toBe(true);
    const third = await queue.submit(who('slack:UALLOWED'), {}, target);
    expect(third.ok ? '' : third.message).toMatch(/Rate limit: at most 2/);
    advance(3_600_001);
    expect((await queue.submit(who('slack:UALLOWED'), {}, target)).ok).toBe(true);
  });

  it('lets the requester or an admin cancel, killing a running run and skipping a queued one', async () => {
    const { queue, executor, store, statuses } = setup();
    await queue.start();
    await queue.submit(who('slack:UALLOWED'), {}, target);
    await executor.waitStarted(1);
    await queue.submit(who('slack:UALLOWED'), {}, target);
    const denied = await queue.cancel('b1', who('slack:UOTHER'));
    expect(denied.ok ? '' : denied.message).toMatch(/Only the requester or an admin/);
    expect((await queue.cancel('b2', who('slack:UALLOWED'))).ok).toBe(true);
    expect((await queue.cancel('b1', who('slack:UADMIN'))).ok).toBe(true);
    await queue.whenIdle();
    expect(executor.aborted).toBe(1);
    expect(executor.started).toHaveLength(1);
    expect(store.data.benchRuns.map((r) => [r.id, r.status, r.cancelledBy])).toEqual([
      ['b1', 'cancelled', 'slack:UADMIN'],
      ['b2', 'cancelled', 'slack:UALLOWED'],
    ]);
    expect(statuses.some((s) => s.startsWith('b1: 🛑 Cancelled'))).toBe(true);
    await queue.stop();
  });

  it('reports a run where every runner failed as failed, saying why, and still posts its result', async () => {
    const { queue, executor, store, statuses, results } = setup();
    executor.rows = [{ status: 'failed', label: 'PyTorch', reason: 'runner was killed by SIGABRT' }];
    await queue.start();
    await queue.submit(who('slack:UADMIN'), {}, target);
    await executor.waitStarted(1);
    executor.release();
    await queue.whenIdle();
    expect(store.data.benchRuns[0]).toMatchObject({
      status: 'failed',
      reason: 'no engine produced a result (PyTorch: runner was killed by SIGABRT)',
      resultId: 'res-1',
    });
    expect(statuses.at(-1)).toMatch(/^b1: ❌ .* failed .*SIGABRT\)\. Details below\.$/);
    expect(results).toEqual(['b1: res-1']);
    await queue.stop();
  });

  it('reports a crashed run as failed and moves on to the next', async () => {
    const { queue, executor, store } = setup();
    await queue.start();
    await queue.submit(who('slack:UADMIN'), {}, target);
    await queue.submit(who('slack:UADMIN'), {}, target);
    await executor.waitStarted(1);
    executor.fail('runner exploded');
    await executor.waitStarted(2);
    executor.release();
    await queue.whenIdle();
    expect(store.data.benchRuns.map((r) => [r.status, r.reason])).toEqual([
      ['failed', 'runner exploded'],
      ['done', undefined],
    ]);
    await queue.stop();
  });

  it('survives a restart: a running run is marked interrupted and its requester told; queued runs resume', async () => {
    const store = new MemoryStore<AppState>(emptyState());
    const first = setup(store);
    await first.queue.start();
    await first.queue.submit(who('slack:UADMIN'), { workloads: ['mlp'] }, target);
    await first.executor.waitStarted(1);
    await first.queue.submit(who('slack:UADMIN'), { workloads: ['cnn'] }, target);
    // Simulate a crash: the old process is gone without finishing; a new queue opens the same store.
    const second = setup(store);
    await second.queue.start();
    await second.executor.waitStarted(1);
    expect(second.executor.started[0]?.workloads).toEqual(['cnn']);
    expect(store.data.benchRuns[0]?.status).toBe('interrupted');
    expect(second.statuses.some((s) => s.startsWith('b1: ⚠️') && /interrupted by a restart/.test(s))).toBe(
      true,
    );
    second.executor.release();
    await second.queue.whenIdle();
    expect(store.data.benchRuns[1]?.status).toBe('done');
    await second.queue.stop();
  });

  it('at start, cancels queued runs whose chat platform is not running instead of running them unseen', async () => {
    const store = new MemoryStore<AppState>(emptyState());
    const first = setup(store);
    await first.queue.submit(who('slack:UADMIN'), { workloads: ['mlp'] }, { platform: 'gone', data: {} });
    await first.queue.submit(who('slack:UADMIN'), { workloads: ['cnn'] }, target);
    const second = setup(store);
    await second.queue.start();
    await second.executor.waitStarted(1);
    expect(second.executor.started[0]?.workloads).toEqual(['cnn']);
    expect(store.data.benchRuns[0]?.status).toBe('cancelled');
    expect(store.data.benchRuns[0]?.reason).toMatch(/gone\) is not running/);
    second.executor.release();
    await second.queue.whenIdle();
    await second.queue.stop();
  });

  it('cancels a run that passes the maximum run time and says why', async () => {
    const { queue, executor, store } = setup(undefined, { ...policy, maxRunS: 0.05 });
    await queue.start();
    await queue.submit(who('slack:UADMIN'), {}, target);
    await executor.waitStarted(1);
    await queue.whenIdle();
    expect(executor.aborted).toBe(1);
    expect(store.data.benchRuns[0]).toMatchObject({
      status: 'cancelled',
      reason: 'exceeded the maximum run time of 0.05 s',
    });
    await queue.stop();
  });

  it('re-posts past results by id or "last"', async () => {
    const { queue, executor } = setup();
    await queue.start();
    expect((await queue.result('last')).ok).toBe(false);
    await queue.submit(who('slack:UADMIN'), {}, target);
    await executor.waitStarted(1);
    executor.release();
    await queue.whenIdle();
    const last = await queue.result('last');
    expect(last.ok && last.value.id).toBe('res-1');
    const byRun = await queue.result('b1');
    expect(byRun.ok && byRun.value.id).toBe('res-1');
    const missing = await queue.result('b99');
    expect(missing.ok ? '' : missing.message).toMatch(/No result `b99`.*b1/);
    await queue.stop();
  });
});
