import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/ports.ts';
import { CachingEmbedder } from '../../../src/infra/embedders/CachingEmbedder.ts';
import { FakeEmbedder } from '../../helpers/fake-embedder.ts';

describe('CachingEmbedder', () => {
  it('serves vectors from disk on the next start and embeds only changed texts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-cache-'));
    const first = new FakeEmbedder();
    const a = await new CachingEmbedder(first, dir).embed(['alpha beta', 'gamma']);
    expect(first.texts).toBe(2);

    const second = new FakeEmbedder();
    const warm = new CachingEmbedder(second, dir);
    const b = await warm.embed(['alpha beta', 'gamma']);
    expect(second.texts).toBe(0);
    expect(warm.lastStats).toEqual({ hits: 2, misses: 0 });
    expect(Array.from(b[0] as Float32Array)).toEqual(Array.from(a[0] as Float32Array));

    const third = new FakeEmbedder();
    const changed = new CachingEmbedder(third, dir);
    await changed.embed(['alpha beta', 'gamma changed']);
    expect(third.texts).toBe(1);
    expect(changed.lastStats).toEqual({ hits: 1, misses: 1 });
  });

  it('keeps one cache per model id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-cache-'));
    await new CachingEmbedder(new FakeEmbedder('model-a'), dir).embed(['x']);
    const other = new FakeEmbedder('model-b');
    await new CachingEmbedder(other, dir).embed(['x']);
    expect(other.texts).toBe(1);
  });

  it('drops vectors of texts edited away, and keeps every text this process used', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-cache-'));
    await new CachingEmbedder(new FakeEmbedder(), dir).embed(['old text', 'kept']);

    const second = new CachingEmbedder(new FakeEmbedder(), dir);
    await second.embed(['kept', 'new text']);
    // A later call with other texts (e.g. a classifier's training set) adds to the file instead of replacing it.
    await second.embed(['training example']);

    const third = new FakeEmbedder();
    const next = new CachingEmbedder(third, dir);
    await next.embed(['kept', 'new text', 'training example']);
    expect(third.texts).toBe(0);
    await next.embed(['old text']);
    expect(third.texts).toBe(1);
  });

  it('reads the file once for concurrent callers and embeds each missing text once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-cache-'));
    const inner = new FakeEmbedder();
    const cached = new CachingEmbedder(inner, dir);
    await Promise.all([cached.embed(['a', 'b']), cached.embed(['b', 'c'])]);
    const fresh = new FakeEmbedder();
    await new CachingEmbedder(fresh, dir).embed(['a', 'b', 'c']);
    expect(fresh.texts).toBe(0);
  });

  it('reports progress per chunk of missing texts, and none when everything is cached', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-cache-'));
    const texts = Array.from({ length: 70 }, (_, i) => `text ${i}`);
    const seen: Array<[number, number]> = [];
    const inner = new FakeEmbedder();
    await new CachingEmbedder(inner, dir).embed(texts, { onProgress: (d, t) => seen.push([d, t]) });
    expect(seen).toEqual([
      [32, 70],
      [64, 70],
      [70, 70],
    ]);
    expect(inner.calls).toBe(3);
    const again: Array<[number, number]> = [];
    await new CachingEmbedder(new FakeEmbedder(), dir).embed(texts, {
      onProgress: (d, t) => again.push([d, t]),
    });
    expect(again).toEqual([]);
  });

  it('re-embeds everything when the cache file is corrupt, and says so at warn level', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-cache-'));
    const first = new CachingEmbedder(new FakeEmbedder(), dir);
    await first.embed(['x']);
    await writeFile(first.file, 'garbage');
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const inner = new FakeEmbedder();
    await new CachingEmbedder(inner, dir, logger).embed(['x']);
    expect(inner.texts).toBe(1);
    expect(warnings).toEqual(['embedding cache unreadable; re-embedding']);
  });
});
