/** Decides which Slack Web API and response_url failures are worth retrying. */
import { HttpStatusError } from '../shared/http.ts';
import type { RetryVerdict } from '../shared/retry.ts';

interface SlackLikeError {
  code?: string;
  statusCode?: number;
  retryAfter?: number;
  data?: { error?: string };
}

/** Rate limits, 5xx and network failures are retried; Slack platform errors (`ok: false`) are not. */
export function classifySlackError(err: unknown): RetryVerdict {
  if (err instanceof HttpStatusError) {
    const retry = err.status === 429 || err.status >= 500;
    return {
      retry,
      reason: err.status === 429 ? 'rate limited (HTTP 429)' : `HTTP ${err.status}`,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    };
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as SlackLikeError;
  switch (e.code) {
    case 'slack_webapi_rate_limited_error':
      return {
        retry: true,
        reason: `rate limited (HTTP 429, retry after ${e.retryAfter ?? 0}s)`,
        retryAfterMs: (e.retryAfter ?? 0) * 1000,
      };
    case 'slack_webapi_http_error':
      return { retry: (e.statusCode ?? 0) >= 500, reason: `HTTP ${e.statusCode ?? '?'}` };
    case 'slack_webapi_request_error':
      return { retry: true, reason: 'network error' };
    case 'slack_webapi_platform_error':
      return { retry: false, reason: `Slack error ${e.data?.error ?? 'unknown'}` };
  }
  if (
    err instanceof Error &&
    (err.name === 'TimeoutError' || err.name === 'AbortError' || err.name === 'TypeError')
  )
    return { retry: true, reason: `network error (${err.name})` };
  return { retry: false, reason: err instanceof Error ? err.name : 'unknown error' };
}
