/**
 * @module When a webhook delivery is tried again, and when it stops: exponential backoff from 30 s,
 * capped at an hour, with jitter so hooks that failed together do not retry together, for 24 h after
 * the first try. An answer's status decides the rest: 2xx delivered, 410 the receiver is gone (the
 * hook is turned off), a redirect is a failure (never followed: a hook's URL is the one configured).
 */

/** The first retry's delay: a receiver restarting is usually back within it. */
export const FIRST_RETRY_MS = 30_000;
/** No wait between two tries is longer: a receiver back after an outage hears within the hour. */
export const MAX_RETRY_MS = 60 * 60_000;
/** A delivery is given up this long after its first try. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;
/** Each delay is drawn in [delay × (1 − JITTER), delay]. */
const JITTER = 0.2;

export type Outcome =
  /** 2xx: done. */
  | { kind: 'delivered' }
  /** Try again at `at` (epoch ms). */
  | { kind: 'retry'; at: number }
  /** 24 h of failures: this batch is dropped, the hook stays on. */
  | { kind: 'given_up' }
  /** 410 Gone: the receiver asked to be forgotten; the hook is off until its configuration changes. */
  | { kind: 'disabled' };

/**
 * The delay before try `attempt + 1`, after `attempt` tries (1 for the first) have failed; `random`
 * in [0, 1) (Math.random in production, fixed in tests).
 */
export function retryDelayMs(attempt: number, random: number): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - JITTER * random));
}

/**
 * What follows a try: `status` is the receiver's (null when the request failed: refused, timed out,
 * redirected), `attempt` how many tries have now been made, `firstTriedAt` and `now` epoch ms.
 */
export function afterTry(status: number | null, attempt: number, firstTriedAt: number, now: number, random: number): Outcome {
  if (status !== null && status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'disabled' };
  const at = now + retryDelayMs(attempt, random);
  return at - firstTriedAt > GIVE_UP_AFTER_MS ? { kind: 'given_up' } : { kind: 'retry', at };
}
