/** The claim an adapter takes around answering one event, shared by every platform (see core/ports.ts EventClaims). */
import type { EventClaims, EventLease } from '../../core/ports.ts';
import type { RecentSet } from './RecentSet.ts';

/** How long an event is claimed while it is answered: a replica that crashes mid-answer holds it no longer. */
export const EVENT_LEASE_MS = 60_000;
/** How long an answered event stays claimed (Slack retries within about an hour; a resumed Discord session may replay). */
export const EVENT_CLAIM_MS = 2 * 3_600_000;

/**
 * A short claim of `key` while its event is answered, or undefined when another delivery holds it. Claims that
 * cannot lease claim for good ({@link EVENT_CLAIM_MS}), with a lease whose keep and release do nothing.
 */
export async function leaseEvent(claims: EventClaims, key: string): Promise<EventLease | undefined> {
  if (claims.lease) return claims.lease(key, EVENT_LEASE_MS);
  return (await claims.claim(key, EVENT_CLAIM_MS))
    ? { keep: async () => {}, release: async () => {} }
    : undefined;
}

/**
 * The claims of one process, in `seen` (an adapter's default without shared claims): a claim lasts as long as
 * `seen` keeps its key, and releasing a lease forgets it, so a redelivery after a failed answer is answered.
 */
export function inProcessClaims(seen: RecentSet): EventClaims {
  return {
    claim: async (key) => !seen.checkAndAdd(key),
    lease: async (key) =>
      seen.checkAndAdd(key)
        ? undefined
        : { keep: async () => {}, release: async () => void seen.delete(key) },
  };
}
