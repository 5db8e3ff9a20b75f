import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { type AppState, emptyState } from '../../../src/core/state.ts';
import { LowdbStore } from '../../../src/infra/store/LowdbStore.ts';

/** A lowdb store of one whole-app document (the generic store under each aggregate's file). */
const createStore = (file: string) =>
  new LowdbStore<AppState>({
    file,
    defaults: emptyState,
    normalize: (d) => ({ ...emptyState(), ...d, version: 1 }),
  });

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

  it('resolves each update of a burst only once its change is on disk; a failing update fails alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-db-'));
    const file = join(dir, 'db.json');
    const store = createStore(file);
    const onDisk = () =>
      JSON.parse(readFileSync(file, 'utf8')) as { unanswered: Array<{ question: string }> };
    const seen: boolean[] = [];
    const updates = Array.from({ length: 20 }, (_, i) =>
      store
        .update((s) => {
          if (i === 7) throw new Error('bad update');
          s.unanswered.push({ at: i, conversation: 'c', question: `q${i}`, reason: 'out-of-scope' });
          return i;
        })
        .then((r) => {
          seen[i] = onDisk().unanswered.some((u) => u.question === `q${r}`);
        }),
    );
    const results = await Promise.allSettled(updates);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((results[7] as PromiseRejectedResult).reason.message).toBe('bad update');
    expect(seen.filter(Boolean)).toHaveLength(19);
    expect(onDisk().unanswered.map((u) => u.question)).toEqual(
      Array.from({ length: 20 }, (_, i) => `q${i}`).filter((q) => q !== 'q7'),
    );
  });

  it('hands out copies: changing what read() or select() returned changes nothing stored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-db-'));
    const store = createStore(join(dir, 'db.json'));
    await store.update((s) => {
      s.conversations.c = { updatedAt: 1, topics: ['a'] };
    });
    const copy = await store.read();
    copy.conversations.c?.topics?.push('changed');
    copy.feedback.push({ at: 1, conversationId: 'c', userId: 'u', entryId: 'e', question: 'q', vote: 'up' });
    const part = await store.select((s) => s.conversations.c);
    part?.topics?.push('changed too');
    expect((await store.read()).conversations.c).toEqual({ updatedAt: 1, topics: ['a'] });
    expect((await store.read()).feedback).toEqual([]);
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

  it('opens the file again on the next call after opening it failed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-db-'));
    const file = join(dir, 'db.json');
    await mkdir(file); // unreadable for now (EISDIR here; EACCES or EMFILE in life)
    const store = createStore(file);
    await expect(store.read()).rejects.toThrow();
    await expect(store.update(() => undefined)).rejects.toThrow();
    await rmdir(file);
    await store.update((s) => {
      s.conversations.c = { updatedAt: 1 };
    });
    expect((await store.read()).conversations.c).toEqual({ updatedAt: 1 });
    expect(JSON.parse(await readFile(file, 'utf8')).conversations.c).toEqual({ updatedAt: 1 });
  });

  it('keeps nothing of an update whose write failed: the next write does not save it after all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-db-'));
    const file = join(dir, 'db.json');
    const store = createStore(file);
    await store.update((s) => {
      s.conversations.kept = { updatedAt: 1 };
    });
    // The disk refuses the next write (here: a folder where lowdb writes its temporary file).
    const temp = join(dir, '.db.json.tmp');
    await mkdir(temp);
    await expect(
      store.update((s) => {
        s.conversations.refused = { updatedAt: 2 };
      }),
    ).rejects.toThrow(/cannot write/);
    expect(Object.keys((await store.read()).conversations)).toEqual(['kept']);
    await rmdir(temp);
    await store.update((s) => {
      s.conversations.next = { updatedAt: 3 };
    });
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).conversations).sort()).toEqual([
      'kept',
      'next',
    ]);
  });

  it('keeps nothing of an update that threw midway; the others of its batch are saved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-db-'));
    const file = join(dir, 'db.json');
    const store = createStore(file);
    const results = await Promise.allSettled([
      store.update((s) => {
        s.conversations.a = { updatedAt: 1 };
      }),
      store.update((s) => {
        s.conversations.half = { updatedAt: 2 };
        throw new Error('bad update');
      }),
      store.update((s) => {
        s.conversations.b = { updatedAt: 3 };
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(Object.keys((await store.read()).conversations).sort()).toEqual(['a', 'b']);
    await store.update(() => undefined);
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).conversations).sort()).toEqual(['a', 'b']);
  });

  it('rejects a batch whose document JSON refuses, keeps nothing of it, and serves the next update', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-db-'));
    const file = join(dir, 'db.json');
    const store = createStore(file);
    await store.update((s) => {
      s.conversations.kept = { updatedAt: 1 };
    });
    // A value JSON.stringify throws on, put by one update of a burst: the whole batch is refused, none waits.
    const burst = [
      store.update((s) => {
        (s as unknown as { big: bigint }).big = 1n;
      }),
      store.update((s) => {
        s.conversations.other = { updatedAt: 2 };
      }),
    ];
    for (const u of burst) await expect(u).rejects.toThrow(/cannot update/);
    expect(Object.keys((await store.read()).conversations)).toEqual(['kept']);
    await store.update((s) => {
      s.conversations.next = { updatedAt: 3 };
    });
    const onDisk = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(onDisk.conversations).sort()).toEqual(['kept', 'next']);
    expect(onDisk.big).toBeUndefined();
  });

  it('applies a burst in place: no copy of the document, one serialisation per write, each update run once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-db-'));
    const store = createStore(join(dir, 'db.json'));
    await store.update(() => undefined); // opened and written once, before counting
    const clones = vi.spyOn(globalThis, 'structuredClone');
    const serialised = vi.spyOn(JSON, 'stringify');
    const runs = new Array<number>(50).fill(0);
    try {
      await Promise.all(
        runs.map((_, i) =>
          store.update((s) => {
            runs[i] = (runs[i] ?? 0) + 1;
            s.conversations[`c${i}`] = { updatedAt: i };
          }),
        ),
      );
      // The first update starts a write of its own; the other 49 arrive during it and share the next one.
      expect(clones).not.toHaveBeenCalled();
      expect(serialised.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      clones.mockRestore();
      serialised.mockRestore();
    }
    expect(runs.every((n) => n === 1)).toBe(true);
    expect(Object.keys((await store.read()).conversations)).toHaveLength(50);
  });
});
