/**
 * Benchmark runs and results in Redis: the one place every bot replica and every worker sees, so `results` and
 * `compare` find runs from every host. A run is a hash of three JSON fields with one writer each: `base`
 * (written once at submit), `data` (the chat adapter's status-message ids, written by bots) and `state`
 * (status, times, host; changed only through an atomic compare-and-set, so a cancel and a worker's start cannot
 * both win). Results are written by the worker that ran them, once.
 */
import type { Redis } from 'ioredis';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import type { BenchRun, BenchRunStatus } from '../../core/jobs/bench-run.ts';
import { STATE_LIMITS } from '../../core/state.ts';

/** The parts of a run that change after it is queued. */
export type RunState = Pick<
  BenchRun,
  'status' | 'startedAt' | 'finishedAt' | 'resultId' | 'reason' | 'cancelledBy' | 'host'
>;

/** The Pub/Sub channel a bot publishes cancellations on; every worker listens. */
export const CANCEL_CHANNEL = 'tensorduel:cancel';

const KEEP_S = 30 * 24 * 3600;

// Compare-and-set of the `state` field: applies the patch only when the current status is one of ARGV[1]
// (comma-separated); returns the new state, or false. cjson is Redis's bundled JSON library.
const TRANSITION = `
local raw = redis.call('HGET', KEYS[1], 'state')
if not raw then return false end
local state = cjson.decode(raw)
local ok = false
for s in string.gmatch(ARGV[1], '[^,]+') do if state.status == s then ok = true end end
if not ok then return false end
local patch = cjson.decode(ARGV[2])
for k, v in pairs(patch) do state[k] = v end
local out = cjson.encode(state)
redis.call('HSET', KEYS[1], 'state', out)
return out`;

type WithTransition = Redis & {
  tdTransition(key: string, from: string, patch: string): Promise<string | null>;
};

/** Runs and results of the distributed queue, over one ioredis client. */
export class RedisRuns {
  readonly #redis: WithTransition;
  readonly #prefix: string;
  /** Result documents already read (recentResults), by id. */
  readonly #docs = new Map<string, BenchResultDoc>();

  constructor(redis: Redis, prefix = 'tensorduel') {
    if (!('tdTransition' in redis)) redis.defineCommand('tdTransition', { numberOfKeys: 1, lua: TRANSITION });
    this.#redis = redis as WithTransition;
    this.#prefix = prefix;
  }

