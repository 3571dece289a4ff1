/**
 * Events per second over the last minute: a ring of per-second slots of processed counts. A
 * generation's ring lives in `projection_generations` (`rate_seconds`, `rate_counts`,
 * `rate_since`), added to by each batch's checkpoint write (`RATE_SET_SQL`); whoever reads it
 * counts the slots of the last minute by its own clock, so a projection that has been idle for
 * a minute reads 0.
 */
export const THROUGHPUT_WINDOW_SECONDS = 60;

export interface ThroughputWindow {
  /** The second (Unix time) each slot counts, -1 when never used; slot = second % 60. */
  seconds: number[];
  counts: number[];
  /** The second the generation first counted events. */
  since: number | null;
}

export const emptyWindow = (): ThroughputWindow => ({
  seconds: Array<number>(THROUGHPUT_WINDOW_SECONDS).fill(-1),
  counts: Array<number>(THROUGHPUT_WINDOW_SECONDS).fill(0),
  since: null,
});

export const secondOf = (at: Date): number => Math.floor(at.getTime() / 1000);

/** A second and its slot, 1-based as SQL arrays are. */
export function rateSlot(at: Date): { second: number; slot: number } {
  const second = secondOf(at);
  return { second, slot: (second % THROUGHPUT_WINDOW_SECONDS) + 1 };
}

/**
 * The SET clause a checkpoint write adds: `$events` events in the slot `$slot` of second
 * `$second` (placeholders named by the caller's parameter numbers).
 */
export function rateSetSql(events: string, second: string, slot: string): string {
  return (
    `rate_counts[${slot}] = CASE WHEN rate_seconds[${slot}] = ${second} THEN rate_counts[${slot}] + ${events} ELSE ${events} END, ` +
    `rate_seconds[${slot}] = ${second}, rate_since = coalesce(rate_since, ${second})`
  );
}

/** The same as the SQL, for a window kept in memory (a rebuild's own progress). */
export function addToWindow(window: ThroughputWindow, at: Date, events: number): ThroughputWindow {
  const { second, slot } = rateSlot(at);
  const seconds = [...window.seconds];
  const counts = [...window.counts];
  counts[slot - 1] = seconds[slot - 1] === second ? counts[slot - 1]! + events : events;
  seconds[slot - 1] = second;
  return { seconds, counts, since: window.since ?? second };
}

/** A generation row's ring (Postgres answers bigint arrays as strings). */
export function windowOf(row: {
  rate_seconds: (string | number)[];
  rate_counts: (string | number)[];
  rate_since: string | number | null;
}): ThroughputWindow {
  return {
    seconds: row.rate_seconds.map(Number),
    counts: row.rate_counts.map(Number),
    since: row.rate_since === null ? null : Number(row.rate_since),
  };
}

/** Events per second over the last minute as of `now` (or since the window began, when that is less). */
export function eventsPerSecond(window: ThroughputWindow, now: Date): number {
  const second = secondOf(now);
  let events = 0;
  window.seconds.forEach((s, i) => {
    if (s > second - THROUGHPUT_WINDOW_SECONDS && s <= second) events += window.counts[i] ?? 0;
  });
  if (events === 0) return 0;
  const covered = Math.min(THROUGHPUT_WINDOW_SECONDS, Math.max(1, second - (window.since ?? second) + 1));
  return events / covered;
}
