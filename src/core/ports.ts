/** Ports: the interfaces the core needs from the outside world; implementations live in src/infra. */

/** Turns sentences into unit-length vectors. */
export interface Embedder {
  /** Stable id of the model, used as part of the embedding cache key. */
  readonly modelId: string;
  /** Vector length. Known after `ready()`. */
  readonly dimensions: number;
  ready(): Promise<void>;
  /** One L2-normalised vector per input text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/** A small JSON document store (lowdb-shaped): read the whole document, or change it through one queue. */
export interface Store<T> {
  read(): Promise<T>;
  /** Applies `fn` to the current document and persists it; calls run one at a time, in order. */
  update<R>(fn: (data: T) => R): Promise<R>;
}

/** Wall clock, injectable for tests. */
export interface Clock {
  now(): number;
}

/** Structured logger; implementations must redact secrets. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A logger that drops everything (tests, `--json` CLI output). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
