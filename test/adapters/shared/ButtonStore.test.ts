import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ButtonStore } from '../../../src/adapters/shared/ButtonStore.ts';
import { silentLogger } from '../../../src/core/ports.ts';

const file = () => join(mkdtempSync(join(tmpdir(), 'td-buttons-')), 'buttons.json');
const choice = (value: string) => ({ kind: 'choice' as const, conversationId: 'slack:C1:1.2', value });

describe('ButtonStore', () => {
  it('decodes a key encoded by an earlier instance, and never mints the same key twice', async () => {
    const f = file();
    const first = new ButtonStore({ file: f });
    const key = first.encode(choice('which trains faster?'));
    await first.flush();
    const second = new ButtonStore({ file: f });
    expect(second.decode(key)).toEqual(choice('which trains faster?'));
    expect(second.encode(choice('other'))).not.toBe(key);
    expect(second.decode('nope')).toBeUndefined();
  });

  it('gives the same action the same key, so re-rendered buttons do not grow the file', () => {
    const store = new ButtonStore();
    const a = store.encode({ kind: 'benchCancel', runId: 'b3' });
    expect(store.encode({ kind: 'benchCancel', runId: 'b3' })).toBe(a);
    expect(store.encode({ kind: 'benchCancel', runId: 'b4' })).not.toBe(a);
    expect(store.size).toBe(2);
  });

  it("reads the Discord action registry's file (discord-buttons.json) as it is", () => {
    const f = file();
    const feedback = { kind: 'feedback', conversationId: 'discord:1:2', entryId: 'e', question: 'q' };
    const pick = { kind: 'choice', conversationId: 'discord:1:2', value: 'v', ephemeral: true };
    writeFileSync(
      f,
      JSON.stringify([
        ['abc0', feedback],
        ['abc1', pick],
      ]),
    );
    const store = new ButtonStore({ file: f });
    expect(store.decode('abc0')).toEqual(feedback);
    expect(store.decode('abc1')).toEqual(pick);
  });

  it('keeps only the fields a button may carry from the file', () => {
    const f = file();
    writeFileSync(
      f,
      JSON.stringify([
        ['k1', { kind: 'benchStart', request: { workloads: ['mlp', 3], device: 'tpu', repeats: 1e9 } }],
        ['k2', { kind: 'choice', conversationId: 7, value: 'x' }],
        ['k3', { kind: 'shell', command: 'rm -rf /' }],
      ]),
    );
    const store = new ButtonStore({ file: f });
    expect(store.decode('k1')).toEqual({ kind: 'benchStart', request: { workloads: ['mlp'] } });
    expect(store.decode('k2')).toBeUndefined();
    expect(store.decode('k3')).toBeUndefined();
  });

  it('sets a corrupted file aside (named in a warning), then starts empty', async () => {
    const f = file();
    writeFileSync(f, '{"not": "an array"');
    const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const logger = {
      ...silentLogger,
      warn: (msg: string, fields?: Record<string, unknown>) =>
        void warnings.push({ msg, ...(fields ? { fields } : {}) }),
    };
    const store = new ButtonStore({ file: f, logger, now: () => 1234 });
    const aside = `${f}.corrupt-1234`;
    expect(readFileSync(aside, 'utf8')).toBe('{"not": "an array"');
    expect(warnings).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ file: f, aside }) }),
    ]);
    const key = store.encode(choice('x'));
    await store.flush();
    expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual([[key, choice('x')]]);
    expect(readFileSync(aside, 'utf8')).toBe('{"not": "an array"');
  });

  it('never writes over a file it could not read; reads it again on the next use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'td-buttons-'));
    const saved = join(dir, 'saved.json');
    writeFileSync(saved, JSON.stringify([['old0', choice('before the restart')]]));
    // The file cannot be read for now (here EISDIR through a link to a folder; in life EMFILE, EACCES…).
    const f = join(dir, 'buttons.json');
    mkdirSync(join(dir, 'folder'));
    symlinkSync(join(dir, 'folder'), f);
    const errors: unknown[] = [];
    const store = new ButtonStore({ file: f, onError: (e) => errors.push(e) });
    expect(errors).toHaveLength(1);
    const key = store.encode(choice('during'));
    expect(store.decode(key)).toEqual(choice('during'));
    await store.flush();
    expect(lstatSync(f).isSymbolicLink()).toBe(true); // not replaced by a file of only the new button
    expect(errors).toHaveLength(1); // reported once, not on every use
    // Readable again: the next use loads it, keeping the button encoded meanwhile, and writes both.
    unlinkSync(f);
    symlinkSync(saved, f);
    expect(store.decode('old0')).toEqual(choice('before the restart'));
    expect(store.decode(key)).toEqual(choice('during'));
    await store.flush();
    expect(new ButtonStore({ file: f }).decode('old0')).toEqual(choice('before the restart'));
    expect(new ButtonStore({ file: f }).decode(key)).toEqual(choice('during'));
  });

  it('keeps only the newest actions within its capacity, on disk too', async () => {
    const f = file();
    const store = new ButtonStore({ file: f, capacity: 2 });
    const keys = ['a', 'b', 'c'].map((v) => store.encode(choice(v)));
    await store.flush();
    const again = new ButtonStore({ file: f, capacity: 2 });
    expect(again.decode(keys[0])).toBeUndefined();
    expect(again.decode(keys[2])).toEqual(choice('c'));
    // A forgotten action gets a new key when encoded again.
    expect(again.encode(choice('a'))).not.toBe(keys[0]);
  });
});
