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
import { choiceId, feedbackId, parseCustomId } from '../../../src/adapters/discord/custom-id.ts';
import {
  BUTTON_KEY_MAX,
  type ButtonAction,
  ButtonStore,
  parseJournal,
} from '../../../src/adapters/shared/ButtonStore.ts';
import { DISCORD_LIMITS } from '../../../src/adapters/shared/limits.ts';
import { type SharedActions, silentLogger } from '../../../src/core/ports.ts';

const file = () => join(mkdtempSync(join(tmpdir(), 'td-buttons-')), 'buttons.json');
/** The [key, action] entries on disk, oldest first (the file is a journal of JSON lines). */
const onDisk = (f: string) => parseJournal(readFileSync(f, 'utf8')).entries;
const choice = (value: string) => ({ kind: 'choice' as const, conversationId: 'slack:C1:1.2', value });

/** What each platform puts behind its buttons: the one codec serves both. */
const PLATFORM_ACTIONS: Record<'slack' | 'discord', ButtonAction[]> = {
  slack: [
    { kind: 'choice', conversationId: 'slack:C1:1.2', value: 'compare training speed', respond: true },
    { kind: 'feedback', conversationId: 'slack:C1:1.2', entryId: 'training-speed', question: 'q' },
    { kind: 'benchStart', request: { workloads: ['mlp'], device: 'cpu' } },
    { kind: 'benchCancel', runId: 'b3' },
  ],
  discord: [
    { kind: 'choice', conversationId: 'discord:300:400', value: 'compare training speed', ephemeral: true },
    { kind: 'feedback', conversationId: 'discord:300:400', entryId: 'training-speed', question: 'q' },
  ],
};

/** A shared store (what Redis is to the replicas) in a Map; `down` makes every call fail, as Redis down does. */
class MapShared implements SharedActions<unknown> {
  readonly values = new Map<string, unknown>();
  down = false;
  async put(key: string, action: unknown): Promise<void> {
    if (this.down) throw new Error('connection is closed');
    this.values.set(key, structuredClone(action));
  }
  async get(key: string): Promise<unknown> {
    if (this.down) throw new Error('connection is closed');
    return this.values.get(key);
  }
}

describe.each(['slack', 'discord'] as const)('ButtonStore with %s buttons', (platform) => {
  const actions = PLATFORM_ACTIONS[platform];

  it('decodes every kind of action after a restart (a new store on the same file)', async () => {
    const f = file();
    const first = new ButtonStore({ file: f });
    const keys = actions.map((a) => first.encode(a));
    await first.flush();
    const second = new ButtonStore({ file: f });
    expect(keys.map((k) => second.decode(k))).toEqual(actions);
  });

  it('finds on another replica, through the shared store, what one replica encoded once it has flushed', async () => {
    const shared = new MapShared();
    const a = new ButtonStore({ shared: shared as SharedActions<ButtonAction> });
    const b = new ButtonStore({ shared: shared as SharedActions<ButtonAction> });
    const keys = actions.map((action) => a.encode(action));
    await a.flush();
    expect(keys.map((k) => b.decode(k))).toEqual(actions.map(() => undefined)); // not in B's own memory…
    expect(await Promise.all(keys.map((k) => b.lookup(k)))).toEqual(actions); // …but shared
    expect(await b.lookup('zzzzzzzz0')).toBeUndefined();
  });

  it("keeps this replica's buttons working while the shared store is down; the others' are unknown meanwhile", async () => {
    const shared = new MapShared();
    const a = new ButtonStore({ shared: shared as SharedActions<ButtonAction> });
    const b = new ButtonStore({ shared: shared as SharedActions<ButtonAction> });
    shared.down = true;
    const [action] = actions as [ButtonAction];
    const key = a.encode(action);
    await a.flush(); // the failed put neither throws nor hangs
    expect(await a.lookup(key)).toEqual(action);
    expect(await b.lookup(key)).toBeUndefined();
  });
});

