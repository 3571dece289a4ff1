import { seededRandom, type SeededRandom } from '../../support/seededRandom.js';

/**
 * The chaos tier's seed: every random choice of the tier (the crash schedule, the command load's
 * choices, the fuzzers' cases) is drawn from it, so a failure replays with the same `CHAOS_SEED`.
 * Fixed by default, so that CI runs the same schedule every time; set `CHAOS_SEED` to explore.
 */
export const DEFAULT_CHAOS_SEED = 20_261_128;

/** `CHAOS_SEED` (or the default), printed with how to replay the file that asked for it. */
export function chaosSeed(file: string): number {
  const given = process.env.CHAOS_SEED;
  const seed = given === undefined || given === '' ? DEFAULT_CHAOS_SEED : Number(given);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new Error(`CHAOS_SEED must be an integer from 0 to 4294967295, not ${JSON.stringify(given)}`);
  console.log(
    `${file}: CHAOS_SEED=${seed}${given ? '' : ' (the default)'}; replay with CHAOS_SEED=${seed} npx vitest run -c vitest.chaos.config.ts tests/chaos/${file}`,
  );
  return seed;
}

/** An independent stream of randomness for one purpose (`stream` 0, 1, …) of the same seed. */
export function chaosRandom(seed: number, stream: number): SeededRandom {
  return seededRandom((seed + Math.imul(stream, 0x9e3779b9)) >>> 0);
}
