import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/core/errors.ts';
import {
  loadIntents,
  loadIntentsAndSlots,
  loadKnowledge,
  loadSlotExamples,
} from '../../src/infra/data-files.ts';

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'td-data-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const good = (id: string, related = '[]') => `entries:
  - id: ${id}
    title: T
    section: Performance
    question: Q?
    alternates: [a1, a2, a3, a4, a5, a6]
    answer: A.
    related: ${related}
`;

describe('data files', () => {
  it('loads the shipped knowledge base and intents', async () => {
    const kb = await loadKnowledge('knowledge');
    expect(kb.length).toBeGreaterThanOrEqual(25);
    for (const e of kb) expect(e.alternates.length).toBeGreaterThanOrEqual(6);
    const intents = await loadIntents('intents');
    expect(intents.map((i) => i.intent).sort()).toEqual([
      'benchmark',
      'faq',
      'followup',
      'help',
      'recommend',
      'smalltalk',
      'unknown',
    ]);
  });

  it('names the file and the field of a schema error', async () => {
    const dir = await dirWith({
      'bad.yaml': good('x').replace('alternates: [a1, a2, a3, a4, a5, a6]', 'alternates: [a1]'),
    });
    await expect(loadKnowledge(dir)).rejects.toThrow(/bad\.yaml.*entries\.0\.alternates.*at least 6/);
  });

  it('rejects YAML syntax errors with the file name', async () => {
    const dir = await dirWith({ 'broken.yaml': 'entries: [ {id: x' });
    const err = await loadKnowledge(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as DataFileError).file).toMatch(/broken\.yaml/);
  });

  it('rejects duplicate ids and dangling related links', async () => {
    await expect(loadKnowledge(await dirWith({ 'a.yaml': good('x'), 'b.yaml': good('x') }))).rejects.toThrow(
      /duplicate id "x"/,
    );
    await expect(loadKnowledge(await dirWith({ 'a.yaml': good('x', '[nope]') }))).rejects.toThrow(
      /entries\.0\.related\.0.*unknown entry id "nope"/,
    );
  });

  it('loads the shipped slot-labelled examples beside the intents, and names a bad slot value', async () => {
    const slots = await loadSlotExamples('intents');
    expect(slots.length).toBeGreaterThan(1000);
    expect(slots.some((e) => e.experience === 'beginner')).toBe(true);
    const dir = await dirWith({
      'help.yaml': 'intent: help\ndescription: d\nexamples: [a, b, c, d, e]\n',
      'slots.yaml': `slots:\n${Array.from({ length: 20 }, (_, i) => `  - text: t${i}\n    goal: research\n`).join('')}  - text: bad\n    goal: fun\n`,
    });
    // The intents of the folder still load: a slot file is not an intent file.
    expect((await loadIntents(dir)).map((i) => i.intent)).toEqual(['help']);
    await expect(loadSlotExamples(dir)).rejects.toThrow(/slots\.yaml: field "slots\.20\.goal"/);
  });

  it('loads the shipped turn-labelled follow-ups beside the intents, and names a bad turn label', async () => {
    const { intents, turns } = await loadIntentsAndSlots('intents');
    expect(intents.map((i) => i.intent)).not.toContain(undefined);
    for (const label of ['why', 'other-framework', 'verdict-again', 'aspect', 'instead', 'later', 'also'])
      expect(turns.filter((t) => t.turn === label).length).toBeGreaterThanOrEqual(20);
    const dir = await dirWith({
      'help.yaml': 'intent: help\ndescription: d\nexamples: [a, b, c, d, e]\n',
      'turns.yaml': 'turns:\n  why: [a, b, c, d, e]\n  sideways: [a, b, c, d, e]\n',
    });
    // A turn file is not an intent file either.
    await expect(loadIntentsAndSlots(dir)).rejects.toThrow(/turns\.yaml: field "turns".*sideways/);
    const ok = await dirWith({
      'help.yaml': 'intent: help\ndescription: d\nexamples: [a, b, c, d, e]\n',
      'turns.yaml': 'turns:\n  why: [a, b, c, d, e]\n',
    });
    const loaded = await loadIntentsAndSlots(ok);
    expect(loaded.intents.map((i) => i.intent)).toEqual(['help']);
    expect(loaded.turns).toEqual(['a', 'b', 'c', 'd', 'e'].map((text) => ({ text, turn: 'why' })));
  });

  it('rejects an intent file with an unknown intent name', async () => {
    const dir = await dirWith({ 'i.yaml': 'intent: weather\ndescription: d\nexamples: [a, b, c, d, e]\n' });
    await expect(loadIntents(dir)).rejects.toThrow(/i\.yaml: field "intent"/);
  });
});
