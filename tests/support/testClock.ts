/**
 * The desk's clock in tests: real time plus an offset the test moves. `shift(ms)` jumps ahead
 * (link expiry); `toWindowStart(seconds)` moves on to just after the start of the next
 * `seconds`-long window (rate limits are fixed windows on this clock), so a test that counts hits
 * up to a limit has the whole window and never sees the count reset under it.
 */
export function testClock() {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    shift: (ms: number) => (offsetMs += ms),
    toWindowStart(seconds: number) {
      const windowMs = seconds * 1000;
      offsetMs += windowMs - ((Date.now() + offsetMs) % windowMs) + 50;
    },
  };
}

export type TestClock = ReturnType<typeof testClock>;
