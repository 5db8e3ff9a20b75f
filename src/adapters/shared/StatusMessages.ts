/**
 * The live status message of a benchmark run, shared by the chat adapters: posted once, then edited as the run
 * goes, each edit after the one before. The rate of progress edits is set where progress comes from
 * (src/core/jobs/ProgressThrottle.ts, the one throttle), so every update that reaches here is shown; updates that
 * arrive while an edit is still in flight are coalesced into the latest, and the final state always goes out.
 */
import type { BenchRun } from '../../core/jobs/bench-run.ts';

/** How one platform posts and edits a status message. */
export interface StatusOps {
  /** Posts the message; returns its id (Slack ts, Discord message id). */
  post(run: BenchRun, text: string, active: boolean): Promise<string>;
  edit(run: BenchRun, id: string, text: string, active: boolean): Promise<void>;
}

interface Entry {
  id?: string | undefined;
  firstPost?: Promise<string> | undefined;
  lastText?: string | undefined;
  pending?: { run: BenchRun; text: string } | undefined;
  chain: Promise<void>;
}

const ACTIVE = new Set(['queued', 'running']);

/**
 * Runs remembered at once. A run whose final edit another replica made is never forgotten by the final edit here,
 * so the oldest are dropped beyond this (a dropped run's message id is still on the run: its next update edits it).
 */
const MAX_ENTRIES = 500;

/** Status messages, keyed by run id; the message id is kept in `run.target.data[idKey]`. */
export class StatusMessages {
  readonly #ops: StatusOps;
  readonly #idKey: string;
  readonly #entries = new Map<string, Entry>();

  /** A failed post or edit rejects `show`; its caller logs it. */
  constructor(options: { ops: StatusOps; idKey: string }) {
    this.#ops = options.ops;
    this.#idKey = options.idKey;
  }

  /** Shows `text` for `run`: posts the message the first time, else edits it (unchanged text is not re-sent). */
  async show(run: BenchRun, text: string): Promise<void> {
    let entry = this.#entries.get(run.id);
    if (!entry) {
      entry = { chain: Promise.resolve() };
      const known = run.target.data[this.#idKey];
      if (known) entry.id = known;
      this.#entries.set(run.id, entry);
      if (this.#entries.size > MAX_ENTRIES) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
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
        run.target.data[this.#idKey] = entry.id;
        if (!active) this.#entries.delete(run.id);
        return;
      }
      entry.id = await entry.firstPost;
    }
    run.target.data[this.#idKey] = entry.id;
    entry.pending = { run: structuredClone(run), text };
    await this.#flush(entry);
    if (!active) this.#entries.delete(run.id);
  }

  /** Forgets every message (shutdown). */
  clear(): void {
    this.#entries.clear();
  }

  /** Edits to the latest pending update once the edit before has finished (nothing left: nothing to do). */
  #flush(entry: Entry): Promise<void> {
    const work = entry.chain.then(async () => {
      const pending = entry.pending;
      entry.pending = undefined;
      if (!pending || !entry.id || pending.text === entry.lastText) return;
      entry.lastText = pending.text;
      await this.#ops.edit(pending.run, entry.id, pending.text, ACTIVE.has(pending.run.status));
    });
    entry.chain = work.catch(() => undefined);
    return work;
  }
}
