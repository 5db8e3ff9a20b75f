/** Ports: the interfaces the core needs from the outside world; implementations live in src/infra. */

import type { BenchResultDoc } from './bench/result.ts';
import type { BenchRun } from './jobs/bench-run.ts';
import type {
  AppState,
  ConversationState,
  FeedbackRecord,
  FeedbackState,
  UnansweredRecord,
} from './state.ts';

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

/** What one reply or one vote leaves for the admin report. */
export interface FeedbackEntry {
  /** A reply's counts: its intent, whether it answered, the knowledge entries it answered from. */
  reply?: { intent: string; answered: boolean; topics: readonly string[] };
  feedback?: FeedbackRecord;
  unanswered?: UnansweredRecord;
}

/** The admin report's aggregate: feedback, unanswered messages and answer counts (capped). */
export interface FeedbackRepository {
  /** Adds everything in `entry` in one change. */
  record(entry: FeedbackEntry): Promise<void>;
  /** A copy: changing it changes nothing stored. */
  read(): Promise<FeedbackState>;
}

/**
 * Benchmark results, written by the bot's queue and by `tensorduel bench --save` (possibly at the same moment, in
 * two processes): an implementation must never let one writer overwrite another's result.
 */
export interface ResultRepository {
  /** Stores a finished benchmark's result; beyond the cap the oldest are dropped. */
  add(doc: BenchResultDoc): Promise<void>;
  /** Copies of the stored results, oldest first (at most the cap), including other writers' newest. */
  list(): Promise<BenchResultDoc[]>;
}

/** The embedded benchmark queue's runs, oldest first; one process (the bot) writes them. */
export interface QueueRepository {
  /** A copy of the runs. */
  list(): Promise<BenchRun[]>;
  /**
   * Applies `fn` to the runs and persists them (finished runs beyond the cap dropped); calls run one at a time, in
   * order. `fn` should return copies, not the runs it was given.
   */
  update<R>(fn: (runs: BenchRun[]) => R): Promise<R>;
}

/** Everything the app persists, one repository per aggregate (each written on its own). */
export interface AppStore {
  readonly conversations: ConversationMemory;
  readonly feedback: FeedbackRepository;
  readonly results: ResultRepository;
  readonly queue: QueueRepository;
  /** A copy of every aggregate at once, in the single-document shape of before the split (exports, tests). */
  read(): Promise<AppState>;
}

/**
 * What the advisor remembers per conversation (last topic, recommendation profile), shared by every bot replica
 * when they share a backend. Expiry is the advisor's (it reads `updatedAt` with its clock); a backend may also
 * drop what is older than the memory lifetime.
 */
export interface ConversationMemory {
  /** The stored memory of `id` (possibly expired), or undefined. */
  get(id: string): Promise<ConversationState | undefined>;
  /**
   * Replaces the memory of `id` with what `fn` returns from the stored one, atomically per conversation: two
   * updates of one conversation, on any replica, never lose each other (`fn` may run again on a conflict).
   */
  update(id: string, fn: (stored: ConversationState | undefined) => ConversationState): Promise<void>;
}

/** Claims an event key once: true for the first caller (it should answer), false for every duplicate. */
export interface EventClaims {
  claim(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Claims `key` for `leaseMs` only, while its event is answered; undefined for a duplicate. The holder keeps it
   * (`keep`) once the answer is out, or gives it up (`release`) when answering failed, so a retry of the event is
   * answered; a holder that crashed loses it after `leaseMs`. Optional: without it an adapter claims for good.
   */
  lease?(key: string, leaseMs: number): Promise<EventLease | undefined>;
}

/** A claim held while its event is being answered (see `EventClaims.lease`). */
export interface EventLease {
  /** Keeps the claim for `ttlMs` from now: every later duplicate is dropped. */
  keep(ttlMs: number): Promise<void>;
  /** Gives the claim up (only while this holder still has it): the next delivery of the event is answered. */
  release(): Promise<void>;
}

/** Values under short keys that every bot replica can read (what a chat button means); `T` must survive JSON. */
export interface SharedActions<T> {
  put(key: string, action: T): Promise<void>;
  get(key: string): Promise<T | undefined>;
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
