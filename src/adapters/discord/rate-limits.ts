/**
 * discord.js REST rate-limit policy: wait in the library's queue for limits it predicts (the 50 requests/s global
 * limit, a bucket it knows is empty), but hand a 429 that Discord actually sent to our retry (backoff + a log line).
 *
 * Rejecting predicted limits too would turn a burst of answers into failed deliveries: 200 concurrent replies are
 * 4 s of the global budget, longer than a retry budget meant for server errors.
 */
import type { RateLimitData, RESTOptions } from 'discord.js';

/** What the adapter needs: an option for the REST client and a hook for its `response` event. */
export interface RateLimitPolicy {
  rejectOnRateLimit: NonNullable<RESTOptions['rejectOnRateLimit']>;
  /** Call from `rest.on('response', (request, response) => …)`. */
  onResponse(request: { method: string; route: string }, response: { status: number }): void;
}

const key = (method: string, route: string) => `${method.toLowerCase()} ${route}`;

/** Rejects (so the caller retries and logs) only the rate limits a server 429 announced. */
export function serverRateLimitsOnly(): RateLimitPolicy {
  // The response event fires before the 429 reaches onRateLimit, in the same request: count per route.
  const served = new Map<string, number>();
  return {
    rejectOnRateLimit: (data: RateLimitData) => {
      const k = key(data.method, data.route);
      const n = served.get(k) ?? 0;
      if (n === 0) return false;
      if (n === 1) served.delete(k);
      else served.set(k, n - 1);
      return true;
    },
    onResponse(request, response) {
      if (response.status !== 429) return;
      const k = key(request.method, request.route);
      served.set(k, (served.get(k) ?? 0) + 1);
    },
  };
}
