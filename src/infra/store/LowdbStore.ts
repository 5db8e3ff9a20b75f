/** The Store port on a lowdb JSON file: one write queue, atomic rewrites, and a corrupted file set aside, not lost. */
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
        this.#logger.warn('database file was not valid JSON; moved aside and started fresh', {
          file: this.#file,
          aside,
        });
        db.data = this.#defaults();
      }
      const data = db.data;
      db.data = this.#normalize(
        data && typeof data === 'object' && !Array.isArray(data) ? data : this.#defaults(),
      );
      this.#db = db;
      return db;
    })();
    return this.#opening;
  }

  async read(): Promise<T> {
    await this.#queue.catch(() => undefined);
    return (await this.#open()).data;
  }

  update<R>(fn: (data: T) => R): Promise<R> {
    const run = async () => {
      const db = await this.#open();
      const result = fn(db.data);
      try {
        await db.write();
      } catch (err) {
        throw new TensorDuelError(ErrorCode.Storage, `cannot write ${this.#file}`, { cause: err });
      }
      return result;
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
