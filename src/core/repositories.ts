/**
 * The repositories of the persisted aggregates over the Store port: each aggregate is its own small document
 * (conversations, the admin report's feedback, the embedded queue's runs, results), so writing one never rewrites
 * another. src/infra/store gives each its own lowdb file (and results a folder); unit tests give them memory.
 */

import type { BenchResultDoc } from './bench/result.ts';
import type { BenchRun } from './jobs/bench-run.ts';
import type {
  ConversationMemory,
  FeedbackEntry,
  FeedbackRepository,
  QueueRepository,
  ResultRepository,
  Store,
} from './ports.ts';
import {
  type ConversationState,
  capConversations,
  capFeedback,
  capRuns,
  type FeedbackState,
  STATE_LIMITS,
} from './state.ts';

/** The conversations aggregate's document. */
export interface ConversationsDoc {
  version: 1;
  conversations: Record<string, ConversationState>;
}

/** The admin report aggregate's document. */
export interface FeedbackDoc extends FeedbackState {
  version: 1;
}

/** The embedded benchmark queue's document. */
export interface QueueDoc {
  version: 1;
  benchRuns: BenchRun[];
}

/** Results kept in one document (one process; the file implementation keeps one file per result instead). */
export interface ResultsDoc {
  version: 1;
  benchmarkResults: BenchResultDoc[];
}

/** A store that can also hand out a part of its document without copying the whole of it (LowdbStore). */
export type PartStore<T> = Store<T> & { select?: <R>(fn: (data: Readonly<T>) => R) => Promise<R> };

/** A copy of `fn` of the document. */
async function part<T, R>(store: PartStore<T>, fn: (data: Readonly<T>) => R): Promise<R> {
  return store.select ? store.select(fn) : structuredClone(fn(await store.read()));
}

/**
 * Conversation memory in its own document: the embedded default, one process. Updates go through the store's one
 * write queue, so none is lost.
 * @example const memory = new StoreConversations(store); await memory.update('slack:C1:1.2', (c) => ({ ...c, updatedAt: Date.now() }));
 */
export class StoreConversations implements ConversationMemory {
  readonly #store: PartStore<ConversationsDoc>;

  constructor(store: PartStore<ConversationsDoc>) {
    this.#store = store;
  }

  async get(id: string): Promise<ConversationState | undefined> {
    // A copy: what the advisor decided on must not change under it.
    return part(this.#store, (s) => s.conversations[id]);
  }

  async update(id: string, fn: (stored: ConversationState | undefined) => ConversationState): Promise<void> {
    await this.#store.update((s) => {
      s.conversations[id] = fn(s.conversations[id]);
      capConversations(s.conversations);
    });
  }
}

/**
 * Feedback, unanswered messages and answer counts for the admin report, in one document.
 * @example await new StoreFeedback(store).record({ reply: { intent: 'faq', answered: true, topics: ['training-speed'] } });
 */
export class StoreFeedback implements FeedbackRepository {
  readonly #store: PartStore<FeedbackDoc>;

  constructor(store: PartStore<FeedbackDoc>) {
    this.#store = store;
  }

  async record(entry: FeedbackEntry): Promise<void> {
    const { reply, feedback, unanswered } = structuredClone(entry);
    await this.#store.update((s) => {
      if (reply) {
        const row = s.stats.byIntent[reply.intent] ?? { total: 0, answered: 0 };
        row.total++;
        if (reply.answered) row.answered++;
        s.stats.byIntent[reply.intent] = row;
        for (const id of reply.topics) s.stats.topics[id] = (s.stats.topics[id] ?? 0) + 1;
      }
      if (feedback) s.feedback.push(feedback);
      if (unanswered) s.unanswered.push(unanswered);
      capFeedback(s);
    });
  }

  read(): Promise<FeedbackState> {
    return part(this.#store, (s) => ({ feedback: s.feedback, unanswered: s.unanswered, stats: s.stats }));
  }
}

/** The embedded benchmark queue's runs in one document (capped on every change). */
export class StoreQueue implements QueueRepository {
  readonly #store: PartStore<QueueDoc>;

  constructor(store: PartStore<QueueDoc>) {
    this.#store = store;
  }

  list(): Promise<BenchRun[]> {
    return part(this.#store, (s) => s.benchRuns);
  }

  update<R>(fn: (runs: BenchRun[]) => R): Promise<R> {
    return this.#store.update((s) => {
      const out = fn(s.benchRuns);
      capRuns(s.benchRuns);
      return out;
    });
  }
}

/**
 * Results in one document, for one process (in-memory stores); the app's file store keeps one file per result so
 * that the CLI and the bot can both write (src/infra/store/FileResults.ts).
 */
export class StoreResults implements ResultRepository {
  readonly #store: PartStore<ResultsDoc>;

  constructor(store: PartStore<ResultsDoc>) {
    this.#store = store;
  }

  async add(doc: BenchResultDoc): Promise<void> {
    const copy = structuredClone(doc);
    await this.#store.update((s) => {
      s.benchmarkResults.push(copy);
      if (s.benchmarkResults.length > STATE_LIMITS.benchmarkResults)
        s.benchmarkResults.splice(0, s.benchmarkResults.length - STATE_LIMITS.benchmarkResults);
    });
  }

  list(): Promise<BenchResultDoc[]> {
    return part(this.#store, (s) => s.benchmarkResults);
  }
}
