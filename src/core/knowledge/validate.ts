/** Validation of parsed data files into typed values, with errors that name the file and the field. */
import type { z } from 'zod';
import { DataFileError } from '../errors.ts';
import {
  type IntentDefinition,
  intentFileSchema,
  type KnowledgeEntry,
  knowledgeFileSchema,
  type SlotExample,
  slotFileSchema,
  type TurnExample,
  turnFileSchema,
} from './schema.ts';

/**
 * Slot-labelled files hold `slots:` (the slot extractor's data), turn-labelled files `turns:` (the turn head's);
 * every other file of intents/ is an intent.
 */
const holds = (key: string) => (data: unknown) => typeof data === 'object' && data !== null && key in data;
const isSlotFile = holds('slots');
const isTurnFile = holds('turns');

/** Parses `data` with `schema`, or throws a DataFileError naming `file` and the first failing field. */
export function parseDataFile<S extends z.ZodType>(schema: S, file: string, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new DataFileError(file, field, issue?.message ?? 'invalid');
}

/** A knowledge base: entries from every file, checked for duplicate ids and dangling `related` links. */
export function buildKnowledgeBase(files: ReadonlyArray<{ file: string; data: unknown }>): KnowledgeEntry[] {
  const entries: KnowledgeEntry[] = [];
  const seen = new Map<string, string>();
  for (const { file, data } of files) {
    const parsed = parseDataFile(knowledgeFileSchema, file, data);
    parsed.entries.forEach((entry, i) => {
      const other = seen.get(entry.id);
      if (other)
        throw new DataFileError(file, `entries.${i}.id`, `duplicate id "${entry.id}" (also in ${other})`);
      seen.set(entry.id, file);
      entries.push(entry);
    });
  }
  if (entries.length === 0) throw new DataFileError('knowledge/', '(root)', 'no knowledge files found');
  for (const { file, data } of files) {
    const parsed = knowledgeFileSchema.parse(data);
    parsed.entries.forEach((entry, i) => {
      entry.related.forEach((rel, j) => {
        if (!seen.has(rel))
          throw new DataFileError(file, `entries.${i}.related.${j}`, `unknown entry id "${rel}"`);
      });
    });
  }
  return entries;
}

/** Intent definitions from every file; each intent defined once. */
export function buildIntents(files: ReadonlyArray<{ file: string; data: unknown }>): IntentDefinition[] {
  const seen = new Set<string>();
  return files
    .filter(({ data }) => !isSlotFile(data) && !isTurnFile(data))
    .map(({ file, data }) => {
      const def = parseDataFile(intentFileSchema, file, data);
      if (seen.has(def.intent))
        throw new DataFileError(file, 'intent', `intent "${def.intent}" is defined twice`);
      seen.add(def.intent);
      return def;
    });
}

/** The slot-labelled examples of every slot file (none when the folder has no such file). */
export function buildSlotExamples(files: ReadonlyArray<{ file: string; data: unknown }>): SlotExample[] {
  return files
    .filter(({ data }) => isSlotFile(data))
    .flatMap(({ file, data }) => parseDataFile(slotFileSchema, file, data).slots);
}

/** The turn-labelled examples of every turn file (none when the folder has no such file). */
export function buildTurnExamples(files: ReadonlyArray<{ file: string; data: unknown }>): TurnExample[] {
  return files
    .filter(({ data }) => isTurnFile(data))
    .flatMap(({ file, data }) =>
      Object.entries(parseDataFile(turnFileSchema, file, data).turns).flatMap(([turn, texts]) =>
        (texts ?? []).map((text) => ({ text, turn: turn as TurnExample['turn'] })),
      ),
    );
}
