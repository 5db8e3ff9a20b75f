/**
 * The Store port on a lowdb JSON file: one write queue (updates arriving during a write share the next one), atomic
 * rewrites, changes applied to a copy that replaces the document only once written, copies out (never the live
 * document), and a corrupted file set aside, not lost.
 */
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { ErrorCode, TensorDuelError } from '../../core/errors.ts';
import type { Logger, Store } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';

/** A lowdb-backed store; `normalize` fills fields missing from older or partial files. */
export class LowdbStore<T extends object> implements Store<T> {
  readonly #file: string;
  readonly #defaults: () => T;
  readonly #normalize: (data: T) => T;
  readonly #logger: Logger;
  #db: Low<T> | undefined;
  #opening: Promise<Low<T>> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Updates waiting for the next write. */
  readonly #batch: Pending<T>[] = [];

  constructor(options: { file: string; defaults: () => T; normalize?: (data: T) => T; logger?: Logger }) {
    this.#file = options.file;
    this.#defaults = options.defaults;
    this.#normalize = options.normalize ?? ((d) => d);
    this.#logger = options.logger ?? silentLogger;
  }

  /** Path of the JSON file. */
  get file(): string {
    return this.#file;
  }

  async #open(): Promise<Low<T>> {
    if (this.#db) return this.#db;
    this.#opening ??= (async () => {
      await mkdir(dirname(this.#file), { recursive: true });
      const db = new Low<T>(new JSONFile<T>(this.#file), this.#defaults());
      try {
        await db.read();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== undefined) throw err;
        // A corrupted file is kept beside the new one so nothing is lost, and the bot keeps serving.
        const aside = `${this.#file}.corrupt-${Date.now()}`;
        await rename(this.#file, aside);
        this.#logger.error(
          'database file was not valid JSON: set aside (nothing deleted), this part starts fresh',
          {
            file: this.#file,
            aside,
          },
        );
        db.data = this.#defaults();
      }
      const data = db.data;
      db.data = this.#normalize(
        data && typeof data === 'object' && !Array.isArray(data) ? data : this.#defaults(),
      );
      this.#db = db;
      return db;
    })().catch((err: unknown) => {
      // Not kept: the next call opens the file again (a transient EACCES or EMFILE costs one call).
      this.#opening = undefined;
      throw err;
    });
    return this.#opening;
  }

  /** A copy of the whole document: changing it changes nothing stored (change it through `update`). */
  async read(): Promise<T> {
    return structuredClone(await this.#settled());
  }

  /**
   * `fn` of the document, copied: reads a part (one conversation, the results) without copying all of it. `fn`
   * must not change what it is given.
   */
  async select<R>(fn: (data: Readonly<T>) => R): Promise<R> {
    return structuredClone(fn(await this.#settled()));
  }

  /** The live document once every update asked for so far is applied. */
  async #settled(): Promise<T> {
    await this.#queue.catch(() => undefined);
    return (await this.#open()).data;
  }

  /**
   * Applies `fn` and persists the document; calls run one at a time, in order. Updates asked for while a write is
   * under way share the next write (each resolves once the write that holds it is on disk), so a burst of
   * answers rewrites the file a few times, not once per answer.
   */
  update<R>(fn: (data: T) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#batch.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.#batch.length === 1) {
        const run = () => this.#flush();
        this.#queue = this.#queue.then(run, run);
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#batch.splice(0);
    let db: Low<T>;
    try {
      db = await this.#open();
    } catch (err) {
      for (const u of batch) u.reject(err);
      return;
    }
    // The updates change one copy of the document, which becomes the live document only once it is on disk. So
    // an update whose write failed is not saved by the next write. One copy per write, not one per update: a burst
    // of answers against a document of many conversations costs one copy, not one per answer (issue 8 part 5).
    let done: ReturnType<typeof applyAll<T>>;
    try {
      done = applyAll(db.data, batch);
    } catch (err) {
      // The document could not be copied (it holds something structuredClone refuses): no update of the batch may
      // wait for ever.
      const e = new TensorDuelError(ErrorCode.Storage, `cannot update ${this.#file}`, { cause: err });
      for (const u of batch) u.reject(e);
      return;
    }
    const { next, applied } = done;
    if (applied.length === 0) return;
    try {
      await db.adapter.write(next);
    } catch (err) {
      const e = new TensorDuelError(ErrorCode.Storage, `cannot write ${this.#file}`, { cause: err });
      for (const { u } of applied) u.reject(e);
      return;
    }
    db.data = next;
    for (const { u, result } of applied) u.resolve(result);
  }
}

/**
 * `batch` applied in order to one copy of `data`. An update that throws leaves nothing behind: it is rejected, and
 * the others are applied again to a fresh copy (so updates must be functions of the document alone, as every
 * repository's are). Without a throw, each update runs once, on the one copy.
 */
function applyAll<T>(
  data: T,
  batch: Pending<T>[],
): { next: T; applied: Array<{ u: Pending<T>; result: unknown }> } {
  const bad = new Set<Pending<T>>();
  for (;;) {
    const next = structuredClone(data);
    const applied: Array<{ u: Pending<T>; result: unknown }> = [];
    let threw = false;
    for (const u of batch) {
      if (bad.has(u)) continue;
      try {
        applied.push({ u, result: u.fn(next) });
      } catch (err) {
        // Undo what it changed before it threw: a fresh copy, with the other updates applied again.
        u.reject(err);
        bad.add(u);
        threw = true;
        break;
      }
    }
    if (!threw) return { next, applied };
  }
}

interface Pending<T> {
  fn: (data: T) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}
