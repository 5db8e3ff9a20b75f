import { mkdir, mkdtemp, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchRun } from '../../../src/core/jobs/bench-run.ts';
import type { Logger } from '../../../src/core/ports.ts';
import { type AppState, emptyState, STATE_LIMITS } from '../../../src/core/state.ts';
import { FileStore, storePaths } from '../../../src/infra/store/FileStore.ts';
import { docWith } from '../../helpers/bench.ts';

const tempDir = () => mkdtemp(join(tmpdir(), 'td-store-'));
const json = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

function recording(): Logger & {
  lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }>;
} {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    lines.push({ level, msg, ...(fields ? { fields } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const run = (id: string, status: BenchRun['status']): BenchRun => ({
  id,
  status,
  requester: { userId: 'slack:U1', roles: [], channelId: 'slack:C1' },
  request: { workloads: ['mlp'] },
  target: { platform: 'slack', data: { channel: 'C1' } },
  createdAt: 1,
});

/** A database file in the format of before the split: every aggregate in one document. */
function oldFormat(): AppState {
  return {
    ...emptyState(),
    conversations: { 'slack:C1:1.2': { updatedAt: 5, topics: ['training-speed'], lastIntent: 'faq' } },
    feedback: [
      { at: 1, conversationId: 'slack:C1:1.2', userId: 'u', entryId: 'e', question: 'q?', vote: 'up' },
    ],
    unanswered: [{ at: 2, conversation: 'h1', question: 'pizza?', reason: 'out-of-scope' }],
    stats: { byIntent: { faq: { total: 3, answered: 2 } }, topics: { 'training-speed': 2 } },
    benchmarkResults: [docWith([], { id: 'old-1' }), docWith([], { id: 'old-2' })],
    benchRuns: [run('b1', 'done'), run('b2', 'queued')],
  };
}

describe('FileStore: one repository per aggregate, each in its own file', () => {
  it('keeps each aggregate in its own file beside the database file', async () => {
    const dir = await tempDir();
    const store = new FileStore({ file: join(dir, 'db.json') });
    await store.conversations.update('c1', () => ({ updatedAt: 1, topics: ['a'] }));
    await store.feedback.record({
      reply: { intent: 'faq', answered: true, topics: ['training-speed'] },
      unanswered: { at: 1, conversation: 'h', question: 'q', reason: 'ambiguous' },
    });
    await store.queue.update((runs) => {
      runs.push(run('b1', 'queued'));
    });
    await store.results.add(docWith([], { id: 'r1' }));
    const paths = storePaths(join(dir, 'db.json'));
    expect((await readdir(dir)).sort()).toEqual(
      ['db.bench-queue.json', 'db.conversations.json', 'db.feedback.json', 'db.results'].sort(),
    );
    expect((await json(paths.conversations)).conversations).toEqual({ c1: { updatedAt: 1, topics: ['a'] } });
    expect((await json(paths.feedback)).stats).toEqual({
      byIntent: { faq: { total: 1, answered: 1 } },
      topics: { 'training-speed': 1 },
    });
    expect((await json(paths.queue)).benchRuns.map((r: BenchRun) => r.id)).toEqual(['b1']);
    expect(await readdir(paths.results)).toHaveLength(1);
    // A restart reads every aggregate back.
    const again = await new FileStore({ file: join(dir, 'db.json') }).read();
    expect(again).toMatchObject({
      conversations: { c1: { updatedAt: 1 } },
      unanswered: [{ question: 'q' }],
      benchRuns: [{ id: 'b1' }],
      benchmarkResults: [{ id: 'r1' }],
    });
  });

  it('hands out copies from every repository and from read()', async () => {
    const dir = await tempDir();
    const store = new FileStore({ file: join(dir, 'db.json') });
    await store.conversations.update('c1', () => ({ updatedAt: 1, topics: ['a'] }));
    await store.feedback.record({
      feedback: { at: 1, conversationId: 'c1', userId: 'u', entryId: 'e', question: 'q', vote: 'down' },
    });
    await store.queue.update((runs) => {
      runs.push(run('b1', 'queued'));
    });
    (await store.conversations.get('c1'))?.topics?.push('changed');
    (await store.feedback.read()).feedback.pop();
    const runs = await store.queue.list();
    (runs[0] as BenchRun).status = 'done';
    const all = await store.read();
    all.benchRuns.pop();
    all.stats.byIntent.x = { total: 9, answered: 9 };
    expect(await store.conversations.get('c1')).toEqual({ updatedAt: 1, topics: ['a'] });
    expect((await store.feedback.read()).feedback).toHaveLength(1);
    expect((await store.queue.list()).map((r) => r.status)).toEqual(['queued']);
    expect((await store.read()).stats.byIntent).toEqual({});
  });

  it('feedback: counts replies by intent and outcome, topics answered, and caps the records', async () => {
    const dir = await tempDir();
    const store = new FileStore({ file: join(dir, 'db.json') });
    await Promise.all([
      store.feedback.record({ reply: { intent: 'faq', answered: true, topics: ['a', 'b'] } }),
      store.feedback.record({ reply: { intent: 'faq', answered: false, topics: [] } }),
      store.feedback.record({ reply: { intent: 'recommend', answered: true, topics: [] } }),
      ...Array.from({ length: STATE_LIMITS.unanswered + 2 }, (_, i) =>
        store.feedback.record({
          unanswered: { at: i, conversation: 'h', question: `q${i}`, reason: 'out-of-scope' },
        }),
      ),
    ]);
    const f = await store.feedback.read();
    expect(f.stats).toEqual({
      byIntent: { faq: { total: 2, answered: 1 }, recommend: { total: 1, answered: 1 } },
      topics: { a: 1, b: 1 },
    });
    expect(f.unanswered).toHaveLength(STATE_LIMITS.unanswered);
    expect(f.unanswered[0]?.question).toBe('q2');
  });

  it('queue: keeps queued and running runs past the cap and drops the oldest finished ones', async () => {
    const dir = await tempDir();
    const store = new FileStore({ file: join(dir, 'db.json') });
    await store.queue.update((runs) => {
      runs.push(run('b0', 'queued'));
      for (let i = 1; i <= STATE_LIMITS.benchRuns + 1; i++) runs.push(run(`b${i}`, 'done'));
    });
    const runs = await store.queue.list();
    expect(runs).toHaveLength(STATE_LIMITS.benchRuns);
    expect(runs.slice(0, 2).map((r) => r.id)).toEqual(['b0', 'b3']);
  });

  it('migrates a single-file database of before on first start, losing nothing, and keeps the old file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'tensorduel.json');
    await writeFile(file, JSON.stringify(oldFormat(), null, 2));
    const logger = recording();
    const store = new FileStore({ file, logger, now: () => 1234 });
    // Any first use migrates first; here the queue, as the bot's start does.
    expect((await store.queue.list()).map((r) => [r.id, r.status])).toEqual([
      ['b1', 'done'],
      ['b2', 'queued'],
    ]);
    const all = await store.read();
    const { benchmarkResults, ...rest } = all;
    const { benchmarkResults: oldResults, ...oldRest } = oldFormat();
    expect(rest).toEqual(oldRest);
    expect(benchmarkResults).toEqual(oldResults);
    expect(await store.conversations.get('slack:C1:1.2')).toEqual(oldFormat().conversations['slack:C1:1.2']);
    // The old file is kept under another name, unchanged; nothing reads it again.
    const files = await readdir(dir);
    expect(files).not.toContain('tensorduel.json');
    expect(await json(join(dir, 'tensorduel.json.migrated-1234'))).toEqual(oldFormat());
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: expect.stringMatching(/split into one file per aggregate/),
      }),
    );
    // New results sort after the migrated ones.
    await store.results.add(docWith([], { id: 'new' }));
    expect((await store.results.list()).map((d) => d.id)).toEqual(['old-1', 'old-2', 'new']);
  });

  it('two processes migrating the same old file at once store everything once', async () => {
    const dir = await tempDir();
    const file = join(dir, 'db.json');
    await writeFile(file, JSON.stringify(oldFormat()));
    const a = new FileStore({ file });
    const b = new FileStore({ file });
    const [ra, rb] = await Promise.all([a.read(), b.read()]);
    expect(ra).toEqual(rb);
    expect(ra.benchmarkResults.map((d) => d.id)).toEqual(['old-1', 'old-2']);
    expect(await readdir(storePaths(file).results)).toHaveLength(2);
    expect(ra.benchRuns.map((r) => r.id)).toEqual(['b1', 'b2']);
  });

  it('an aggregate that already has its file keeps it; the old value stays in the kept old file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'db.json');
    const paths = storePaths(file);
    await writeFile(paths.queue, JSON.stringify({ version: 1, benchRuns: [run('b9', 'done')] }));
    await writeFile(file, JSON.stringify(oldFormat()));
    const logger = recording();
    const store = new FileStore({ file, logger, now: () => 7 });
    expect((await store.queue.list()).map((r) => r.id)).toEqual(['b9']);
    expect((await store.feedback.read()).feedback).toHaveLength(1);
    expect((await json(join(dir, 'db.json.migrated-7'))).benchRuns).toHaveLength(2);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ parts: ['queue'] }) }),
    );
  });

  it('an old database file that is not valid JSON gets a clear error, is set aside, and nothing else is lost', async () => {
    const dir = await tempDir();
    const file = join(dir, 'db.json');
    const before = new FileStore({ file });
    await before.results.add(docWith([], { id: 'kept' }));
    await before.feedback.record({ reply: { intent: 'faq', answered: true, topics: [] } });
    await writeFile(file, '{"conversations": {tru');
    const logger = recording();
    const store = new FileStore({ file, logger, now: () => 99 });
    const all = await store.read();
    expect(all.benchmarkResults.map((d) => d.id)).toEqual(['kept']);
    expect(all.stats.byIntent).toEqual({ faq: { total: 1, answered: 1 } });
    expect(await readFile(join(dir, 'db.json.corrupt-99'), 'utf8')).toBe('{"conversations": {tru');
    expect(logger.lines).toContainEqual({
      level: 'error',
      msg: expect.stringMatching(/not valid JSON: set aside/),
      fields: { file, aside: join(dir, 'db.json.corrupt-99') },
    });
  });

  it('a corrupted aggregate file gets a clear error and costs only that aggregate', async () => {
    const dir = await tempDir();
    const file = join(dir, 'db.json');
    const before = new FileStore({ file });
    await before.conversations.update('c1', () => ({ updatedAt: 1 }));
    await before.queue.update((runs) => {
      runs.push(run('b1', 'done'));
    });
    await before.results.add(docWith([], { id: 'r1' }));
    await writeFile(storePaths(file).feedback, '{"feedback": [');
    const logger = recording();
    const store = new FileStore({ file, logger });
    const all = await store.read();
    expect(all.feedback).toEqual([]);
    expect(all.conversations).toEqual({ c1: { updatedAt: 1 } });
    expect(all.benchRuns.map((r) => r.id)).toEqual(['b1']);
    expect(all.benchmarkResults.map((d) => d.id)).toEqual(['r1']);
    const aside = (await readdir(dir)).find((f) => f.startsWith('db.feedback.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside as string), 'utf8')).toBe('{"feedback": [');
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ file: storePaths(file).feedback }),
      }),
    );
  });

  it('retries the migration on the next call after one failed (a transient error costs one call, not every call until restart)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'db.json');
    // The old database path cannot be read for now (here: a folder there, EISDIR; in life EACCES, EMFILE…).
    await mkdir(file);
    const store = new FileStore({ file });
    await expect(store.conversations.get('c1')).rejects.toThrow(/cannot read the database file/);
    await expect(store.results.list()).rejects.toThrow(/cannot read the database file/);
    await rmdir(file);
    await store.conversations.update('c1', () => ({ updatedAt: 1 }));
    expect(await store.conversations.get('c1')).toEqual({ updatedAt: 1 });
    expect(await store.results.list()).toEqual([]);
  });
});
