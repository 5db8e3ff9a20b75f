/**
 * The admin report's records shared by bot replicas (TENSORDUEL_REDIS_URL), so that `/report` on any replica
 * reports what every replica answered: the 👍/👎 votes and the unanswered messages as two capped lists (RPUSH then
 * LTRIM to the store's caps), the answer counts by intent and the topics as two hashes (HINCRBY), each change in
 * one MULTI. Questions are stored redacted (nothing token-shaped, src/core/redact.ts) and cut to 300 characters.
 *
 * Every record also goes to this replica's own repository (its lowdb file, as without Redis). A Redis outage
 * never fails an answer: a write that Redis refuses is logged once per outage and kept in the local file only,
 * and while Redis cannot be read the report is this replica's own.
 */
import type { Redis } from 'ioredis';
import type { FeedbackEntry, FeedbackRepository, Logger } from '../../core/ports.ts';
import { redactTokens } from '../../core/redact.ts';
import {
  type AnswerStats,
  type FeedbackRecord,
  type FeedbackState,
  STATE_LIMITS,
  type UnansweredRecord,
} from '../../core/state.ts';

/** Longest question or previous turn kept in Redis (the advisor keeps unanswered ones to the same length). */
const MAX_TEXT = 300;

/** Caps of the shared lists; default the store's (STATE_LIMITS). */
export interface FeedbackCaps {
  feedback: number;
  unanswered: number;
}

const clean = (text: string) => redactTokens(text).slice(0, MAX_TEXT);

/**
 * Feedback, unanswered messages and answer counts in Redis, written through to `local`.
 * @example const feedback = new RedisFeedback(redis, store.feedback, { logger }); await feedback.read();
 */
export class RedisFeedback implements FeedbackRepository {
  readonly #redis: Redis;
  readonly #local: FeedbackRepository;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #caps: FeedbackCaps;
  #down = false;

  constructor(
    redis: Redis,
    local: FeedbackRepository,
    options: { logger: Logger; prefix?: string; caps?: FeedbackCaps },
  ) {
    this.#redis = redis;
    this.#local = local;
    this.#logger = options.logger;
    this.#prefix = options.prefix ?? 'tensorduel:report';
    this.#caps = options.caps ?? { feedback: STATE_LIMITS.feedback, unanswered: STATE_LIMITS.unanswered };
  }

  async record(entry: FeedbackEntry): Promise<void> {
    await Promise.all([this.#local.record(entry), this.#share(entry)]);
  }

  /** Every replica's records; this replica's own while Redis cannot be read. */
  async read(): Promise<FeedbackState> {
    try {
      const replies = await this.#redis
        .multi()
        .lrange(this.#key('feedback'), 0, -1)
        .lrange(this.#key('unanswered'), 0, -1)
        .hgetall(this.#key('intents'))
        .hgetall(this.#key('topics'))
        .exec();
      if (!replies) throw new Error('transaction aborted');
      const values = replies.map(([err, value]) => {
        if (err) throw err;
        return value;
      });
      const [feedback, unanswered, intents, topics] = values as [
        string[],
        string[],
        Record<string, string>,
        Record<string, string>,
      ];
      this.#up();
      return {
        feedback: parseAll<FeedbackRecord>(feedback),
        unanswered: parseAll<UnansweredRecord>(unanswered),
        stats: statsOf(intents, topics),
      };
    } catch (err) {
      this.#failed('could not read the shared admin report; reporting this replica only', err);
      return this.#local.read();
    }
  }

  async #share(entry: FeedbackEntry): Promise<void> {
    const tx = this.#redis.multi();
    const { reply, feedback, unanswered } = entry;
    if (reply) {
      tx.hincrby(this.#key('intents'), `${reply.intent}:total`, 1);
      if (reply.answered) tx.hincrby(this.#key('intents'), `${reply.intent}:answered`, 1);
      for (const id of reply.topics) tx.hincrby(this.#key('topics'), id, 1);
    }
    if (feedback) {
      const record: FeedbackRecord = { ...feedback, question: clean(feedback.question) };
      tx.rpush(this.#key('feedback'), JSON.stringify(record));
      tx.ltrim(this.#key('feedback'), -this.#caps.feedback, -1);
    }
    if (unanswered) {
      const record: UnansweredRecord = {
        ...unanswered,
        question: clean(unanswered.question),
        ...(unanswered.previous !== undefined ? { previous: clean(unanswered.previous) } : {}),
      };
      tx.rpush(this.#key('unanswered'), JSON.stringify(record));
      tx.ltrim(this.#key('unanswered'), -this.#caps.unanswered, -1);
    }
    try {
      const replies = await tx.exec();
      const failed = replies?.find(([err]) => err)?.[0];
      if (failed) throw failed;
      this.#up();
    } catch (err) {
      this.#failed('could not share an admin report record; kept on this replica only', err);
    }
  }

  #key(part: string): string {
    return `${this.#prefix}:${part}`;
  }

  #failed(message: string, err: unknown): void {
    if (this.#down) return;
    this.#down = true;
    this.#logger.warn(message, { error: err instanceof Error ? err.message : String(err) });
  }

  #up(): void {
    this.#down = false;
  }
}

function parseAll<T>(lines: readonly string[]): T[] {
  const out: T[] = [];
  for (const line of lines) {
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A record that is not JSON (written by hand?) is skipped, not fatal to the report.
    }
  }
  return out;
}

/** The counts hashes (`<intent>:total`, `<intent>:answered`; topic → count) as the report's stats. */
function statsOf(intents: Record<string, string>, topics: Record<string, string>): AnswerStats {
  const byIntent: AnswerStats['byIntent'] = {};
  for (const [field, value] of Object.entries(intents)) {
    const cut = field.lastIndexOf(':');
    const intent = field.slice(0, cut);
    const kind = field.slice(cut + 1);
    if (cut <= 0 || (kind !== 'total' && kind !== 'answered')) continue;
    const row = byIntent[intent] ?? { total: 0, answered: 0 };
    row[kind] = Number(value) || 0;
    byIntent[intent] = row;
  }
  const counts: AnswerStats['topics'] = {};
  for (const [id, value] of Object.entries(topics)) counts[id] = Number(value) || 0;
  return { byIntent, topics: counts };
}
