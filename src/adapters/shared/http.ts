/** A tiny JSON POST for webhook-style URLs (Slack response_url), failing with the HTTP status only. */

/** A non-2xx answer; carries the status and the server's Retry-After, never the URL (it may hold a token). */
export class HttpStatusError extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  constructor(status: number, retryAfterMs: number | undefined) {
    super(`HTTP ${status}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Parses a Retry-After header given in seconds. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number.parseFloat(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** POSTs `payload` as JSON to `url`; throws {@link HttpStatusError} on a non-2xx status. */
export async function postJson(url: string, payload: unknown, timeoutMs = 10_000): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer(); // drain, so the connection is reused
  if (!res.ok) throw new HttpStatusError(res.status, retryAfterMs(res.headers.get('retry-after')));
}
