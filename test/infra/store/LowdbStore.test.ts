import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyState } from '../../../src/core/state.ts';
import { createStore } from '../../../src/infra/build-advisor.ts';

describe('LowdbStore', () => {
  it('persists updates to the JSON file, applied one at a time in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-db-'));
    const store = createStore(join(dir, 'db.json'));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update((s) => {
          s.feedback.push({
            at: i,
            conversationId: 'c',
            userId: 'u',
            entryId: 'e',
            question: `q${i}`,
            vote: 'up',
          });
        }),
      ),
    );
    const onDisk = JSON.parse(await readFile(join(dir, 'db.json'), 'utf8'));
    expect(onDisk.feedback.map((f: { at: number }) => f.at)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('sets a corrupted file aside and keeps serving with a fresh state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-db-'));
    await writeFile(join(dir, 'db.json'), '{"conversations": {tru');
    const store = createStore(join(dir, 'db.json'));
    expect(await store.read()).toEqual(emptyState());
    await store.update((s) => {
      s.conversations.c = { updatedAt: 1 };
    });
    const files = await readdir(dir);
    const aside = files.find((f) => f.startsWith('db.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside as string), 'utf8')).toBe('{"conversations": {tru');
  });

  it('fills fields missing from an older file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-db-'));
    await writeFile(join(dir, 'db.json'), '{"feedback": []}');
    const state = await createStore(join(dir, 'db.json')).read();
    expect(state.conversations).toEqual({});
    expect(state.benchmarkResults).toEqual([]);
  });
});
