import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StatusMessages } from '../../../src/adapters/shared/StatusMessages.ts';
import type { BenchRun } from '../../../src/core/jobs/bench-run.ts';
import { silentLogger } from '../../../src/core/ports.ts';

const run = (status: BenchRun['status'], data: Record<string, string> = {}): BenchRun => ({
  id: 'b1',
  status,
  requester: { userId: 'slack:U1', roles: [], channelId: 'slack:C1' },
  request: {},
  target: { platform: 'slack', data },
  createdAt: 0,
});

describe('StatusMessages', () => {
  const calls: string[] = [];
  let messages: StatusMessages;
  beforeEach(() => {
    vi.useFakeTimers();
    calls.length = 0;
    messages = new StatusMessages({
      idKey: 'statusTs',
      intervalMs: 2000,
      logger: silentLogger,
      ops: {
        post: async (_run, text, active) => {
          calls.push(`post ${text}${active ? ' [Cancel]' : ''}`);
          return 'ts-1';
        },
        edit: async (_run, id, text, active) => {
          calls.push(`edit ${id} ${text}${active ? ' [Cancel]' : ''}`);
        },
      },
    });
  });
  afterEach(() => vi.useRealTimers());

  it('posts once, keeps the id on the run, and coalesces edits within the interval into the latest one', async () => {
    const r = run('queued');
    await messages.show(r, 'queued 1');
    expect(r.target.data.statusTs).toBe('ts-1');
    const running = run('running', { statusTs: 'ts-1' });
    await messages.show(running, 'running 1 of 3');
    await messages.show(running, 'running 2 of 3');
    expect(calls).toEqual(['post queued 1 [Cancel]']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toEqual(['post queued 1 [Cancel]', 'edit ts-1 running 2 of 3 [Cancel]']);
    await messages.show(running, 'running 3 of 3');
    // The final state goes out at once, replacing the pending edit, without the Cancel button.
    await messages.show(run('done', { statusTs: 'ts-1' }), 'done');
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toEqual(['post queued 1 [Cancel]', 'edit ts-1 running 2 of 3 [Cancel]', 'edit ts-1 done']);
  });

  it('spaces active edits at least the interval apart (fake clock); with interval 0 every update is an edit', async () => {
    const at: number[] = [];
    const timed = new StatusMessages({
      idKey: 'statusTs',
      intervalMs: 2000,
      logger: silentLogger,
      ops: { post: async () => 'ts-9', edit: async () => void at.push(Date.now()) },
    });
    const t0 = Date.now();
    await timed.show(run('queued'), 'queued');
    const running = run('running', { statusTs: 'ts-9' });
    for (let i = 1; i <= 6; i++) {
      await vi.advanceTimersByTimeAsync(700);
      await timed.show(running, `running ${i}`);
    }
    await vi.advanceTimersByTimeAsync(2000);
    expect(at.map((t) => t - t0)).toEqual([2000, 4000, 6000]);

    const unthrottled = new StatusMessages({
      idKey: 'statusTs',
      intervalMs: 0,
      logger: silentLogger,
      ops: { post: async () => 'ts-0', edit: async (_run, _id, text) => void calls.push(text) },
    });
    await unthrottled.show(run('queued'), 'queued');
    for (const text of ['running 1', 'running 2'])
      await unthrottled.show(run('running', { statusTs: 'ts-0' }), text);
    expect(calls).toEqual(['running 1', 'running 2']); // at once, no timer
  });

  it('edits a message posted before a restart (its id comes from the run) and posts concurrent first calls once', async () => {
    await messages.show(run('interrupted', { statusTs: 'old-ts' }), 'interrupted');
    expect(calls).toEqual(['edit old-ts interrupted']);
    calls.length = 0;
    const fresh = { ...run('queued'), id: 'b2' };
    await Promise.all([
      messages.show(fresh, 'queued 2'),
      messages.show({ ...fresh, status: 'running' }, 'running'),
    ]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toEqual(['post queued 2 [Cancel]', 'edit ts-1 running [Cancel]']);
  });
});
