/**
 * Where each benchmark result's chart was uploaded in Slack (its file's permalink), so the App Home tab can
 * link the last results to their charts. Kept in memory, or in a small JSON file beside the database.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A result id's chart link, newest last, at most `capacity` of them. */
export class ChartLinks {
  readonly #links = new Map<string, string>();
  readonly #file: string | undefined;
  readonly #capacity: number;
  #loaded: Promise<void> | undefined;
  #writes: Promise<void> = Promise.resolve();

  constructor(options: { file?: string | undefined; capacity?: number } = {}) {
    this.#file = options.file;
    this.#capacity = options.capacity ?? 200;
  }

  /** The chart link of result `id`, if one was recorded. */
  async get(id: string): Promise<string | undefined> {
    await this.#load();
    return this.#links.get(id);
  }

  /**
   * Records the chart of result `id`.
   * @example await links.set('bench-20261125T1230-x1y2', 'https://team.slack.com/files/UBOT/F1/b1.png');
   */
  async set(id: string, url: string): Promise<void> {
    await this.#load();
    this.#links.delete(id);
    this.#links.set(id, url);
    while (this.#links.size > this.#capacity) {
      const oldest = this.#links.keys().next().value;
      if (oldest === undefined) break;
      this.#links.delete(oldest);
    }
    const file = this.#file;
    if (!file) return;
    const snapshot = JSON.stringify([...this.#links]);
    this.#writes = this.#writes
      .catch(() => undefined)
      .then(async () => {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(`${file}.tmp`, snapshot);
        await rename(`${file}.tmp`, file);
      });
    await this.#writes;
  }

  #load(): Promise<void> {
    const file = this.#file;
    if (!file) return Promise.resolve();
    this.#loaded ??= readFile(file, 'utf8').then(
      (raw) => {
        const saved: unknown = JSON.parse(raw);
        if (Array.isArray(saved))
          for (const item of saved)
            if (Array.isArray(item) && typeof item[0] === 'string' && typeof item[1] === 'string')
              this.#links.set(item[0], item[1]);
      },
      // No file yet (or unreadable): start empty; the next set writes a fresh one.
      () => undefined,
    );
    return this.#loaded.catch(() => undefined);
  }
}
