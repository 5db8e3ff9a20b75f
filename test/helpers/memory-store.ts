/** An in-memory store double for unit tests: every repository over one document, the shape of `AppStore.read()`. */
import type { AppStore, Store } from '../../src/core/ports.ts';
import { StoreConversations, StoreFeedback, StoreQueue, StoreResults } from '../../src/core/repositories.ts';
import type { AppState } from '../../src/core/state.ts';

/**
 * Keeps the document in memory (`data`, live, for assertions); the repositories are the core's, over it. `read()`
 * hands out copies like the file store; `writes` counts changes to any aggregate.
 */
export class MemoryStore<T extends AppState = AppState> implements Store<T>, AppStore {
  writes = 0;
  readonly conversations = new StoreConversations(this);
  readonly feedback = new StoreFeedback(this);
  readonly queue = new StoreQueue(this);
  readonly results = new StoreResults(this);
  constructor(public data: T) {}
  async read(): Promise<T> {
    return structuredClone(this.data);
  }
  async update<R>(fn: (data: T) => R): Promise<R> {
    this.writes++;
    return fn(this.data);
  }
}
