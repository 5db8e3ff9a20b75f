import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileThreads, MemoryThreads } from '../../../src/adapters/shared/AnsweredThreads.ts';

describe('answered threads', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('forgets the oldest thread beyond its capacity', async () => {
    const threads = new MemoryThreads(2);
    for (const k of ['a', 'b', 'c']) await threads.add(k);
    expect([await threads.has('a'), await threads.has('b'), await threads.has('c')]).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('keeps threads in a file across instances, and starts empty from a missing or corrupt file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'td-threads-'));
    const file = join(dir, 'sub', 'threads.json');
    const first = new FileThreads(file);
    expect(await first.has('C1:1.1')).toBe(false);
    await first.add('C1:1.1');
    await first.add('C1:2.2');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(['C1:1.1', 'C1:2.2']);
    expect(await new FileThreads(file).has('C1:2.2')).toBe(true);
    await writeFile(file, '{not json');
    const fresh = new FileThreads(file);
    expect(await fresh.has('C1:1.1')).toBe(false);
    await fresh.add('C2:3.3');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(['C2:3.3']);
  });
});
