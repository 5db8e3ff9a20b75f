import { describe, expect, it } from 'vitest';
import { StatusMessages } from '../../../src/adapters/shared/StatusMessages.ts';
import type { BenchRun } from '../../../src/core/jobs/bench-run.ts';

const run = (status: BenchRun['status'], data: Record<string, string> = {}): BenchRun => ({
  id: 'b1',
  status,
  requester: { userId: 'slack:U1', roles: [], channelId: 'slack:C1' },
  request: {},
  target: { platform: 'slack', data },
  createdAt: 0,
});

/** Ops that record each call; an edit may be held until `release()` (a slow or rate-limited chat API). */
function recordingOps() {
  const calls: string[] = [];
  let hold: Promise<void> | undefined;
  let release = () => {};
  let started = () => {};
  return {
    calls,
    /** Holds the next edits until `release()`; resolves once the first held edit has begun. */
    holdEdits(): Promise<void> {
      hold = new Promise<void>((resolve) => {
        release = resolve;
      });
      return new Promise<void>((resolve) => {
        started = resolve;
      });
    },
    release: () => release(),
    ops: {
      post: async (_run: BenchRun, text: string, active: boolean) => {
        calls.push(`post ${text}${active ? ' [Cancel]' : ''}`);
        return 'ts-1';
      },
      edit: async (_run: BenchRun, id: string, text: string, active: boolean) => {
        calls.push(`edit ${id} ${text}${active ? ' [Cancel]' : ''}`);
        started();
        await hold;
      },
    },
  };
}

describe('StatusMessages', () => {
  it('posts once, keeps the id on the run, then edits on every update (no throttle of its own) and the final one without Cancel', async () => {
    const chat = recordingOps();
    const messages = new StatusMessages({ idKey: 'statusTs', ops: chat.ops });
    const r = run('queued');
    await messages.show(r, 'queued 1');
    expect(r.target.data.statusTs).toBe('ts-1');
    const running = run('running', { statusTs: 'ts-1' });
    await messages.show(running, 'running 1 of 3');
    await messages.show(running, 'running 2 of 3');
    await messages.show(running, 'running 2 of 3'); // unchanged: not sent again
    await messages.show(run('done', { statusTs: 'ts-1' }), 'done');
    expect(chat.calls).toEqual([
      'post queued 1 [Cancel]',
      'edit ts-1 running 1 of 3 [Cancel]',
      'edit ts-1 running 2 of 3 [Cancel]',
      'edit ts-1 done',
    ]);
  });

  it('coalesces updates that arrive while an edit is in flight into the latest, and the final state is never dropped', async () => {
    const chat = recordingOps();
    const messages = new StatusMessages({ idKey: 'statusTs', ops: chat.ops });
    await messages.show(run('queued'), 'queued');
    const running = run('running', { statusTs: 'ts-1' });
    const inFlight = chat.holdEdits();
    const first = messages.show(running, 'running 1');
    await inFlight;
    const shown = [
      messages.show(running, 'running 2'),
      messages.show(running, 'running 3'),
      messages.show(run('done', { statusTs: 'ts-1' }), 'done'),
    ];
    chat.release();
    await Promise.all([first, ...shown]);
    expect(chat.calls).toEqual(['post queued [Cancel]', 'edit ts-1 running 1 [Cancel]', 'edit ts-1 done']);
  });

  it('edits a message posted before a restart (its id comes from the run) and posts concurrent first calls once', async () => {
    const chat = recordingOps();
    const messages = new StatusMessages({ idKey: 'statusTs', ops: chat.ops });
    await messages.show(run('interrupted', { statusTs: 'old-ts' }), 'interrupted');
    expect(chat.calls).toEqual(['edit old-ts interrupted']);
    chat.calls.length = 0;
    const fresh = { ...run('queued'), id: 'b2' };
    await Promise.all([
      messages.show(fresh, 'queued 2'),
      messages.show({ ...fresh, status: 'running' }, 'running'),
    ]);
    expect(chat.calls).toEqual(['post queued 2 [Cancel]', 'edit ts-1 running [Cancel]']);
  });
});
