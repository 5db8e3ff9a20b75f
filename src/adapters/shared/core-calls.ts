/** Calls into the core that never throw: a failure becomes a friendly reply and a log line. */
import { createHash } from 'node:crypto';
import { asTensorDuelError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { AdvisorApi, FeedbackInput, IncomingMessage, Reply } from '../../core/types.ts';
import { errorReply } from './friendly.ts';

/**
 * A short, stable stand-in for a conversation id in logs: lines of one conversation can be grouped without
 * the log naming channels, threads or users.
 * @example conversationHash('slack:C123:1700000000.0001') // 'c9d5…' (12 hex digits)
 */
export function conversationHash(conversationId: string): string {
  return createHash('sha256').update(conversationId).digest('hex').slice(0, 12);
}

/**
 * Asks the core; any exception is logged (by code and message) and answered with a friendly error reply.
 * Every answer is one `info` line (`answered`: intent, kind, confidence, latency, conversation hash), never
 * the message text.
 */
export async function askCore(
  advisor: AdvisorApi,
  message: IncomingMessage,
  logger: Logger,
  fields: Record<string, unknown> = {},
): Promise<Reply> {
  const started = performance.now();
  try {
    const reply = await advisor.handle(message);
    logger.info('answered', {
      ...fields,
      intent: reply.intent,
      ...(reply.kind ? { kind: reply.kind } : {}),
      confidence: Math.round(reply.confidence * 1000) / 1000,
      latencyMs: Math.round(performance.now() - started),
      conversation: conversationHash(message.conversationId),
    });
    return reply;
  } catch (err) {
    const error = asTensorDuelError(err);
    logger.error('core failed to answer', {
      ...fields,
      conversation: conversationHash(message.conversationId),
      latencyMs: Math.round(performance.now() - started),
      code: error.code,
      err: error,
    });
    return errorReply();
  }
}

/** Records a 👍/👎; false (and a log line) when the core could not store it. */
export async function recordFeedback(
  advisor: AdvisorApi,
  feedback: FeedbackInput,
  logger: Logger,
  fields: Record<string, unknown> = {},
): Promise<boolean> {
  try {
    await advisor.recordFeedback(feedback);
    return true;
  } catch (err) {
    const error = asTensorDuelError(err);
    logger.error('core failed to record feedback', { ...fields, code: error.code, err: error });
    return false;
  }
}
