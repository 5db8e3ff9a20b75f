/** The persisted application state (one lowdb JSON file): conversations, feedback, benchmark history. */

import type { BenchResultDoc } from './bench/result.ts';
import type { BenchRun } from './jobs/bench-run.ts';
import type { ConversationMemory, Store } from './ports.ts';
import type { Intent } from './types.ts';

/** Slots the recommendation dialogue fills from free text. */
export interface RecommendationSlots {
  domain?: 'vision' | 'language' | 'multimodal' | 'reinforcement-learning' | 'other';
  scale?: 'large-distributed' | 'single-machine';
  goal?: 'research' | 'production';
  experience?: 'beginner' | 'experienced';
}

/** The recommendation profile of a conversation: the facts known so far and the last verdict given. */
export interface RecommendationProfile {
  slots: RecommendationSlots;
  asked: Array<keyof RecommendationSlots>;
  /** The slot of a clarifying question waiting for its answer. */
  pending?: keyof RecommendationSlots;
  /** The last verdict given, so later facts can say what changed. */
  verdict?: 'tensorflow' | 'pytorch' | 'either';
  /** The slots the latest turn set (a "what if … instead" replaces them). */
  added?: Array<keyof RecommendationSlots>;
}

/** What the last reply was about, for elliptical follow-ups ("and at inference time?", "why?"). */
export interface LastTurn {
  /** The user's message (corrected), read together with an elliptical follow-up. */
  question: string;
  kind: 'answer' | 'composite' | 'suggest' | 'verdict' | 'clarify' | 'other';
  /** Knowledge entries the reply answered from (or offered), best first. */
  entries: string[];
  at: number;
}

/** What the core remembers about one conversation; it expires after a period of inactivity. */
export interface ConversationState {
  /** The recommendation profile, kept across answers until the conversation expires. */
  recommendation?: RecommendationProfile;
  /** The last turn the advisor answered. */
  last?: LastTurn;
  /** Recent topics, newest first (at most 5). */
  topics?: string[];
  lastIntent?: Intent;
  updatedAt: number;
}

/** One 👍/👎 on an answer. */
export interface FeedbackRecord {
  at: number;
  conversationId: string;
  userId: string;
  entryId: string;
  question: string;
  vote: 'up' | 'down';
}

/** A message TensorDuel could not answer well (out of scope, ambiguous, or rated 👎), for the admin report. */
export interface UnansweredRecord {
  at: number;
  /** A hash of the conversation id: enough to group turns, never the platform ids. */
  conversation: string;
  /** The message, token-shaped substrings redacted, at most 300 characters. */
  question: string;
  reason: 'out-of-scope' | 'ambiguous' | 'thumbs-down';
  /** The entry it was closest to, or rated. */
  topic?: string;
  /** The turn before, for context (redacted, capped). */
  previous?: string;
}

/** Running counts for the admin report: replies by intent and outcome, and topics answered. */
export interface AnswerStats {
  byIntent: Record<string, { total: number; answered: number }>;
  topics: Record<string, number>;
}

/** The whole persisted document. */
export interface AppState {
  version: 1;
  conversations: Record<string, ConversationState>;
  feedback: FeedbackRecord[];
  /** Benchmark result documents (src/core/bench/result.ts), newest last (capped). */
  benchmarkResults: BenchResultDoc[];
  /** Benchmark runs requested from chat: the persistent queue and its history, oldest first (capped). */
  benchRuns: BenchRun[];
  /** Unanswered and 👎 messages, newest last (capped). */
  unanswered: UnansweredRecord[];
  stats: AnswerStats;
}

/** Caps that keep the lowdb file small (it is rewritten whole on every write). */
export const STATE_LIMITS = {
  conversations: 2000,
  feedback: 5000,
  benchmarkResults: 50,
  benchRuns: 200,
  unanswered: 500,
} as const;

/** A fresh, empty state. */
export function emptyState(): AppState {
  return {
    version: 1,
    conversations: {},
    feedback: [],
    benchmarkResults: [],
    benchRuns: [],
    unanswered: [],
    stats: { byIntent: {}, topics: {} },
  };
}

/** Drops the oldest conversations and records beyond the caps. */
export function capState(state: AppState): void {
  const ids = Object.keys(state.conversations);
  if (ids.length > STATE_LIMITS.conversations) {
    const oldest = ids
      .sort((a, b) => (state.conversations[a]?.updatedAt ?? 0) - (state.conversations[b]?.updatedAt ?? 0))
      .slice(0, ids.length - STATE_LIMITS.conversations);
    for (const id of oldest) delete state.conversations[id];
  }
  if (state.feedback.length > STATE_LIMITS.feedback)
    state.feedback.splice(0, state.feedback.length - STATE_LIMITS.feedback);
  // Only finished runs are dropped: queued and running ones must survive any cap.
  while (state.benchRuns.length > STATE_LIMITS.benchRuns) {
    const i = state.benchRuns.findIndex((r) => r.status !== 'queued' && r.status !== 'running');
    if (i < 0) break;
    state.benchRuns.splice(i, 1);
  }
  if (state.unanswered.length > STATE_LIMITS.unanswered)
    state.unanswered.splice(0, state.unanswered.length - STATE_LIMITS.unanswered);
  if (state.benchmarkResults.length > STATE_LIMITS.benchmarkResults)
    state.benchmarkResults.splice(0, state.benchmarkResults.length - STATE_LIMITS.benchmarkResults);
}

/** A store that can also hand out a part of its document without copying the whole of it (LowdbStore). */
type PartStore = Store<AppState> & { select?: <R>(fn: (data: Readonly<AppState>) => R) => Promise<R> };

/**
 * Conversation memory in the app's own store (`state.conversations`, capped with the rest of the document): the
 * embedded default, one process. Updates go through the store's one write queue, so none is lost.
 * @example const memory = new StoreConversations(store); await memory.update('slack:C1:1.2', (c) => ({ ...c, updatedAt: Date.now() }));
 */
export class StoreConversations implements ConversationMemory {
  readonly #store: PartStore;

  constructor(store: Store<AppState>) {
    this.#store = store;
  }

  async get(id: string): Promise<ConversationState | undefined> {
    const pick = (s: Readonly<AppState>) => s.conversations[id];
    const stored = this.#store.select ? await this.#store.select(pick) : pick(await this.#store.read());
    // A copy: what the advisor decided on must not change under it.
    return stored && structuredClone(stored);
  }

  async update(id: string, fn: (stored: ConversationState | undefined) => ConversationState): Promise<void> {
    await this.#store.update((s) => {
      s.conversations[id] = fn(s.conversations[id]);
      capState(s);
    });
  }
}

const defaultMemories = new WeakMap<Store<AppState>, ConversationMemory>();

/** The conversation memory in `store` (one per store, so every caller shares it). */
export function conversationsIn(store: Store<AppState>): ConversationMemory {
  let memory = defaultMemories.get(store);
  if (!memory) {
    memory = new StoreConversations(store);
    defaultMemories.set(store, memory);
  }
  return memory;
}
