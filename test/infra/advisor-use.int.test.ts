import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { replyText } from '../../src/core/types.ts';
import { type AdvisorHandle, buildAdvisor } from '../../src/infra/build-advisor.ts';
import { UseLiteEmbedder } from '../../src/infra/embedders/UseLiteEmbedder.ts';

// The real Universal Sentence Encoder lite (npm weights), the real knowledge base, a real lowdb file.
const embedder = new UseLiteEmbedder();
let handle: AdvisorHandle;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'td-int-'));
  await cp('knowledge', join(dir, 'knowledge'), { recursive: true });
  // The project's caches (embeddings, trained heads), when a run before left them, seed this run's own copy: a
  // cold USE lite embedding of ~2,700 texts takes minutes on a loaded machine. Nothing here writes back to them.
  await cp(loadConfig({}).TENSORDUEL_CACHE_DIR, join(dir, 'cache'), { recursive: true }).catch(() => {});
  const config = loadConfig({
    TENSORDUEL_DB_FILE: join(dir, 'db.json'),
    TENSORDUEL_CACHE_DIR: join(dir, 'cache'),
    TENSORDUEL_KNOWLEDGE_DIR: join(dir, 'knowledge'),
  });
  handle = await buildAdvisor(config, undefined, { embedder });
}, 600_000); // a hang guard, not a speed bound: a cold cache on a loaded 2-core machine takes minutes
afterAll(() => handle?.close());

const ask = (text: string, conversationId = `int:${Math.random()}`) =>
  handle.advisor.handle({ conversationId, userId: 'int:user', text });

describe('advisor on the real sentence encoder', () => {
  it.each([
    ['is torch snappier when serving predictions?', 'inference-speed'],
    ['which one should a newbie learn first, easier to pick up?', 'learning-curve'],
    ['static or dynamic graphs, who uses which', 'computational-graph'],
    ['can I mix tensorflow and pytorch in one project', 'use-together'],
    ['show me the pytorch code sample from the article', 'code-pytorch-example'],
  ])('answers the paraphrase "%s" from %s and cites its section', async (question, id) => {
    const r = await ask(question);
    expect(r.intent).toBe('faq');
    expect(r.sources[0]?.id).toBe(id);
    expect(r.sources[0]?.section.length).toBeGreaterThan(0);
  });

  it('shows the article code as a code block with the marked correction', async () => {
    const r = await ask('show me the tensorflow example code from the article');
    expect(r.sources[0]?.id).toBe('code-tensorflow-example');
    expect(r.parts.some((p) => p.type === 'code' && p.code.includes('tf.Session()'))).toBe(true);
    expect(replyText(r)).toMatch(/Today:/);
  });

  it.each([
    'what is the weather like in Lisbon tomorrow?',
    'git rebase or merge for our feature branches?',
    'how do I add an index to a jsonb column in postgres',
    'give me a good lasagna recipe',
    'which laptop should our team buy',
    'git rebase vs merge, which should our team use',
  ])('answers the off-topic "%s" as out of scope', async (question) => {
    const r = await ask(question);
    expect(r.intent).toBe('unknown');
    expect(r.sources).toEqual([]);
    expect(replyText(r)).toMatch(/outside what I can answer/);
  });

  it('asks a clarifying question for a choice that names nothing ("what should we use?")', async () => {
    const r = await ask('what should we use?');
    expect(r.intent).toBe('recommend');
    expect(r.kind).toBe('clarify');
  });

  it('recognises a benchmark request and never starts one', async () => {
    const r = await ask('benchmark tensorflow vs pytorch on my gpu');
    expect(r.intent).toBe('benchmark');
    expect(replyText(r)).toMatch(/tensorduel bench/);
  });

  it('runs a multi-turn recommendation, persisted in the conversations file, and a new conversation starts fresh', async () => {
    const c = 'int:rec';
    const first = await ask('help me choose a framework for my team', c);
    expect(first.intent).toBe('recommend');
    expect(first.framework).toBeNull();
    // Conversations have their own file beside the configured database file.
    const db = JSON.parse(await readFile(join(dir, 'db.conversations.json'), 'utf8'));
    expect(db.conversations[c].recommendation.pending).toBe('goal');

    let reply = await ask('production', c);
    const seen = [first.parts, reply.parts];
    for (const answer of ['one machine', 'computer vision', 'experienced']) {
      if (reply.framework !== null) break;
      reply = await ask(answer, c);
      seen.push(reply.parts);
    }
    expect(reply.intent).toBe('recommend');
    expect(reply.framework).toBe('tensorflow');
    expect(reply.sources.length).toBeGreaterThan(0);

    // A new thread starts fresh: nothing of the first conversation's profile or pending question carries over.
    const fresh = await ask('production', 'int:rec-new-thread');
    expect(fresh.explain?.some((e) => e.decision.includes('pending'))).toBe(false);
    expect(replyText(fresh)).not.toMatch(/one machine|computer vision|experienced/);
  });

  it('explains the trade-off when the project pulls both ways', async () => {
    const r = await ask(
      'we are an experienced team doing language model research that must train distributed across a big cluster, which framework?',
    );
    expect(r.intent).toBe('recommend');
    expect(r.framework).not.toBeNull();
    expect(replyText(r)).toMatch(/Trade-off/);
  });

  it.each([
    ['empty', ''],
    ['whitespace', '   \n\t  '],
    ['emoji only', '🤖🔥'],
    ['100 KB', 'tensorflow '.repeat(9400)],
    ['control characters', '\u0000\u0001\u001b[31mwhich\u0007 trains faster?'],
  ])('gives a clear reply to a hostile %s message', async (_name, text) => {
    const r = await ask(text);
    expect(replyText(r).length).toBeGreaterThan(10);
    expect(replyText(r)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('re-embeds only the changed entry after a knowledge file changes', async () => {
    expect(handle.cacheStats.hits + handle.cacheStats.misses).toBeGreaterThan(100);
    await handle.reload();
    expect(handle.cacheStats.misses).toBe(0);
    const file = join(dir, 'knowledge', 'comparison.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/question: (.*)\n/, 'question: $1 (edited)\n'));
    await handle.reload();
    expect(handle.cacheStats.misses).toBe(1);
  });
});
