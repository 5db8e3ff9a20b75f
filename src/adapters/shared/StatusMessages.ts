/**
 * The live status message of a benchmark run, shared by the chat adapters: posted once, then edited as the run
 * goes, at most one edit per interval (chat APIs rate-limit edits), always including the final state.
 */
import type { BenchRun } from '../../core/jobs/bench-run.ts';
import type { Logger } from '../../core/ports.ts';

/** How one platform posts and edits a status message. */
export interface StatusOps {
  /** Posts the message; returns its id (Slack ts, Discord message id). */
  post(run: BenchRun, text: string, active: boolean): Promise<string>;
  edit(run: BenchRun, id: string, text: string, active: boolean): Promise<void>;
}

interface Entry {
  id?: string | undefined;
  firstPost?: Promise<string> | undefined;
  lastAt: number;
  lastText?: string | undefined;
  pending?: { run: BenchRun; text: string } | undefined;
  timer?: NodeJS.Timeout | undefined;
  chain: Promise<void>;
}

const ACTIVE = new Set(['queued', 'running']);

/** Throttled status messages, keyed by run id; the message id is kept in `run.target.data[idKey]`. */
export class StatusMessages {
  readonly #ops: StatusOps;
  readonly #idKey: string;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #entries = new Map<string, Entry>();

  constructor(options: { ops: StatusOps; idKey: string; intervalMs?: number; logger: Logger }) {
    this.#ops = options.ops;
    this.#idKey = options.idKey;
    this.#intervalMs = options.intervalMs ?? 2000;
    this.#logger = options.logger;
  }

  /** Shows `text` for `run`: posts the message the first time, else edits it (throttled unless final). */
  async show(run: BenchRun, text: string): Promise<void> {
    let entry = this.#entries.get(run.id);
    if (!entry) {
      entry = { lastAt: 0, chain: Promise.resolve() };
      const known = run.target.data[this.#idKey];
      if (known) entry.id = known;
      this.#entries.set(run.id, entry);
    }
    const active = ACTIVE.has(run.status);
    if (!entry.id) {
      if (!entry.firstPost) {
        entry.firstPost = this.#ops.post(run, text, active);
        entry.lastText = text;
        try {
          entry.id = await entry.firstPost;
        } catch (err) {
          entry.firstPost = undefined;
          throw err;
        }
        entry.lastAt = Date.now();
        run.target.data[this.#idKey] = entry.id;
        if (!active) this.#forget(run.id);
        return;
      }
      entry.id = await entry.firstPost;
    }
    run.target.data[this.#idKey] = entry.id;
    entry.pending = { run: structuredClone(run), text };
    if (!active) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      await this.#flush(entry);
      this.#forget(run.id);
      return;
    }
    if (entry.timer) return;
    const wait = entry.lastAt + this.#intervalMs - Date.now();
    if (wait <= 0) {
      await this.#flush(entry);
      return;
    }
    entry.timer = setTimeout(() => {
      if (!entry) return;
      entry.timer = undefined;
      this.#flush(entry).catch((err: unknown) =>
        this.#logger.warn('could not edit benchmark status message', { run: run.id, error: err }),
      );
    }, wait);
    entry.timer.unref();
  }

  /** Drops pending edits (shutdown). */
  clear(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
  }

  #flush(entry: Entry): Promise<void> {
    const work = entry.chain.then(async () => {
      const pending = entry.pending;
      entry.pending = undefined;
      if (!pending || !entry.id || pending.text === entry.lastText) return;
      entry.lastAt = Date.now();
      entry.lastText = pending.text;
      await this.#ops.edit(pending.run, entry.id, pending.text, ACTIVE.has(pending.run.status));
    });
    entry.chain = work.catch(() => undefined);
    return work;
  }

  #forget(runId: string): void {
    const entry = this.#entries.get(runId);
    if (entry) clearTimeout(entry.timer);
    this.#entries.delete(runId);
  }
}
