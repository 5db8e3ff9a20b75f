/** Trained NLU models on disk, one JSON file per key; a write goes to a temporary file first, then is renamed. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelCache } from '../../core/nlu/NluModel.ts';

/** The model cache in `dir` (created on first write). */
export class FileModelCache implements ModelCache {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
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
  }
}
