/** Calls into the core that never throw: a failure becomes a friendly reply and a log line. */
import { asTensorDuelError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { AdvisorApi, FeedbackInput, IncomingMessage, Reply } from '../../core/types.ts';
import { errorReply } from './friendly.ts';

/** Asks the core; any exception is logged (by code and message) and answered with a friendly error reply. */
export async function askCore(
  advisor: AdvisorApi,
  message: IncomingMessage,
  logger: Logger,
  fields: Record<string, unknown> = {},
): Promise<Reply> {
  try {
    return await advisor.handle(message);
  } catch (err) {
    const error = asTensorDuelError(err);
    logger.error('core failed to answer', {
      ...fields,
      conversationId: message.conversationId,
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
