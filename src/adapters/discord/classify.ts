/** Decides which Discord REST failures are worth retrying. */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import type { RetryVerdict } from '../shared/retry.ts';

/** 429s (after Retry-After), 5xx and network failures are retried; Discord API errors (4xx) are not. */
export function classifyDiscordError(err: unknown): RetryVerdict {
  if (err instanceof RateLimitError)
    return {
      retry: true,
      reason: `rate limited (HTTP 429, retry after ${err.retryAfter} ms)`,
      retryAfterMs: Math.max(err.retryAfter, 0),
    };
  if (err instanceof HTTPError) return { retry: err.status >= 500, reason: `HTTP ${err.status}` };
  if (err instanceof DiscordAPIError)
    return { retry: false, reason: `Discord error ${err.code} (HTTP ${err.status})` };
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError' || 'code' in err))
    return { retry: true, reason: `network error (${err.name})` };
  return { retry: false, reason: err instanceof Error ? err.name : 'unknown error' };
}