describe('ButtonStore', () => {
  it('puts each key in a Discord custom_id (at most 100 characters) that parses back to it', () => {
    expect('td:f::u'.length + BUTTON_KEY_MAX).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
    const store = new ButtonStore();
    const keys = Array.from({ length: 50 }, (_, i) => store.encode(choice(`q${i}`)));
    for (const key of keys) {
      expect(key.length).toBeLessThanOrEqual(BUTTON_KEY_MAX);
      expect(parseCustomId(choiceId(key))).toEqual({ kind: 'choice', key });
      expect(parseCustomId(feedbackId(key, 'down'))).toEqual({ kind: 'feedback', key, vote: 'down' });
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps a Discord reply link under the key given, on disk and in the shared store, like a button', async () => {
    const f = file();
    const shared = new MapShared();
    const a = new ButtonStore({ file: f, shared: shared as SharedActions<ButtonAction> });
    const link = { kind: 'reply' as const, conversationId: 'discord:300:400' };
    a.attach('msg:500', link);
    a.attach('msg:501', link); // every message of one conversation links to it
    await a.flush();
    expect(new ButtonStore({ file: f }).decode('msg:500')).toEqual(link); // after a restart
    expect(
      await new ButtonStore({ shared: shared as SharedActions<ButtonAction> }).lookup('msg:501'),
    ).toEqual(link); // on another replica
    // Links are never handed out as button keys.
    expect(a.encode({ kind: 'choice', conversationId: 'discord:300:400', value: 'x' })).not.toContain(':');
  });

  it('forgets the oldest link within its capacity without forgetting which key a button has', () => {
    const store = new ButtonStore({ capacity: 3 });
    const key = store.encode(choice('a'));
    store.attach('msg:1', { kind: 'reply', conversationId: 'slack:C1:1.2' });
    store.attach('msg:2', { kind: 'reply', conversationId: 'slack:C1:1.2' });
    expect(store.encode(choice('a'))).toBe(key); // still remembered: the same key
    store.attach('msg:3', { kind: 'reply', conversationId: 'slack:C1:1.2' }); // the button is the oldest: gone
    expect(store.decode(key)).toBeUndefined();
    expect(store.decode('msg:1')).toEqual({ kind: 'reply', conversationId: 'slack:C1:1.2' });
    store.attach('msg:4', { kind: 'reply', conversationId: 'slack:C1:1.2' });
    expect(store.decode('msg:1')).toBeUndefined();
    expect(store.size).toBe(3);
  });

  it('ignores a shared value that is not a button action (another version, tampering)', async () => {
    const shared = new MapShared();
    shared.values.set('k1', { kind: 'shell', command: 'rm -rf /' });
    shared.values.set('k2', { kind: 'choice', conversationId: 'discord:1:2', value: 'x', extra: 'dropped' });
    const store = new ButtonStore({ shared: shared as SharedActions<ButtonAction> });
    expect(await store.lookup('k1')).toBeUndefined();
    expect(await store.lookup('k2')).toEqual({ kind: 'choice', conversationId: 'discord:1:2', value: 'x' });
  });

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
    expect(onDisk(f)).toEqual([[key, choice('x')]]);
    expect(readFileSync(aside, 'utf8')).toBe('{"not": "an array"');
  });

  it('without a logger, says through onError that a corrupted file was set aside, then starts afresh', async () => {
    const f = file();
    writeFileSync(f, '[["k", {"kind": "choice"');
    const errors: unknown[] = [];
    const store = new ButtonStore({ file: f, onError: (e) => errors.push(e), now: () => 99 });
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain(`${f}.corrupt-99`);
    const key = store.encode(choice('x'));
    await store.flush();
    expect(onDisk(f)).toEqual([[key, choice('x')]]);
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

  it('appends only the new actions to the file: what was written stays byte for byte', async () => {
    const f = file();
    const store = new ButtonStore({ file: f });
    const first = store.encode(choice('a'));
    await store.flush();
    const before = readFileSync(f, 'utf8');
    const second = store.encode(choice('b'));
    await store.flush();
    const after = readFileSync(f, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toBe(`${JSON.stringify([second, choice('b')])}\n`);
    expect(onDisk(f)).toEqual([
      [first, choice('a')],
      [second, choice('b')],
    ]);
  });

  it('compacts the journal once it holds twice its capacity, keeping the newest actions', async () => {
    const f = file();
    const store = new ButtonStore({ file: f, capacity: 3 });
    const keys: string[] = [];
    for (const v of ['a', 'b', 'c', 'd', 'e', 'f']) {
      keys.push(store.encode(choice(v)));
      await store.flush();
    }
    expect(onDisk(f)).toHaveLength(6); // appended, not yet compacted
    keys.push(store.encode(choice('g')));
    await store.flush();
    expect(onDisk(f).map(([k]) => k)).toEqual(keys.slice(-3));
    const again = new ButtonStore({ file: f, capacity: 3 });
    expect(again.decode(keys[6])).toEqual(choice('g'));
    expect(again.decode(keys[3])).toBeUndefined();
  });

  it('keeps the readable buttons of a file with a torn last line, and sets the file aside', async () => {
    const f = file();
    const store = new ButtonStore({ file: f });
    const key = store.encode(choice('kept'));
    await store.flush();
    writeFileSync(f, `${readFileSync(f, 'utf8')}["torn", {"kind": "cho`);
    const warnings: string[] = [];
    const again = new ButtonStore({
      file: f,
      now: () => 7,
      logger: { ...silentLogger, warn: (msg: string) => void warnings.push(msg) },
    });
    expect(again.decode(key)).toEqual(choice('kept'));
    expect(readFileSync(`${f}.corrupt-7`, 'utf8')).toContain('"torn"');
    expect(warnings).toEqual([expect.stringMatching(/unreadable lines: set aside/)]);
    const next = again.encode(choice('next'));
    await again.flush();
    expect(onDisk(f)).toEqual([
      [key, choice('kept')],
      [next, choice('next')],
    ]);
  });

  it("rewrites an earlier release's array file as a journal on the first write, losing nothing", async () => {
    const f = file();
    writeFileSync(f, JSON.stringify([['old0', choice('before')]]));
    const store = new ButtonStore({ file: f });
    const key = store.encode(choice('after'));
    await store.flush();
    expect(readFileSync(f, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    const again = new ButtonStore({ file: f });
    expect(again.decode('old0')).toEqual(choice('before'));
    expect(again.decode(key)).toEqual(choice('after'));
  });
});
