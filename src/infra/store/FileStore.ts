/**
 * The app's store on disk: one repository per aggregate, each with its own file and its own writer, beside the
 * configured database file (`data/tensorduel.json` → `data/tensorduel.conversations.json`, `….feedback.json`,
 * `….bench-queue.json` and the folder `….results/`).
 *
 * One lowdb file per aggregate rather than one file with independent writers: lowdb rewrites a file whole, so a
 * burst of answers rewrites only the small conversations and feedback files, never the results or the queue; a
 * corrupted file costs its own aggregate only (it is set aside, the others keep serving); and the results, which
 * two processes write (`tensorduel bench --save` and the bot), can take a shape with no single writer at all
 * (FileResults: one file per result). The conversations, feedback and queue files have one writer: the bot.
 */
import { basename, dirname, join } from 'node:path';
import type { AppStore, Logger, ResultRepository } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import {
  type ConversationsDoc,
  type FeedbackDoc,
  type PartStore,
  type QueueDoc,
  StoreConversations,
  StoreFeedback,
  StoreQueue,
} from '../../core/repositories.ts';
import type { AppState } from '../../core/state.ts';
import { FileResults } from './FileResults.ts';
import { LowdbStore } from './LowdbStore.ts';
import { migrateSingleFile, type StorePaths } from './migrate.ts';

/**
 * Where each aggregate of the database `file` lives.
 * @example storePaths('data/tensorduel.json').results // → 'data/tensorduel.results'
 */
export function storePaths(file: string): StorePaths {
  const dir = dirname(file);
  const stem = basename(file).replace(/\.json$/i, '') || 'tensorduel';
  return {
    legacy: file,
    conversations: join(dir, `${stem}.conversations.json`),
    feedback: join(dir, `${stem}.feedback.json`),
    queue: join(dir, `${stem}.bench-queue.json`),
    results: join(dir, `${stem}.results`),
  };
}

const record = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const array = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/**
 * The file store. Nothing is read until first use; then a single-file database of before is split first
 * (src/infra/store/migrate.ts).
 * @example const store = new FileStore({ file: 'data/tensorduel.json' }); await store.results.list();
 */
export class FileStore implements AppStore {
  readonly paths: StorePaths;
  readonly conversations: StoreConversations;
  readonly feedback: StoreFeedback;
  readonly queue: StoreQueue;
  readonly results: ResultRepository;
  readonly #files: FileResults;
  readonly #lowdb: {
    conversations: LowdbStore<ConversationsDoc>;
    feedback: LowdbStore<FeedbackDoc>;
    queue: LowdbStore<QueueDoc>;
  };
  readonly #migrate: () => Promise<void>;

  constructor(options: { file: string; logger?: Logger; now?: () => number }) {
    const logger = options.logger ?? silentLogger;
    const now = options.now ?? Date.now;
    this.paths = storePaths(options.file);
    this.#files = new FileResults({ dir: this.paths.results, now, logger });
    let migrated: Promise<void> | undefined;
    this.#migrate = () => {
      // A failed migration is not kept: the next call tries again (a transient EACCES or ENOSPC costs one call).
      migrated ??= migrateSingleFile(this.paths, this.#files, logger, now).catch((err: unknown) => {
        migrated = undefined;
        throw err;
      });
      return migrated;
    };
    this.#lowdb = {
      conversations: new LowdbStore<ConversationsDoc>({
        file: this.paths.conversations,
        defaults: () => ({ version: 1, conversations: {} }),
        normalize: (d) => ({ version: 1, conversations: record(d.conversations) ? d.conversations : {} }),
        logger,
      }),
      feedback: new LowdbStore<FeedbackDoc>({
        file: this.paths.feedback,
        defaults: () => ({ version: 1, feedback: [], unanswered: [], stats: { byIntent: {}, topics: {} } }),
        normalize: (d) => ({
          version: 1,
          feedback: array(d.feedback),
          unanswered: array(d.unanswered),
          stats: {
            byIntent: record(d.stats?.byIntent) ? d.stats.byIntent : {},
            topics: record(d.stats?.topics) ? d.stats.topics : {},
          },
        }),
        logger,
      }),
      queue: new LowdbStore<QueueDoc>({
        file: this.paths.queue,
        defaults: () => ({ version: 1, benchRuns: [] }),
        normalize: (d) => ({ version: 1, benchRuns: array(d.benchRuns) }),
        logger,
      }),
    };
    this.conversations = new StoreConversations(this.#afterMigration(this.#lowdb.conversations));
    this.feedback = new StoreFeedback(this.#afterMigration(this.#lowdb.feedback));
    this.queue = new StoreQueue(this.#afterMigration(this.#lowdb.queue));
    this.results = {
      add: async (doc) => {
        await this.#migrate();
        await this.#files.add(doc);
      },
      list: async () => {
        await this.#migrate();
        return this.#files.list();
      },
    };
  }

  async read(): Promise<AppState> {
    await this.#migrate();
    const [c, f, q, results] = await Promise.all([
      this.#lowdb.conversations.read(),
      this.#lowdb.feedback.read(),
      this.#lowdb.queue.read(),
      this.#files.list(),
    ]);
    return {
      version: 1,
      conversations: c.conversations,
      feedback: f.feedback,
      unanswered: f.unanswered,
      stats: f.stats,
      benchmarkResults: results,
      benchRuns: q.benchRuns,
    };
  }

  /** `store`, whose every call first waits for the migration (calls keep their order: they await one promise). */
  #afterMigration<T extends object>(store: LowdbStore<T>): PartStore<T> {
    return {
      read: async () => {
        await this.#migrate();
        return store.read();
      },
      update: async (fn) => {
        await this.#migrate();
        return store.update(fn);
      },
      select: async (fn) => {
        await this.#migrate();
        return store.select(fn);
      },
    };
  }
}
