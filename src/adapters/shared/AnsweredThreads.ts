/**
 * The threads the bot has answered in, so that a reply in such a thread is followed up without a mention
 * (and a thread it never joined stays quiet). Kept in memory, or in a small JSON file that survives restarts.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Where the adapters remember answered threads. */
export interface ThreadMemory {
  has(key: string): Promise<boolean>;
  add(key: string): Promise<void>;
}

/** A bounded set, oldest forgotten first. */
export class MemoryThreads implements ThreadMemory {
  protected readonly keys = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = 5000) {
    this.#capacity = capacity;
  }

  async has(key: string): Promise<boolean> {
    return this.keys.has(key);
  }

  async add(key: string): Promise<void> {
    this.keys.delete(key);
    this.keys.add(key);
    while (this.keys.size > this.#capacity) {
      const oldest = this.keys.values().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
  }
}

/**
 * {@link MemoryThreads} persisted to `file` (a JSON array, newest last): loaded on first use, rewritten
 * through one queue (write to a temporary file, then rename) whenever a thread is added.
 * @example const threads = new FileThreads('data/slack-threads.json'); await threads.add('C1:1700000000.0001');
 */
export class FileThreads extends MemoryThreads {
  readonly #file: string;
  #loaded: Promise<void> | undefined;
  #writes: Promise<void> = Promise.resolve();

  constructor(file: string, capacity = 5000) {
    super(capacity);
    this.#file = file;
  }

  override async has(key: string): Promise<boolean> {
    await this.#load();
    return super.has(key);
  }

  override async add(key: string): Promise<void> {
    await this.#load();
    if (await super.has(key)) return;
    await super.add(key);
    const snapshot = JSON.stringify([...this.keys]);
    this.#writes = this.#writes
      .catch(() => undefined)
      .then(async () => {
        await mkdir(dirname(this.#file), { recursive: true });
        const tmp = `${this.#file}.tmp`;
        await writeFile(tmp, snapshot);
        await rename(tmp, this.#file);
      });
    await this.#writes;
  }

  #load(): Promise<void> {
    this.#loaded ??= readFile(this.#file, 'utf8').then(
      async (raw) => {
        const keys: unknown = JSON.parse(raw);
        if (Array.isArray(keys)) for (const k of keys) if (typeof k === 'string') await super.add(k);
      },
      // No file yet (or unreadable): start empty; the next add writes a fresh one.
      () => undefined,
    );
    return this.#loaded.catch(() => undefined);
  }
}
