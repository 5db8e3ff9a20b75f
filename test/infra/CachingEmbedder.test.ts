import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CachingEmbedder } from '../../src/infra/embedders/CachingEmbedder.ts';
import { FakeEmbedder } from '../helpers/fake-embedder.ts';

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
});
