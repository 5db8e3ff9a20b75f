/** An Embedder decorator that keeps vectors on disk, keyed by model id and a hash of each text. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Embedder, Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';

const MAGIC = 'TDEMB1';

/** Cache statistics of the last `embed` call (for the start-up benchmark and tests). */
export interface CacheStats {
  hits: number;
  misses: number;
}

/**
 * Wraps a model: texts already embedded by the same model id come from `<dir>/<model>.bin`; new texts are
 * embedded and the file is rewritten with exactly the current texts (stale vectors are dropped).
 */
export class CachingEmbedder implements Embedder {
  readonly #inner: Embedder;
  readonly #file: string;
  readonly #logger: Logger;
  #vectors: Map<string, Float32Array> | undefined;
  lastStats: CacheStats = { hits: 0, misses: 0 };

  constructor(inner: Embedder, dir: string, logger: Logger = silentLogger) {
    this.#inner = inner;
    this.#file = join(dir, `${inner.modelId.replace(/[^A-Za-z0-9._-]+/g, '_')}.bin`);
    this.#logger = logger;
  }

  get modelId(): string {
    return this.#inner.modelId;
  }

  get dimensions(): number {
    return this.#inner.dimensions;
  }

  /** Path of the cache file. */
  get file(): string {
    return this.#file;
  }

  ready(): Promise<void> {
    return this.#inner.ready();
  }

  static key(text: string): string {
    return createHash('sha256').update(text).digest('base64url').slice(0, 22);
  }

  async #load(): Promise<Map<string, Float32Array>> {
    if (this.#vectors) return this.#vectors;
    const map = new Map<string, Float32Array>();
    try {
      const buf = await readFile(this.#file);
      const headerLen = buf.readUInt32LE(MAGIC.length);
      if (buf.toString('utf8', 0, MAGIC.length) !== MAGIC) throw new Error('bad magic');
      const header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLen)) as {
        modelId: string;
        dim: number;
        keys: string[];
      };
      if (header.modelId !== this.#inner.modelId) throw new Error('model id differs');
      const start = MAGIC.length + 4 + headerLen;
      const floats = new Float32Array(
        buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.byteLength),
      );
      if (floats.length !== header.keys.length * header.dim) throw new Error('truncated');
      header.keys.forEach((k, i) => {
        map.set(k, floats.slice(i * header.dim, (i + 1) * header.dim));
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#logger.warn('embedding cache unreadable; re-embedding', { file: this.#file, error: err });
    }
    this.#vectors = map;
    return map;
  }

  async #save(keys: string[], vectors: Float32Array[]): Promise<void> {
    const dim = vectors[0]?.length ?? 0;
    const header = Buffer.from(JSON.stringify({ modelId: this.#inner.modelId, dim, keys }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    const body = Buffer.alloc(keys.length * dim * 4);
    vectors.forEach((v, i) => {
      Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(body, i * dim * 4);
    });
    await mkdir(join(this.#file, '..'), { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.concat([Buffer.from(MAGIC), len, header, body]));
    await rename(tmp, this.#file);
  }

  /** Vectors for `texts`; when any was missing, the cache file is rewritten to hold exactly `texts`. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const cache = await this.#load();
    const keys = texts.map((t) => CachingEmbedder.key(t));
    const missing = [...new Set(keys.map((k, i) => (cache.has(k) ? -1 : i)).filter((i) => i >= 0))];
    this.lastStats = { hits: texts.length - missing.length, misses: missing.length };
    if (missing.length > 0) {
      const fresh = await this.#inner.embed(missing.map((i) => texts[i] as string));
      missing.forEach((i, j) => {
        cache.set(keys[i] as string, fresh[j] as Float32Array);
      });
      const out = keys.map((k) => cache.get(k) as Float32Array);
      const unique = [...new Set(keys)];
      await this.#save(
        unique,
        unique.map((k) => cache.get(k) as Float32Array),
      ).catch((err: unknown) =>
        this.#logger.warn('cannot write embedding cache', { file: this.#file, error: err }),
      );
      return out;
    }
    return keys.map((k) => cache.get(k) as Float32Array);
  }

  dispose(): Promise<void> {
    return this.#inner.dispose();
  }
}
