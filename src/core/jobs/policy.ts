/**
 * The benchmark queue's rules, shared by the embedded queue (BenchQueue) and the distributed one
 * (src/infra/queue/BullBenchQueue.ts): who may start and cancel runs, the per-user rate limit, and what a
 * finished run's outcome is.
 */
import type { BenchResultDoc } from '../bench/result.ts';
import type { BenchPolicy } from './BenchQueue.ts';
import type { BenchRequester, BenchRun } from './bench-run.ts';

const HOUR = 3_600_000;

/**
 * Why `requester` may not start a run now, or undefined when they may. `recent` are runs from the last hour or
 * more (any order); only the requester's runs created within the hour count against the rate limit.
 * @example refuseRun(policy, { userId: 'slack:U1', roles: [], channelId: 'slack:C1' }, runs, Date.now())
 * // → 'Only admins can start benchmarks on this host. …'
 */
export function refuseRun(
  policy: BenchPolicy,
  requester: BenchRequester,
  recent: readonly BenchRun[],
  now: number,
): string | undefined {
  const p = policy;
  if (p.admins.includes(requester.userId)) return undefined;
  const open = p.users.length + p.roles.length + p.channels.length > 0;
  const allowed =
    p.users.includes(requester.userId) ||
    requester.roles.some((r) => p.roles.includes(r)) ||
    p.channels.includes(requester.channelId);
  if (!allowed)
    return open
      ? "You're not allowed to start benchmarks here: ask an admin to add you, your role or this channel."
      : 'Only admins can start benchmarks on this host. An admin can allow users, roles or channels in the configuration.';
  if (p.ratePerHour > 0) {
    const since = now - HOUR;
    const mine = recent
      .filter((r) => r.requester.userId === requester.userId && r.createdAt > since)
      .sort((a, b) => a.createdAt - b.createdAt);
    if (mine.length >= p.ratePerHour) {
      const retryMin = Math.ceil(((mine[0]?.createdAt ?? since) + HOUR - now) / 60_000);
      return `Rate limit: at most ${p.ratePerHour} benchmark run(s) per hour each. Try again in about ${retryMin} min.`;
    }
  }
  return undefined;
}

/** Why `by` may not cancel `run`, or undefined when they may (the requester or an admin). */
export function refuseCancel(policy: BenchPolicy, run: BenchRun, by: BenchRequester): string | undefined {
  if (run.status !== 'queued' && run.status !== 'running')
    return `Benchmark \`${run.id}\` already ended (${run.status}).`;
  if (!policy.admins.includes(by.userId) && run.requester.userId !== by.userId)
    return `Only the requester or an admin can cancel benchmark \`${run.id}\`.`;
  return undefined;
}

/** How a run ended, from what the executor gave back and why it was aborted. */
export type RunOutcome = Pick<BenchRun, 'status' | 'reason' | 'cancelledBy'>;

/**
 * The outcome of a finished run: `stopping` (the host shut down) makes an aborted run interrupted; otherwise an
 * aborted run is cancelled (by someone, or for a reason such as the time limit); a result where every engine
 * failed is a failure that names the first reason.
 */
export function runOutcome(args: {
  doc: BenchResultDoc | undefined;
  error: string | undefined;
  aborted: boolean;
  stopping: boolean;
  cancelledBy?: string | undefined;
  reason?: string | undefined;
}): RunOutcome {
  const { doc } = args;
  if (args.stopping && args.aborted) return { status: 'interrupted' };
  if (args.aborted) {
    const out: RunOutcome = { status: 'cancelled' };
    if (args.cancelledBy) out.cancelledBy = args.cancelledBy;
    if (args.reason) out.reason = args.reason;
    return out;
  }
  if (doc && doc.rows.length > 0 && !doc.rows.some((row) => row.status === 'ok')) {
    // Every runner crashed or was unavailable: a failure, with the tables below saying why.
    const first = doc.rows.find((row) => row.reason);
    return {
      status: 'failed',
      reason: `no engine produced a result${first?.reason ? ` (${first.label}: ${first.reason.slice(0, 160)})` : ''}`,
    };
  }
  if (doc) return { status: 'done' };
  return { status: 'failed', reason: args.error ?? 'unknown error' };
}