  #key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(':');
  }

  /** A new run id (`b1`, `b2`, …), unique across replicas. */
  async nextId(): Promise<string> {
    return `b${await this.#redis.incr(this.#key('run-seq'))}`;
  }

  /** Stores a new queued run and lists it (newest last; the list is capped like the embedded history). */
  async create(run: BenchRun): Promise<void> {
    const { status, startedAt, finishedAt, resultId, reason, cancelledBy, host, target, progress, ...base } =
      run;
    void progress; // progress lives in the queue's events, not in storage
    const state: RunState = { status };
    const key = this.#key('run', run.id);
    await this.#redis
      .multi()
      .hset(key, {
        base: JSON.stringify({ ...base, platform: target.platform }),
        data: JSON.stringify(target.data),
        state: JSON.stringify(state),
      })
      .expire(key, KEEP_S)
      .rpush(this.#key('runs'), run.id)
      .ltrim(this.#key('runs'), -STATE_LIMITS.benchRuns, -1)
      .exec();
  }

  /** One run, or undefined when unknown (or expired). */
  async get(id: string): Promise<BenchRun | undefined> {
    const h = await this.#redis.hgetall(this.#key('run', id));
    return h.base && h.state ? decode(h) : undefined;
  }

  /** The newest runs, oldest first (at most `limit`). */
  async recent(limit: number = STATE_LIMITS.benchRuns): Promise<BenchRun[]> {
    const ids = await this.#redis.lrange(this.#key('runs'), -limit, -1);
    if (ids.length === 0) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) pipe.hgetall(this.#key('run', id));
    const rows = (await pipe.exec()) ?? [];
    return rows
      .map(([, h]) => h as Record<string, string>)
      .filter((h) => h?.base && h.state)
      .map(decode);
  }

  /** Applies `patch` when the run's status is one of `from`; the updated run, or undefined when it was not. */
  async transition(
    id: string,
    from: BenchRunStatus[],
    patch: Partial<RunState>,
  ): Promise<BenchRun | undefined> {
    const out = await this.#redis.tdTransition(this.#key('run', id), from.join(','), JSON.stringify(patch));
    return out ? this.get(id) : undefined;
  }

  /** Records the adapter's status-message ids (so any replica edits the same message). */
  async saveTarget(id: string, data: Record<string, string>): Promise<void> {
    await this.#redis.hset(this.#key('run', id), 'data', JSON.stringify(data));
  }

  /** Stores a finished run's result document (newest last, capped). */
  async saveResult(doc: BenchResultDoc): Promise<void> {
    const key = this.#key('result', doc.id);
    await this.#redis
      .multi()
      .set(key, JSON.stringify(doc), 'EX', KEEP_S)
      .rpush(this.#key('results'), doc.id)
      .ltrim(this.#key('results'), -STATE_LIMITS.benchmarkResults, -1)
      .exec();
  }

  /** A result by its id, or undefined. */
  async getResult(id: string): Promise<BenchResultDoc | undefined> {
    const raw = await this.#redis.get(this.#key('result', id));
    return raw ? (JSON.parse(raw) as BenchResultDoc) : undefined;
  }

  /**
   * The newest results, oldest first (at most `limit`). A result is written once and never changes, so documents
   * read before are not fetched again: a call costs one LRANGE once nothing new has finished.
   */
  async recentResults(limit: number = STATE_LIMITS.benchmarkResults): Promise<BenchResultDoc[]> {
    const ids = await this.#redis.lrange(this.#key('results'), -limit, -1);
    const missing = ids.filter((id) => !this.#docs.has(id));
    if (missing.length > 0) {
      const raws = await this.#redis.mget(missing.map((id) => this.#key('result', id)));
      for (const [i, id] of missing.entries()) {
        const raw = raws[i];
        if (raw) this.#docs.set(id, JSON.parse(raw) as BenchResultDoc);
      }
    }
    const listed = new Set(ids);
    for (const id of this.#docs.keys()) if (!listed.has(id)) this.#docs.delete(id);
    return ids.flatMap((id) => this.#docs.get(id) ?? []);
  }

  /** The newest result, or undefined when none has finished. */
  async latestResult(): Promise<BenchResultDoc | undefined> {
    const [id] = await this.#redis.lrange(this.#key('results'), -1, -1);
    return id ? this.getResult(id) : undefined;
  }

  /** Asks for `id` to be cancelled: a flag a worker checks before starting it, and a message to the one running it. */
  async requestCancel(id: string, by: string): Promise<void> {
    await this.#redis.set(this.#key('cancel', id), by, 'EX', 24 * 3600);
    await this.#redis.publish(CANCEL_CHANNEL, JSON.stringify({ runId: id, by }));
  }

  /** Who asked to cancel `id`, if anyone. */
  async cancelRequestedBy(id: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#key('cancel', id))) ?? undefined;
  }

  /**
   * Claims `what` for this process, once across every replica (SET NX with a TTL): true for the one caller that
   * should act (post a result, edit a status message), false for the others. By default a claim lives as long as
   * the run records (a shorter one let a sweep after it expired post a finished run's result again).
   */
  async claim(what: string, ttlMs = KEEP_S * 1000): Promise<boolean> {
    return (await this.#redis.set(this.#key('claim', what), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** True once some process has claimed `what`. */
  async claimed(what: string): Promise<boolean> {
    return (await this.#redis.exists(this.#key('claim', what))) === 1;
  }
}

function decode(h: Record<string, string>): BenchRun {
  const { platform, ...base } = JSON.parse(h.base ?? '{}') as Omit<BenchRun, 'target' | keyof RunState> & {
    platform: string;
  };
  const state = JSON.parse(h.state ?? '{}') as RunState;
  const data = JSON.parse(h.data ?? '{}') as Record<string, string>;
  return { ...base, ...state, target: { platform, data } } as BenchRun;
}
