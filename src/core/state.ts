/** What TensorDuel persists: conversations, feedback and report counts, benchmark results and runs (one repository each, see ports.ts). */

import type { BenchResultDoc } from './bench/result.ts';
import type { BenchRun } from './jobs/bench-run.ts';
import type { AppStore, ConversationMemory } from './ports.ts';
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

/** The admin report's aggregate: 👍/👎, messages not answered well, and answer counts. */
export interface FeedbackState {
  feedback: FeedbackRecord[];
  /** Unanswered and 👎 messages, newest last (capped). */
  unanswered: UnansweredRecord[];
  stats: AnswerStats;
}

/**
 * Everything stored, as one document: the single `db.json` format of before the split into one repository per
 * aggregate (still read once, by the migration), and the shape of `AppStore.read()`'s copy of all aggregates.
 */
export interface AppState extends FeedbackState {
  version: 1;
  conversations: Record<string, ConversationState>;
  /** Benchmark result documents (src/core/bench/result.ts), newest last (capped). */
  benchmarkResults: BenchResultDoc[];
  /** Benchmark runs requested from chat: the persistent queue and its history, oldest first (capped). */
  benchRuns: BenchRun[];
}

/** Caps that keep each aggregate's file small (lowdb rewrites a file whole on every write). */
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

/** Drops the conversations idle longest beyond the cap. */
export function capConversations(conversations: Record<string, ConversationState>): void {
  const ids = Object.keys(conversations);
  if (ids.length <= STATE_LIMITS.conversations) return;
  const oldest = ids
    .sort((a, b) => (conversations[a]?.updatedAt ?? 0) - (conversations[b]?.updatedAt ?? 0))
    .slice(0, ids.length - STATE_LIMITS.conversations);
  for (const id of oldest) delete conversations[id];
}

/** Drops the oldest feedback and unanswered records beyond the caps. */
export function capFeedback(state: FeedbackState): void {
  if (state.feedback.length > STATE_LIMITS.feedback)
    state.feedback.splice(0, state.feedback.length - STATE_LIMITS.feedback);
  if (state.unanswered.length > STATE_LIMITS.unanswered)
    state.unanswered.splice(0, state.unanswered.length - STATE_LIMITS.unanswered);
}

/** Drops the oldest finished runs beyond the cap: queued and running ones survive any cap. */
export function capRuns(runs: BenchRun[]): void {
  while (runs.length > STATE_LIMITS.benchRuns) {
    const i = runs.findIndex((r) => r.status !== 'queued' && r.status !== 'running');
    if (i < 0) break;
    runs.splice(i, 1);
  }
}

/**
 * The conversation memory of a store (kept so callers that take the whole store need not know where it lives).
 * @example const memory = conversationsIn(store); await memory.get('slack:C1:1.2');
 */
export function conversationsIn(store: Pick<AppStore, 'conversations'>): ConversationMemory {
  return store.conversations;
}
