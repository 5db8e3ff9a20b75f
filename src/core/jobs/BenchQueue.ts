/**
 * The chat benchmark queue: one run on the host at a time, first come first served, persisted in its repository so
 * queued runs survive a restart (a run cut off by a restart is marked interrupted). Permissions, a per-user rate
 * limit and a maximum run time are enforced here, not in the adapters.
 */

import type { BenchResultDoc } from '../bench/result.ts';
import type { BenchProgress, BenchRequest } from '../bench/run.ts';
import type { AppStore, Clock, Logger } from '../ports.ts';
import type { BenchRequester, BenchRun } from './bench-run.ts';
import { ProgressThrottle, type ThrottleClock } from './ProgressThrottle.ts';
import { refuseRun, runOutcome } from './policy.ts';

/** Runs one benchmark (the real one: runBenchmark over child-process runners). */
export interface BenchExecutor {
  execute(
    request: BenchRequest,
    hooks: { signal: AbortSignal; onProgress: (event: BenchProgress) => void },
  ): Promise<BenchResultDoc>;
}

/** Reports a run in its chat; implemented by each platform adapter. */
export interface BenchNotifier {
  /** Creates or edits the run's status message; may store ids in `run.target.data` (persisted after the call). */
  status(run: BenchRun, text: string): Promise<void>;
  /** Posts the finished result (tables, chart, claim checks) in the run's thread or channel. */
  result(run: BenchRun, doc: BenchResultDoc): Promise<void>;
}

/** Who may run what, and how often. */
export interface BenchPolicy {
  admins: readonly string[];
  users: readonly string[];
  roles: readonly string[];
  channels: readonly string[];
  /** Runs per user per rolling hour; admins are exempt; 0 disables the limit. */
  ratePerHour: number;
  /** Whole-run time limit in seconds: past it the run is cancelled. */
  maxRunS: number;
}

/** The answer to a submit, cancel or lookup, with a message fit to show. */
export type QueueAnswer<T = BenchRun> =
  | { ok: true; value: T; message: string }
  | { ok: false; message: string };

const ACTIVE = new Set(['queued', 'running']);

/**
 * Posts or edits a run's status message through its platform's notifier. Returns the run's target data when the
 * notifier recorded something in it (the status message id), for the queue to store; undefined otherwise, or when
 * the platform is not running or the update failed (`onError` is told).
 */
export async function updateStatus(
  notifier: BenchNotifier | undefined,
  run: BenchRun,
  position: number | undefined,
  onError: (err: unknown) => void,
): Promise<BenchRun['target']['data'] | undefined> {
  if (!notifier) return undefined;
  const before = JSON.stringify(run.target.data);
  try {
    await notifier.status(run, describeRun(run, position));
  } catch (err) {
    onError(err);
    return undefined;
  }
  return JSON.stringify(run.target.data) !== before ? run.target.data : undefined;
}

/** Human text of a run's state, used for the status message. */
export function describeRun(run: BenchRun, position?: number): string {
  const what = `benchmark \`${run.id}\` (${run.request.workloads?.join(', ') ?? 'all workloads'} · ${run.request.engines?.join(', ') ?? 'all engines'} · ${run.request.device ?? 'auto'})`;
  const took =
    run.startedAt && run.finishedAt
      ? ` in ${Math.max(1, Math.round((run.finishedAt - run.startedAt) / 1000))} s`
      : '';
  switch (run.status) {
    case 'queued':
      return `⏳ Queued ${what}: position ${position ?? '?'} in the queue.`;
    case 'running':
      return `🏃 Running ${what}${run.progress ? `: ${run.progress}` : ''}`;
    case 'done':
      return `✅ Finished ${what}${took}${run.host ? ` on ${run.host}` : ''}. Results below.`;
    case 'failed':
      return `❌ ${what} failed${took}: ${run.reason ?? 'unknown error'}${run.resultId ? '. Details below.' : ''}`;
    case 'cancelled':
      return `🛑 Cancelled ${what}${run.cancelledBy ? ` by ${run.cancelledBy}` : ''}${run.reason ? ` (${run.reason})` : ''}.`;
    case 'interrupted':
      // A distributed run names what cut it off (its worker died); the embedded queue's cause is a restart.
      return run.reason
        ? `⚠️ ${what} was interrupted: ${run.reason}; run it again to get results.`
        : `⚠️ ${what} was interrupted by a restart of TensorDuel; run it again to get results.`;
  }
}

