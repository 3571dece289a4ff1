/**
 * The one exponential backoff formula: the wait before retry `attempt` doubles from `baseMs`
 * up to `capMs`. With `random` it is fully jittered (a uniform wait below that bound, which
 * spreads apart the losers of a race); tests inject a seeded `random`. For loops that run
 * forever and sleep in their own cancellable way (workers, reconnects); a bounded retry of one
 * operation uses p-retry.
 */
export interface Backoff {
  /** The bound at attempt 0. */
  baseMs: number;
  /** The bound never grows past this. */
  capMs: number;
  /** Full jitter when given: the wait is `random() * bound`; without it, the bound itself. */
  random?: () => number;
}

export function backoffDelay(attempt: number, { baseMs, capMs, random }: Backoff): number {
  // the exponent is clamped only so that a long outage cannot overflow it
  const bound = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return random ? random() * bound : bound;
}

/** The background workers' pause after a failed round: 500 ms after the first, doubling to 30 s. */
export const WORKER_BACKOFF: Backoff = { baseMs: 250, capMs: 30_000 };
