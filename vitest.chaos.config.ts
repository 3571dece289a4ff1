import { defineConfig } from 'vitest/config';

/**
 * The reliability and security tier (`npm run test:chaos`): crashes, database faults, overload,
 * fuzzing, rights, guest links, web safety and event evolution, against real processes and a real
 * Postgres. One file at a time (2 cores: the files start processes and load them on purpose);
 * bounded to about ten minutes in all.
 *
 * No retry: every fault schedule and fuzz case is drawn from `CHAOS_SEED` (fixed by default,
 * printed by each file), so a failure is a finding that replays, never bad luck to run again.
 */
export default defineConfig({
  test: {
    include: ['tests/chaos/**/*.chaos.test.ts'],
    globalSetup: ['tests/support/globalPostgres.ts', 'tests/chaos/support/chaosGlobalSetup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
