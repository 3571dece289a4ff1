/**
 * Seeded randomness for tests: a failure replays with the same seed. The seed comes from
 * `TEST_SEED` when set, otherwise it is drawn and printed, so every run says how to replay it.
 */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

/** mulberry32: small, fast, good enough to schedule faults and delays. */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
  };
}

/** The seed of this run: `TEST_SEED`, or a fresh one; printed with the test's name. */
export function testSeed(label: string): number {
  const given = process.env.TEST_SEED;
  const seed = given !== undefined && given !== '' ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32) >>> 0;
  console.log(`${label}: seed ${seed} (replay with TEST_SEED=${seed})`);
  return seed;
}