/**
 * What the chat adapters and the app use of a benchmark queue: the embedded {@link BenchQueue} and the
 * distributed BullMQ one (src/infra/queue/BullBenchQueue.ts) both provide it.
 */
export type BenchQueueApi = Pick<
  BenchQueue,
  'attach' | 'isAdmin' | 'start' | 'stop' | 'submit' | 'cancel' | 'result' | 'whenIdle'
>;

/** The queue. Call `start()` once at start-up (recovers persisted runs), `stop()` at shutdown. */
export class BenchQueue {
  readonly #runs: AppStore['queue'];
  readonly #results: AppStore['results'];
  readonly #executor: BenchExecutor;
  readonly #notifiers = new Map<string, BenchNotifier>();
  readonly #policy: BenchPolicy;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #progress: { intervalMs?: number | undefined; clock?: ThrottleClock | undefined };
  #current: { id: string; controller: AbortController; cancelledBy?: string; reason?: string } | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #stopped = false;
  #idle: Array<() => void> = [];

  constructor(deps: {
    /** Where the runs (the queue repository) and their results go. */
    store: Pick<AppStore, 'queue' | 'results'>;
    executor: BenchExecutor;
    policy: BenchPolicy;
    clock: Clock;
    logger: Logger;
    /** Least time between two progress edits of a running run: default PROGRESS_INTERVAL_MS (tests pass 0). */
    progressIntervalMs?: number | undefined;
    /** The progress throttle's clock and timer; default the process's. */
    progressClock?: ThrottleClock | undefined;
  }) {
    this.#progress = { intervalMs: deps.progressIntervalMs, clock: deps.progressClock };
    this.#runs = deps.store.queue;
    this.#results = deps.store.results;
    this.#executor = deps.executor;
    this.#policy = deps.policy;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  /** Registers the notifier of a platform (`slack`, `discord`, `console`). */
  attach(platform: string, notifier: BenchNotifier): void {
    this.#notifiers.set(platform, notifier);
  }

  /** True for an admin id. */
  isAdmin(userId: string): boolean {
    return this.#policy.admins.includes(userId);
  }

  /** Marks runs cut off by a restart as interrupted (and tells their requesters), then serves the queue. */
  async start(): Promise<void> {
    const interrupted = await this.#runs.update((runs) => {
      const hit = runs.filter((r) => r.status === 'running');
      for (const r of hit) {
        r.status = 'interrupted';
        r.finishedAt = this.#clock.now();
      }
      return hit.map((r) => ({ ...r }));
    });
    for (const run of interrupted) await this.#notify(run);
    // A queued run from a chat that this host no longer serves (its platform's credentials were removed) would
    // occupy the host with nobody to tell: it is cancelled, and the log says why.
    const orphaned = await this.#runs.update((runs) => {
      const hit = runs.filter((r) => r.status === 'queued' && !this.#notifiers.has(r.target.platform));
      for (const r of hit) {
        r.status = 'cancelled';
        r.reason = `its chat platform (${r.target.platform}) is not running on this host`;
        r.finishedAt = this.#clock.now();
      }
      return hit.map((r) => r.id);
    });
    if (orphaned.length > 0)
      this.#logger.warn('benchmark runs cancelled: their chat platform is not running', { runs: orphaned });
    const queued = (await this.#runs.list()).filter((r) => r.status === 'queued');
    for (const [i, run] of queued.entries()) await this.#notify(run, i + 1);
    this.#loop ??= this.#serve();
  }

  /** Stops serving; a running benchmark is cancelled (its process killed) and will read as interrupted. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#current?.controller.abort();
    this.#wake?.();
    await this.#loop;
  }

  /** Checks permission and rate limit, then queues the run and reports its position. */
  async submit(
    requester: BenchRequester,
    request: BenchRun['request'],
    target: BenchRun['target'],
  ): Promise<QueueAnswer<{ run: BenchRun; position: number }>> {
    const refusal = await this.#refuse(requester);
    if (refusal) return { ok: false, message: refusal };
    const now = this.#clock.now();
    const { run, position } = await this.#runs.update((runs) => {
      const n = runs.reduce((m, r) => Math.max(m, Number(r.id.replace(/\D/g, '')) || 0), 0) + 1;
      const r: BenchRun = { id: `b${n}`, status: 'queued', requester, request, target, createdAt: now };
      runs.push(r);
      return { run: { ...r }, position: runs.filter((x) => ACTIVE.has(x.status)).length };
    });
    await this.#notify(run, position);
    this.#wake?.();
    return { ok: true, value: { run, position }, message: describeRun(run, position) };
  }

  /** Cancels a queued or running run (the newest active one of the caller when `id` is omitted). */
  async cancel(id: string | undefined, by: BenchRequester): Promise<QueueAnswer> {
    const runs = await this.#runs.list();
    const admin = this.isAdmin(by.userId);
    const run = id
      ? runs.find((r) => r.id === id)
      : [...runs].reverse().find((r) => ACTIVE.has(r.status) && (admin || r.requester.userId === by.userId));
    if (!run)
      return {
        ok: false,
        message: id ? `There is no benchmark \`${id}\`.` : 'You have no queued or running benchmark.',
      };
    if (!ACTIVE.has(run.status))
      return { ok: false, message: `Benchmark \`${run.id}\` already ended (${run.status}).` };
    if (!admin && run.requester.userId !== by.userId)
      return { ok: false, message: `Only the requester or an admin can cancel benchmark \`${run.id}\`.` };
    if (run.status === 'running' && this.#current?.id === run.id) {
      this.#current.cancelledBy = by.userId;
      this.#current.controller.abort();
      return {
        ok: true,
        value: { ...run },
        message: `Cancelling benchmark \`${run.id}\`: stopping its runner process.`,
      };
    }
    const cancelled = await this.#runs.update((runs) => {
      const r = runs.find((x) => x.id === run.id);
      if (r?.status !== 'queued') return undefined;
      r.status = 'cancelled';
      r.cancelledBy = by.userId;
      r.finishedAt = this.#clock.now();
      return { ...r };
    });
    if (!cancelled)
      return { ok: false, message: `Benchmark \`${run.id}\` already started or ended; try again.` };
    await this.#notify(cancelled);
    await this.#notifyPositions();
    return { ok: true, value: cancelled, message: describeRun(cancelled) };
  }

  /** A past result: `last` (or no id) for the newest, else the run id (`b3`) or result id. */
  async result(ref: string | undefined): Promise<QueueAnswer<BenchResultDoc>> {
    const [docs, runs] = await Promise.all([this.#results.list(), this.#runs.list()]);
    if (docs.length === 0)
      return { ok: false, message: 'No benchmark has finished yet. Start one with `/tensorduel bench`.' };
    if (!ref || ref === 'last') {
      const doc = docs[docs.length - 1] as BenchResultDoc;
      return { ok: true, value: doc, message: `Latest benchmark result \`${doc.id}\`.` };
    }
    const run = runs.find((r) => r.id === ref);
    const doc = docs.find((d) => d.id === ref || d.id === run?.resultId);
    if (!doc) {
      const known = runs
        .filter((r) => r.resultId)
        .slice(-5)
        .map((r) => r.id);
      return {
        ok: false,
        message: `No result \`${ref}\`. Recent runs with results: ${known.join(', ') || 'none'}.`,
      };
    }
    return { ok: true, value: doc, message: `Benchmark result \`${doc.id}\`.` };
  }

  /** Resolves until the queue has no queued or running run (tests, shutdown). */
  async whenIdle(): Promise<void> {
    const busy = (await this.#runs.list()).some((r) => ACTIVE.has(r.status));
    if (!busy && !this.#current) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  async #refuse(requester: BenchRequester): Promise<string | undefined> {
    if (this.isAdmin(requester.userId)) return undefined;
    return refuseRun(this.#policy, requester, await this.#runs.list(), this.#clock.now());
  }

  async #serve(): Promise<void> {
    while (!this.#stopped) {
      const next = (await this.#runs.list()).find((r) => r.status === 'queued');
      if (!next) {
        for (const resolve of this.#idle.splice(0)) resolve();
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      await this.#runOne(next.id);
    }
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #runOne(id: string): Promise<void> {
    const controller = new AbortController();
    this.#current = { id, controller };
    const run = await this.#runs.update((runs) => {
      const r = runs.find((x) => x.id === id) as BenchRun;
      r.status = 'running';
      r.startedAt = this.#clock.now();
      return { ...r };
    });
    // Progress lives in memory and in the status message only: persisting it rewrote the store on every tick.
    // Progress edits in order, all done before the final one, and throttled (ProgressThrottle.ts: the one throttle).
    let edits: Promise<void> = Promise.resolve();
    const progress = new ProgressThrottle<string>({
      ...this.#progress,
      publish: (text) => {
        edits = edits
          .then(async () => {
            const r = (await this.#runs.list()).find((x) => x.id === id);
            if (r?.status === 'running') await this.#notify({ ...r, progress: text });
          })
          .catch((err: unknown) =>
            this.#logger.warn('could not report benchmark progress', { run: id, error: err }),
          );
      },
    });
    progress.push('starting');
    await edits;
    await this.#notifyPositions();
    const limit = setTimeout(() => {
      if (this.#current?.id === id) {
        this.#current.reason = `exceeded the maximum run time of ${this.#policy.maxRunS} s`;
        controller.abort();
      }
    }, this.#policy.maxRunS * 1000);
    let doc: BenchResultDoc | undefined;
    let error: string | undefined;
    try {
      doc = await this.#executor.execute(
        { ...run.request },
        {
          signal: controller.signal,
          onProgress: (e) => {
            if (e.kind === 'start' || e.kind === 'done') return;
            progress.push(`${e.message} (${Math.min(e.jobIndex + 1, e.jobCount)} of ${e.jobCount})`);
          },
        },
      );
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      this.#logger.warn('benchmark run failed', { run: id, error: err });
    } finally {
      clearTimeout(limit);
      // The final state follows at once: a progress edit still pending is dropped, never sent after it.
      progress.close();
    }
    await edits;
    const current = this.#current;
    this.#current = undefined;
    // The result first, then the run that names it: a crash in between leaves a stored result, never a dangling id.
    // A result that cannot be stored is still posted (and the run still ends).
    const stored = doc
      ? await this.#results.add(doc).then(
          () => true,
          (err: unknown) => {
            this.#logger.error('could not store the benchmark result', { run: id, error: err });
            return false;
          },
        )
      : false;
    const finished = await this.#runs.update((runs) => {
      const r = runs.find((x) => x.id === id) as BenchRun;
      r.finishedAt = this.#clock.now();
      delete r.progress;
      Object.assign(
        r,
        runOutcome({
          doc,
          error,
          aborted: controller.signal.aborted,
          stopping: this.#stopped,
          cancelledBy: current?.cancelledBy,
          reason: current?.reason,
        }),
      );
      if (doc && stored) r.resultId = doc.id;
      return { ...r };
    });
    await this.#notify(finished);
    if (doc && finished.status !== 'interrupted') {
      const notifier = this.#notifiers.get(finished.target.platform);
      await notifier?.result(finished, doc).catch((err: unknown) => {
        this.#logger.error('could not post benchmark result', { run: id, error: err });
      });
    }
  }

  async #notifyPositions(): Promise<void> {
    // Position counts the running run too: "position 2" means one run is ahead.
    const active = (await this.#runs.list()).filter((r) => ACTIVE.has(r.status));
    for (const [i, r] of active.entries()) if (r.status === 'queued') await this.#notify(r, i + 1);
  }

  async #notify(run: BenchRun, position?: number): Promise<void> {
    const recorded = await updateStatus(this.#notifiers.get(run.target.platform), run, position, (err) =>
      this.#logger.warn('could not update benchmark status message', { run: run.id, error: err }),
    );
    // Persisted so edits survive a restart.
    if (recorded) {
      await this.#runs.update((runs) => {
        const r = runs.find((x) => x.id === run.id);
        if (r) r.target = { ...r.target, data: { ...recorded } };
      });
    }
  }
}
