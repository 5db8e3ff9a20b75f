import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/core/ports.ts';
import { FileResults } from '../../../src/infra/store/FileResults.ts';
import { FileStore } from '../../../src/infra/store/FileStore.ts';
import { docWith } from '../../helpers/bench.ts';

const tempDir = () => mkdtemp(join(tmpdir(), 'td-results-'));
const ids = (docs: Array<{ id: string }>) => docs.map((d) => d.id);

/** A logger that keeps what it was told. */
function recording(): Logger & { lines: Array<{ level: string; msg: string; fields?: unknown }> } {
  const lines: Array<{ level: string; msg: string; fields?: unknown }> = [];
  const at = (level: string) => (msg: string, fields?: unknown) => lines.push({ level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A promise the test resolves when it wants (a barrier for writers that must start together). */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('FileResults: one file per result', () => {
  it('lists results oldest first, as copies, and caps the folder at the newest', async () => {
    const dir = await tempDir();
    const results = new FileResults({ dir, cap: 3 });
    for (const id of ['r1', 'r2', 'r3', 'r4']) await results.add(docWith([], { id }));
    expect(ids(await results.list())).toEqual(['r2', 'r3', 'r4']);
    expect(await readdir(dir)).toHaveLength(3);
    const copy = await results.list();
    (copy[0] as { id: string }).id = 'changed';
    copy.pop();
    expect(ids(await results.list())).toEqual(['r2', 'r3', 'r4']);
  });

  it('two writers at once, each with its own warm view, lose nothing of each other (a CLI beside the bot)', async () => {
    const dir = await tempDir();
    const bot = new FileResults({ dir });
    const cli = new FileResults({ dir });
    await bot.add(docWith([], { id: 'before' }));
    // Both have read the folder (what a whole-document store would cache and later write back over the other).
    expect(ids(await bot.list())).toEqual(['before']);
    expect(ids(await cli.list())).toEqual(['before']);
    const start = gate();
    const writer = (store: FileResults, prefix: string) =>
      start.opened.then(() =>
        Promise.all(Array.from({ length: 15 }, (_, i) => store.add(docWith([], { id: `${prefix}-${i}` })))),
      );
    const both = Promise.all([writer(bot, 'bot'), writer(cli, 'cli')]);
    start.open();
    await both;
    const expected = [
      'before',
      ...Array.from({ length: 15 }, (_, i) => `bot-${i}`),
      ...Array.from({ length: 15 }, (_, i) => `cli-${i}`),
    ].sort();
    expect(ids(await bot.list()).sort()).toEqual(expected);
    expect(ids(await cli.list()).sort()).toEqual(expected);
    // Each writer's own results stay in the order it stored them.
    expect(ids(await bot.list()).filter((id) => id.startsWith('bot-'))).toEqual(
      Array.from({ length: 15 }, (_, i) => `bot-${i}`),
    );
  });

  it('two writers past the cap at once keep exactly the newest results', async () => {
    const dir = await tempDir();
    let t = 0;
    const now = () => ++t; // one shared clock: a strict order of writes across both writers
    const a = new FileResults({ dir, cap: 5, now });
    const b = new FileResults({ dir, cap: 5, now });
    const start = gate();
    const writes = [a, b, a, b, a, b, a, b].map((w, i) =>
      start.opened.then(() => w.add(docWith([], { id: `w${i}` }))),
    );
    start.open();
    await Promise.all(writes);
    // A cap deletes a file only while `cap` newer ones are present, so the newest five always survive.
    const kept = ids(await a.list());
    expect(kept).toEqual(['w3', 'w4', 'w5', 'w6', 'w7']);
    expect(ids(await b.list())).toEqual(kept);
    expect(await readdir(dir)).toHaveLength(5);
  });

  it('two processes at once: a second writer process and this one both keep every result', async () => {
    const dir = await tempDir();
    const file = join(dir, 'db.json');
    const here = new FileStore({ file });
    await here.results.list();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/add-results.ts', file, 'child', '20'],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    // Listened for from the start: a child that ends before the last line is read must not be waited for forever.
    const exited = once(child, 'exit');
    const lines = createInterface({ input: child.stdout });
    const [ready] = (await once(lines, 'line')) as [string];
    expect(ready).toBe('ready');
    // Both start on the same signal: the child on "go", this process right after sending it.
    const done = once(lines, 'line');
    child.stdin.write('go\n');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => here.results.add(docWith([], { id: `here-${i}` }))),
    );
    const [childDone] = (await done) as [string];
    expect(childDone).toBe('done');
    await exited;
    const all = ids(await here.results.list());
    expect(all.filter((id) => id.startsWith('child-')).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `child-${i}`).sort(),
    );
    expect(all.filter((id) => id.startsWith('here-'))).toEqual(
      Array.from({ length: 20 }, (_, i) => `here-${i}`),
    );
  }, 60_000);

  it('sets a corrupted result file aside with an error naming it, and serves the others', async () => {
    const dir = await tempDir();
    const logger = recording();
    const results = new FileResults({ dir, logger });
    await results.add(docWith([], { id: 'good' }));
    await writeFile(join(dir, '999999999999999-1-000000000-broken.json'), '{"id": "bro');
    expect(ids(await results.list())).toEqual(['good']);
    const files = await readdir(dir);
    expect(files.some((f) => f.startsWith('999999999999999-1-000000000-broken.json.corrupt-'))).toBe(true);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'error', msg: expect.stringMatching(/not valid JSON/) }),
    );
  });
});
