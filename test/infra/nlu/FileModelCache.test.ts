import { mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileModelCache } from '../../../src/infra/nlu/FileModelCache.ts';

describe('FileModelCache', () => {
  it('stores and reads a model by key, and reads nothing for an unknown key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-models-'));
    const cache = new FileModelCache(join(dir, 'nlu'));
    expect(await cache.get('nlu-v1-a')).toBeUndefined();
    await cache.set('nlu-v1-a', '{"x":1}');
    expect(await cache.get('nlu-v1-a')).toBe('{"x":1}');
  });

  it('keeps only the most recently written models, the one just written included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-models-'));
    // Five older models, written at known times (oldest first), and a file that is not a model.
    for (let i = 0; i < 5; i++) {
      const file = join(dir, `nlu-v${i}-x.json`);
      await writeFile(file, `{"v":${i}}`);
      const t = new Date(Date.UTC(2027, 0, 1 + i)); // later than now
      await utimes(file, t, t);
    }
    await writeFile(join(dir, 'notes.txt'), 'not a model');
    // The new model's time is older than all of theirs (as after a clock change): it still stays.
    const cache = new FileModelCache(dir, { keep: 3 });
    await cache.set('nlu-v9-new', '{"v":9}');
    const left = (await readdir(dir)).sort();
    expect(left).toEqual(['nlu-v3-x.json', 'nlu-v4-x.json', 'nlu-v9-new.json', 'notes.txt']);
    expect(await cache.get('nlu-v9-new')).toBe('{"v":9}');
  });

  it('deletes nothing while there are no more models than it keeps', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-models-'));
    const cache = new FileModelCache(dir, { keep: 2 });
    await cache.set('a', '1');
    await cache.set('b', '2');
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'b.json']);
  });
});
