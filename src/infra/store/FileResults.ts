/**
 * Benchmark results as one JSON file per result in a folder, each written under a temporary name and renamed into
 * place.
 *
 * Why files, not one document or an append-only JSONL with a lock: `tensorduel bench --save` and a running bot are
 * two processes that may store a result at the same moment. A rename is atomic, so a reader sees a whole result or
 * none; and since every result gets a name of its own (write time, process, sequence, id), no writer ever replaces
 * another's. There is nothing to lock, so no stale lock to recover when a writer is `kill -9`ed. A JSONL file would
 * need a lock: results are larger than the few KB an O_APPEND write keeps whole, and capping the log means
 * rewriting it. Capping here deletes whole files, oldest names first: two writers capping at once delete the same
 * oldest names (one finding a name gone is fine), so a cap never drops a newer result.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import { ErrorCode, TensorDuelError } from '../../core/errors.ts';
import type { Logger, ResultRepository } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { STATE_LIMITS } from '../../core/state.ts';
import { createOnce } from './create-once.ts';

/** Width of the time prefix, so names sort by write time. */
const TIME_DIGITS = 15;

/** A file name fit for any filesystem, from a result id. */
function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) || 'result';
}

/** True for a stored result's name (not a temporary file, not one set aside). */
const isResultName = (name: string) => name.endsWith('.json') && !name.startsWith('.');

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * The results folder. Any number of instances, in any number of processes, may add to one folder at once.
 * @example const results = new FileResults({ dir: 'data/tensorduel.results' }); await results.add(doc); (await results.list()).at(-1)?.id // → doc.id
 */
export class FileResults implements ResultRepository {
  readonly #dir: string;
  readonly #cap: number;
  readonly #now: () => number;
  readonly #logger: Logger;
  /** Documents already read, by file name: a result file is written once and never changes. */
  readonly #cache = new Map<string, BenchResultDoc>();
  #seq = 0;

  constructor(options: { dir: string; cap?: number; now?: () => number; logger?: Logger }) {
    this.#dir = options.dir;
    this.#cap = options.cap ?? STATE_LIMITS.benchmarkResults;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The folder. */
  get dir(): string {
    return this.#dir;
  }

  async add(doc: BenchResultDoc): Promise<void> {
    const seq = String(this.#seq++).padStart(9, '0');
    const time = String(this.#now()).padStart(TIME_DIGITS, '0');
    const name = `${time}-${process.pid}-${seq}-${safeId(doc.id)}.json`;
    const tmp = await this.#writeTemp(name, doc);
    try {
      await rename(tmp, join(this.#dir, name));
    } catch (err) {
      await rm(tmp, { force: true });
      throw new TensorDuelError(ErrorCode.Storage, `cannot write a result in ${this.#dir}`, { cause: err });
    }
    this.#cache.set(name, structuredClone(doc));
    await this.#trim();
  }

  /**
   * Stores results from the single-file database of before (oldest first), under names that sort before every
   * new result and are the same each time: a migration that runs twice (two processes starting at once, or a
   * crash before the old file was set aside) stores each once. An existing name is never replaced.
   */
  async importOnce(docs: readonly BenchResultDoc[]): Promise<number> {
    let added = 0;
    for (const [i, doc] of docs.slice(-this.#cap).entries()) {
      const name = `${'0'.repeat(TIME_DIGITS)}-migrated-${String(i).padStart(9, '0')}-${safeId(doc.id)}.json`;
      try {
        await mkdir(this.#dir, { recursive: true });
        if (await createOnce(join(this.#dir, name), JSON.stringify(doc))) added++;
      } catch (err) {
        throw new TensorDuelError(ErrorCode.Storage, `cannot write a result in ${this.#dir}`, { cause: err });
      }
    }
    await this.#trim();
    return added;
  }

  async list(): Promise<BenchResultDoc[]> {
    const names = (await this.#names()).slice(-this.#cap);
    const present = new Set(names);
    for (const name of this.#cache.keys()) if (!present.has(name)) this.#cache.delete(name);
    const docs: BenchResultDoc[] = [];
    for (const name of names) {
      const doc = this.#cache.get(name) ?? (await this.#load(name));
      if (doc) docs.push(doc);
    }
    // One result stored twice (a migrated one saved again) is listed once, where it was stored last.
    const lastIndex = new Map(docs.map((d, i) => [d.id, i]));
    return structuredClone(docs.filter((d, i) => lastIndex.get(d.id) === i));
  }

  async #writeTemp(name: string, doc: BenchResultDoc): Promise<string> {
    try {
      await mkdir(this.#dir, { recursive: true });
      const tmp = join(this.#dir, `.${name}.${randomUUID().slice(0, 8)}.tmp`);
      await writeFile(tmp, JSON.stringify(doc));
      return tmp;
    } catch (err) {
      throw new TensorDuelError(ErrorCode.Storage, `cannot write a result in ${this.#dir}`, { cause: err });
    }
  }

  async #names(): Promise<string[]> {
    try {
      return (await readdir(this.#dir)).filter(isResultName).sort();
    } catch (err) {
      if (code(err) === 'ENOENT') return [];
      throw new TensorDuelError(ErrorCode.Storage, `cannot read the results in ${this.#dir}`, { cause: err });
    }
  }

  /** One result file, cached; undefined when another writer's cap removed it, or when it is not valid JSON. */
  async #load(name: string): Promise<BenchResultDoc | undefined> {
    const file = join(this.#dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (code(err) === 'ENOENT') return undefined;
      throw new TensorDuelError(ErrorCode.Storage, `cannot read the result ${file}`, { cause: err });
    }
    try {
      const doc = JSON.parse(text) as BenchResultDoc;
      this.#cache.set(name, doc);
      return doc;
    } catch {
      // Set aside (renamed out of the listing), not deleted: the other results are served meanwhile.
      const aside = `${file}.corrupt-${this.#now()}`;
      await rename(file, aside).catch(() => undefined);
      this.#logger.error('a benchmark result file is not valid JSON: set aside, the other results are kept', {
        file,
        aside,
      });
      return undefined;
    }
  }

  async #trim(): Promise<void> {
    const names = await this.#names();
    for (const name of names.slice(0, Math.max(0, names.length - this.#cap))) {
      await rm(join(this.#dir, name), { force: true });
      this.#cache.delete(name);
    }
  }
}
