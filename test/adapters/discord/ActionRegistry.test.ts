import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../../src/adapters/discord/ActionRegistry.ts';

const file = () => join(mkdtempSync(join(tmpdir(), 'td-actions-')), 'buttons.json');
const choice = (value: string) => ({
  kind: 'choice' as const,
  conversationId: 'discord:1:2',
  value,
  ephemeral: false,
});

describe('ActionRegistry with a file', () => {
  it('finds an action stored by an earlier instance, and never mints the same key twice', async () => {
    const f = file();
    const first = new ActionRegistry({ file: f });
    const key = first.add(choice('which trains faster?'));
    await first.flush();
    const second = new ActionRegistry({ file: f });
    expect(second.get(key)).toEqual(choice('which trains faster?'));
    expect(second.add(choice('other'))).not.toBe(key);
  });

  it('starts empty, says so, and rewrites the file when it is corrupt', async () => {
    const f = file();
    writeFileSync(f, '{"not": "an array"');
    const errors: unknown[] = [];
    const r = new ActionRegistry({ file: f, onError: (e) => errors.push(e) });
    expect(errors).toHaveLength(1);
    const key = r.add(choice('x'));
    await r.flush();
    expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual([[key, choice('x')]]);
  });

  it('keeps only the newest actions within its capacity, on disk too', async () => {
    const f = file();
    const r = new ActionRegistry({ file: f, capacity: 2 });
    const keys = ['a', 'b', 'c'].map((v) => r.add(choice(v)));
    await r.flush();
    const again = new ActionRegistry({ file: f, capacity: 2 });
    expect(again.get(keys[0] as string)).toBeUndefined();
    expect(again.get(keys[2] as string)).toEqual(choice('c'));
  });
});
