/**
 * Trained NLU models on disk, one JSON file per key; a write goes to a temporary file first, then is renamed.
 * Every data change or model version trains a new file (about 1 MB), so a write keeps only the `keep` most recently
 * written models and deletes the older ones.
 */
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelCache } from '../../core/nlu/NluModel.ts';

/** How many models a cache keeps by default: both encoders' current models, with room for a few data versions. */
const KEEP = 6;

/** The model cache in `dir` (created on first write). */
export class FileModelCache implements ModelCache {
  readonly #dir: string;
  readonly #keep: number;

  constructor(dir: string, options: { keep?: number } = {}) {
    this.#dir = dir;
    this.#keep = Math.max(1, options.keep ?? KEEP);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.#dir, `${key}.json`), 'utf8');
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: string): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const file = join(this.#dir, `${key}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, value);
    await rename(tmp, file);
    await this.#prune(file).catch(() => undefined); // a model that cannot be deleted costs only disk
  }

  /** Deletes all but the `keep` most recently written models (the one just written always stays). */
  async #prune(written: string): Promise<void> {
    const names = (await readdir(this.#dir)).filter((n) => n.endsWith('.json'));
    if (names.length <= this.#keep) return;
    const dated = await Promise.all(
      names.map(async (n) => {
        const path = join(this.#dir, n);
        return { path, at: path === written ? Number.POSITIVE_INFINITY : (await stat(path)).mtimeMs };
      }),
    );
    dated.sort((a, b) => b.at - a.at || a.path.localeCompare(b.path));
    for (const old of dated.slice(this.#keep)) await unlink(old.path).catch(() => undefined);
  }
}
