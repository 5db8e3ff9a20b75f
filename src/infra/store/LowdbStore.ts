/**
 * The Store port on a lowdb JSON file (lowdb's TextFile: atomic rewrites through a temporary file): one write queue
 * (updates arriving during a write share the next one), copies out (never the live document), and a corrupted file
 * set aside, not lost.
 *
 * Updates change the live document in place, and the JSON of the last write (before it, the file's text) is kept: a
 * write that fails, or an update that throws, puts the document back as that JSON says, so what was not written is
 * not kept. So a burst of
 * answers costs one serialisation per write and no copy of the document (a copy of a document of 2,000
 * conversations per write was most of the store's time on the event loop; issue 8 part 5).
 */
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TextFile } from 'lowdb/node';
import { ErrorCode, TensorDuelError } from '../../core/errors.ts';
import type { Logger, Store } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';

/** A lowdb-backed store; `normalize` fills fields missing from older or partial files. */
export class LowdbStore<T extends object> implements Store<T> {
  readonly #file: string;
  readonly #defaults: () => T;
  readonly #normalize: (data: T) => T;
  readonly #logger: Logger;
  #db: Opened<T> | undefined;
  #opening: Promise<Opened<T>> | undefined;
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

  async #open(): Promise<Opened<T>> {
    if (this.#db) return this.#db;
    this.#opening ??= (async () => {
      await mkdir(dirname(this.#file), { recursive: true });
      const adapter = new TextFile(this.#file);
      // The document a file's text holds (defaults for none, or for anything but an object), normalised.
      const documentOf = (json: string | null): T => {
        const data = json === null ? null : (JSON.parse(json) as unknown);
        return this.#normalize(
          data && typeof data === 'object' && !Array.isArray(data) ? (data as T) : this.#defaults(),
        );
      };
      let text = await adapter.read();
      let data: T;
      try {
        data = documentOf(text);
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        // A corrupted file is kept beside the new one so nothing is lost, and the bot keeps serving.
        const aside = `${this.#file}.corrupt-${Date.now()}`;
        await rename(this.#file, aside);
        this.#logger.error(
          'database file was not valid JSON: set aside (nothing deleted), this part starts fresh',
          { file: this.#file, aside },
        );
        text = null;
        data = documentOf(null);
      }
      const read = text;
      const db: Opened<T> = { adapter, data, restore: () => documentOf(read) };
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
    let db: Opened<T>;
    try {
      db = await this.#open();
    } catch (err) {
      for (const u of batch) u.reject(err);
      return;
    }
    // Each update runs once on the live document. One that throws is rejected and undone with everything else of
    // the batch (the document goes back to what was last written), and the others run again: updates must be
    // functions of the document alone, as every repository's are.
    const bad = new Set<Pending<T>>();
    let applied: Array<{ u: Pending<T>; result: unknown }>;
    for (;;) {
      applied = [];
      let threw = false;
      for (const u of batch) {
        if (bad.has(u)) continue;
        try {
          applied.push({ u, result: u.fn(db.data) });
        } catch (err) {
          u.reject(err);
          bad.add(u);
          threw = true;
          break;
        }
      }
      if (!threw) break;
      db.data = db.restore();
    }
    if (applied.length === 0) return;
    let json: string;
    try {
      json = JSON.stringify(db.data);
    } catch (err) {
      // The document holds something JSON refuses (a BigInt, a cycle): nothing of the batch is kept, none waits.
      db.data = db.restore();
      const e = new TensorDuelError(ErrorCode.Storage, `cannot update ${this.#file}`, { cause: err });
      for (const { u } of applied) u.reject(e);
      return;
    }
    try {
      await db.adapter.write(json);
    } catch (err) {
      db.data = db.restore();
      const e = new TensorDuelError(ErrorCode.Storage, `cannot write ${this.#file}`, { cause: err });
      for (const { u } of applied) u.reject(e);
      return;
    }
    db.restore = () => JSON.parse(json) as T;
    for (const { u, result } of applied) u.resolve(result);
  }
}

/** The open file: lowdb's adapter, the live document, and a fresh copy of the document as last written (or read). */
interface Opened<T> {
  adapter: TextFile;
  data: T;
  restore: () => T;
}

interface Pending<T> {
  fn: (data: T) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}
