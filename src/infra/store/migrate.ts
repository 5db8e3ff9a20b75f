/**
 * The one-time split of the single-file database of before (conversations, feedback, results and the queue in one
 * lowdb document) into one file per aggregate. Safe to run twice and from two processes at once: every part is
 * created only where none exists yet, and the old file is renamed aside last, never deleted.
 */
import { readFile, rename } from 'node:fs/promises';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import { ErrorCode, TensorDuelError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { type AppState, emptyState } from '../../core/state.ts';
import { createOnce } from './create-once.ts';
import type { FileResults } from './FileResults.ts';

/** Where each aggregate lives: beside the configured database file, named after it. */
export interface StorePaths {
  /** The configured TENSORDUEL_DB_FILE: the single-file database of before, read once by the migration. */
  legacy: string;
  conversations: string;
  feedback: string;
  queue: string;
  /** A folder, one file per result. */
  results: string;
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The old document with every field present (older files lack some); undefined when it is not a JSON object. */
export function parseLegacy(text: string): AppState | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(data)) return undefined;
  const base = emptyState();
  const list = <K extends 'feedback' | 'unanswered' | 'benchmarkResults' | 'benchRuns'>(k: K): AppState[K] =>
    (Array.isArray(data[k]) ? data[k] : base[k]) as AppState[K];
  const stats = isObject(data.stats) ? (data.stats as Partial<AppState['stats']>) : {};
  return {
    version: 1,
    conversations: (isObject(data.conversations) ? data.conversations : {}) as AppState['conversations'],
    feedback: list('feedback'),
    unanswered: list('unanswered'),
    benchmarkResults: list('benchmarkResults'),
    benchRuns: list('benchRuns'),
    stats: {
      byIntent: isObject(stats.byIntent) ? stats.byIntent : {},
      topics: isObject(stats.topics) ? stats.topics : {},
    },
  };
}

/**
 * Splits `paths.legacy` into the aggregates' files when it exists, then renames it `<file>.migrated-<time>` (kept:
 * nothing is deleted). An aggregate whose file already exists keeps it (it is newer); that is logged. A file that
 * is not valid JSON is renamed `<file>.corrupt-<time>` with an error naming both, and the store starts from the
 * aggregates as they are.
 */
export async function migrateSingleFile(
  paths: StorePaths,
  results: FileResults,
  logger: Logger,
  now: () => number,
): Promise<void> {
  let text: string;
  try {
    text = await readFile(paths.legacy, 'utf8');
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    throw new TensorDuelError(ErrorCode.Storage, `cannot read the database file ${paths.legacy}`, {
      cause: err,
    });
  }
  const old = parseLegacy(text);
  if (!old) {
    const aside = `${paths.legacy}.corrupt-${now()}`;
    await setAside(paths.legacy, aside);
    logger.error(
      'database file is not valid JSON: set aside unread (nothing deleted); every other stored part is kept',
      { file: paths.legacy, aside },
    );
    return;
  }
  const parts: Array<[keyof StorePaths, string, object]> = [
    ['conversations', paths.conversations, { version: 1, conversations: old.conversations }],
    [
      'feedback',
      paths.feedback,
      { version: 1, feedback: old.feedback, unanswered: old.unanswered, stats: old.stats },
    ],
    ['queue', paths.queue, { version: 1, benchRuns: old.benchRuns }],
  ];
  const kept: string[] = [];
  try {
    for (const [name, file, doc] of parts)
      if (!(await createOnce(file, JSON.stringify(doc, null, 2)))) kept.push(name);
    await results.importOnce(old.benchmarkResults as BenchResultDoc[]);
  } catch (err) {
    throw new TensorDuelError(
      ErrorCode.Storage,
      `cannot split ${paths.legacy} into one file per aggregate (it is left as it was)`,
      { cause: err },
    );
  }
  const aside = `${paths.legacy}.migrated-${now()}`;
  await setAside(paths.legacy, aside);
  logger.info('database split into one file per aggregate; the old file is kept', {
    from: paths.legacy,
    kept: aside,
    conversations: Object.keys(old.conversations).length,
    feedback: old.feedback.length,
    unanswered: old.unanswered.length,
    results: old.benchmarkResults.length,
    runs: old.benchRuns.length,
  });
  if (kept.length > 0)
    logger.warn(
      'these parts already had their own file, which was kept; the old values are in the kept file',
      {
        parts: kept,
        kept: aside,
      },
    );
}

/** Renames `file` to `aside`; another process that got there first is fine. */
async function setAside(file: string, aside: string): Promise<void> {
  try {
    await rename(file, aside);
  } catch (err) {
    if (code(err) !== 'ENOENT')
      throw new TensorDuelError(ErrorCode.Storage, `cannot rename ${file} to ${aside}`, { cause: err });
  }
}
