/** Retries platform API calls with exponential backoff, honouring Retry-After, and logs every retry. */
import type { Logger } from '../../core/ports.ts';

/** How hard to retry a failing platform call. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Delay before the first retry; doubles on each further one. */
  baseDelayMs: number;
  /** Upper bound of the backoff delay (a longer Retry-After is still honoured). */
  maxDelayMs: number;
}

/** Production default: 4 retries over roughly 0.5 + 1 + 2 + 4 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 8000 };

/** Whether a failure is worth another try, and after how long at least (a server's Retry-After). */
export interface RetryVerdict {
  retry: boolean;
  /** A short description for the log, never containing a URL or token. */
  reason: string;
  retryAfterMs?: number;
}

/** A call that failed after its retries; `reason` says why, `cause` keeps the last error. */
export class DeliveryError extends Error {
  readonly reason: string;
  readonly attempts: number;
  constructor(what: string, reason: string, attempts: number, cause: unknown) {
    super(`${what} failed after ${attempts} attempt(s): ${reason}`, { cause });
    this.name = 'DeliveryError';
    this.reason = reason;
    this.attempts = attempts;
  }
}

/** Options of {@link withRetry}. */
export interface RetryOptions {
  policy: RetryPolicy;
  classify: (err: unknown) => RetryVerdict;
  logger: Logger;
  /** Log fields added to every line (e.g. the platform). */
  fields?: Record<string, unknown>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A platform API call with retries and logs, bound to one platform's policy, classifier and logger. */
export type PlatformCall = <T>(what: string, call: () => Promise<T>) => Promise<T>;

/**
 * Binds {@link withRetry} to one platform.
 * @example const call = platformCall({ policy, classify: classifySlackError, logger, fields: { platform: 'slack' } });
 * await call('chat.postMessage', () => client.chat.postMessage(msg));
 */
export function platformCall(options: RetryOptions): PlatformCall {
  return (what, call) => withRetry(what, call, options);
}

/**
 * Runs `call`, retrying retryable failures; each retry is logged at warn, the final failure is thrown as a
 * {@link DeliveryError} (the caller logs it).
 * @example await withRetry('chat.postMessage', () => client.chat.postMessage(msg), options)
 */
export async function withRetry<T>(what: string, call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, classify, logger } = options;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const verdict = classify(err);
      if (!verdict.retry || attempt >= policy.retries) {
        throw new DeliveryError(what, verdict.reason, attempt + 1, err);
      }
      // Full backoff with jitter in [50%, 100%], never shorter than the server asked for.
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt) * (0.5 + random() / 2);
      const delayMs = Math.round(Math.max(backoff, verdict.retryAfterMs ?? 0));
      logger.warn('platform call failed, retrying', {
        ...options.fields,
        call: what,
        attempt: attempt + 1,
        reason: verdict.reason,
        delayMs,
      });
      await sleep(delayMs);
    }
  }
}
