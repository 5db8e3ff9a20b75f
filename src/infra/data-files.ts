/** Reads the YAML/JSON data folders (knowledge/, intents/) from disk and validates them. */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DataFileError } from '../core/errors.ts';
import type { IntentDefinition, KnowledgeEntry, SlotExample, TurnExample } from '../core/knowledge/schema.ts';
import {
  buildIntents,
  buildKnowledgeBase,
  buildSlotExamples,
  buildTurnExamples,
} from '../core/knowledge/validate.ts';

/** Parsed contents of every .yaml/.yml/.json file in `dir`, sorted by name; raw text kept for hashing. */
export async function readDataDir(dir: string): Promise<Array<{ file: string; data: unknown; raw: string }>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/i.test(n)).sort();
  } catch (err) {
    throw new DataFileError(dir, '(folder)', 'cannot read the folder', { cause: err });
  }
  const shown = (name: string) => relative(process.cwd(), join(dir, name)) || basename(name);
  return Promise.all(
    names.map(async (name) => {
      const raw = await readFile(join(dir, name), 'utf8');
      let data: unknown;
      try {
        data = name.endsWith('.json') ? JSON.parse(raw) : parseYaml(raw);
      } catch (err) {
        const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
        throw new DataFileError(
          shown(name),
          '(syntax)',
          `not valid ${name.endsWith('.json') ? 'JSON' : 'YAML'}: ${detail}`,
          {
            cause: err,
          },
        );
      }
      return { file: shown(name), data, raw };
    }),
  );
}

/** The validated knowledge base in `dir`. */
export async function loadKnowledge(dir: string): Promise<KnowledgeEntry[]> {
  return buildKnowledgeBase(await readDataDir(dir));
}

/** The validated intent definitions in `dir`. */
export async function loadIntents(dir: string): Promise<IntentDefinition[]> {
  return buildIntents(await readDataDir(dir));
}

/** The slot-labelled examples in `dir` (intents/slots.yaml): the learned slot extractor's training data. */
export async function loadSlotExamples(dir: string): Promise<SlotExample[]> {
  return buildSlotExamples(await readDataDir(dir));
}

/** The intent definitions and the slot- and turn-labelled examples of `dir`, from one read of the folder. */
export async function loadIntentsAndSlots(
  dir: string,
): Promise<{ intents: IntentDefinition[]; slots: SlotExample[]; turns: TurnExample[] }> {
  const files = await readDataDir(dir);
  return { intents: buildIntents(files), slots: buildSlotExamples(files), turns: buildTurnExamples(files) };
}
