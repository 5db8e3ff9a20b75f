/** An Embedder decorator that keeps vectors on disk, keyed by model id and a hash of each text. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Embedder, Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';

const MAGIC = 'TDEMB1';

/** Cache statistics of the last `embed` call (for the start-up benchmark and tests). */
export interface CacheStats {
  hits: number;
  misses: number;
}

/** Options of one {@link CachingEmbedder.embed} call. */
export interface CacheEmbedOptions {
  /** Called after each chunk of missing texts is embedded: texts done so far and texts missing in all. */
  onProgress?: (done: number, total: number) => void;
}

/** Missing texts go to the model this many at a time: progress can move, and questions can slip in between. */
const CHUNK = 32;

/**
 * Wraps a model: texts already embedded by the same model id come from `<dir>/<model>.bin`; new texts are
 * embedded. The file holds the texts this process has asked for: whenever a call needs a text the file lacks, it
 * is rewritten with every text used since start, so vectors of texts that were edited away are dropped.
 * Meant for the corpus (knowledge, intent examples): questions go to the model directly, not through here.
 */
export class CachingEmbedder implements Embedder {
  readonly #inner: Embedder;
  readonly #file: string;
  readonly #logger: Logger;
  #loading: Promise<Map<string, Float32Array>> | undefined;
  /** Keys whose vectors the file on disk holds. */
  #inFile = new Set<string>();
  /** Keys asked for since start. */
  readonly #used = new Set<string>();
  #saving: Promise<void> = Promise.resolve();
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

  // One read per instance, shared by concurrent callers (the index and the router build at the same time).
  #load(): Promise<Map<string, Float32Array>> {
    this.#loading ??= this.#read();
    return this.#loading;
  }

  async #read(): Promise<Map<string, Float32Array>> {
    const map = new Map<string, Float32Array>();
    try {
      const buf = await readFile(this.#file);
      if (buf.toString('utf8', 0, MAGIC.length) !== MAGIC) throw new Error('bad magic');
      const headerLen = buf.readUInt32LE(MAGIC.length);
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
        map.set(k, floats.subarray(i * header.dim, (i + 1) * header.dim));
      });
      this.#inFile = new Set(header.keys);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#logger.warn('embedding cache unreadable; re-embedding', { file: this.#file, error: err });
    }
    return map;
  }

  async #save(cache: Map<string, Float32Array>): Promise<void> {
    const keys = [...this.#used].filter((k) => cache.has(k));
    const vectors = keys.map((k) => cache.get(k) as Float32Array);
    const dim = vectors[0]?.length ?? 0;
    const header = Buffer.from(JSON.stringify({ modelId: this.#inner.modelId, dim, keys }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    const body = Buffer.alloc(keys.length * dim * 4);
    vectors.forEach((v, i) => {
      Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(body, i * dim * 4);
    });
    await mkdir(dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.concat([Buffer.from(MAGIC), len, header, body]));
    await rename(tmp, this.#file);
    this.#inFile = new Set(keys);
  }

  /** Vectors for `texts`, embedding only those not cached; the file is rewritten when it lacked any of them. */
  async embed(texts: readonly string[], options: CacheEmbedOptions = {}): Promise<Float32Array[]> {
    const cache = await this.#load();
    const keys = texts.map((t) => CachingEmbedder.key(t));
    for (const k of keys) this.#used.add(k);
    const missing = [...new Map(keys.map((k, i) => [k, i] as const)).entries()]
      .filter(([k]) => !cache.has(k))
      .map(([, i]) => i);
    this.lastStats = { hits: texts.length - missing.length, misses: missing.length };
    for (let at = 0; at < missing.length; at += CHUNK) {
      const chunk = missing.slice(at, at + CHUNK);
      const fresh = await this.#inner.embed(chunk.map((i) => texts[i] as string));
      chunk.forEach((i, j) => {
        cache.set(keys[i] as string, fresh[j] as Float32Array);
      });
      options.onProgress?.(at + chunk.length, missing.length);
    }
    if (keys.some((k) => !this.#inFile.has(k))) {
      // One write at a time: concurrent callers would otherwise share the temporary file.
      this.#saving = this.#saving
        .then(() => this.#save(cache))
        .catch((err: unknown) =>
          this.#logger.warn('cannot write embedding cache', { file: this.#file, error: err }),
        );
      await this.#saving;
    }
    return keys.map((k) => cache.get(k) as Float32Array);
  }

  dispose(): Promise<void> {
    return this.#inner.dispose();
  }
}
