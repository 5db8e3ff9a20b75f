import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/ports.ts';
import { FileActionStore } from '../../../src/infra/state/action-store.ts';
import { MemoryEventClaims } from '../../../src/infra/state/claims.ts';

type Action = { kind: 'choice'; conversationId: string; value: string };

describe('FileActionStore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'td-actions-'));
    dirs.push(dir);
    return join(dir, 'sub', 'actions.json');
  };

  it('keeps button actions across a restart, so buttons on earlier messages still work', async () => {
    const path = file();
    const first = new FileActionStore<Action>({ file: path, logger: silentLogger });
    const key = await first.add({ kind: 'choice', conversationId: 'discord:1:2', value: 'pytorch' });
    expect(key.length).toBeLessThanOrEqual(16);
    await first.flush();
    const second = new FileActionStore<Action>({ file: path, logger: silentLogger });
    expect(await second.get(key)).toEqual({
      kind: 'choice',
      conversationId: 'discord:1:2',
      value: 'pytorch',
    });
    // Keys made after the restart never collide with the earlier ones.
    const next = await second.add({ kind: 'choice', conversationId: 'discord:1:2', value: 'tf' });
    expect(next).not.toBe(key);
    expect(await second.get('nope')).toBeUndefined();
  });

  it('forgets the oldest actions beyond its capacity, on disk too', async () => {
    const path = file();
    const store = new FileActionStore<Action>({ file: path, logger: silentLogger, capacity: 3 });
    const keys: string[] = [];
    for (let i = 0; i < 5; i++)
      keys.push(await store.add({ kind: 'choice', conversationId: 'c', value: `v${i}` }));
    await store.flush();
    const reloaded = new FileActionStore<Action>({ file: path, logger: silentLogger, capacity: 3 });
    expect(await reloaded.get(keys[0] as string)).toBeUndefined();
    expect(await reloaded.get(keys[1] as string)).toBeUndefined();
    expect((await reloaded.get(keys[4] as string))?.value).toBe('v4');
  });
});

describe('MemoryEventClaims', () => {
  it('lets the first claim of a key win, duplicates lose until the TTL passes', async () => {
    let now = 0;
    const claims = new MemoryEventClaims({ now: () => now });
    expect(await claims.claim('slack:Ev1', 1000)).toBe(true);
    expect(await claims.claim('slack:Ev1', 1000)).toBe(false);
    expect(await claims.claim('slack:Ev2', 1000)).toBe(true);
    now = 1001;
    expect(await claims.claim('slack:Ev1', 1000)).toBe(true);
  });
});
