/** An in-memory Store double for unit tests. */
import type { Store } from '../../src/core/ports.ts';

/** Keeps the document in memory; `writes` counts updates. */
export class MemoryStore<T> implements Store<T> {
  writes = 0;
  constructor(public data: T) {}
  async read(): Promise<T> {
    return this.data;
  }
  async update<R>(fn: (data: T) => R): Promise<R> {
    this.writes++;
    return fn(this.data);
  }
}
