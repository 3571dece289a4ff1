/**
 * Benchmark sizes. BENCH_SCALE=full (the default) is what docs/benchmarks.md reports;
 * BENCH_SCALE=small runs everything in a few minutes, for development. A BENCH_* variable
 * overrides one size.
 */
export type ScaleName = 'small' | 'full';

export const scaleName: ScaleName = process.env.BENCH_SCALE === 'small' ? 'small' : 'full';

const sizes = {
  full: {
    appendSeconds: 5,
    commandSeconds: 10,
    rebuildEvents: 1_000_000,
    rawBulkRows: 500_000,
    readThreads: 1_000_000,
    readIterations: 200,
    liveIterations: 200,
    emmettRebuildSeconds: 900,
  },
  small: {
    appendSeconds: 1.5,
    commandSeconds: 3,
    rebuildEvents: 40_000,
    rawBulkRows: 40_000,
    readThreads: 20_000,
    readIterations: 60,
    liveIterations: 30,
    emmettRebuildSeconds: 60,
  },
} as const;

const fromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const s = sizes[scaleName];
export const scale = {
  name: scaleName,
  appendSeconds: fromEnv('BENCH_SECONDS', s.appendSeconds),
  commandSeconds: fromEnv('BENCH_COMMAND_SECONDS', s.commandSeconds),
  rebuildEvents: fromEnv('BENCH_EVENTS', s.rebuildEvents),
  rawBulkRows: fromEnv('BENCH_RAW_ROWS', s.rawBulkRows),
  readThreads: fromEnv('BENCH_THREADS', s.readThreads),
  readIterations: fromEnv('BENCH_ITERATIONS', s.readIterations),
  liveIterations: fromEnv('LIVE_BENCH_ITERATIONS', s.liveIterations),
  emmettRebuildSeconds: fromEnv('BENCH_EMMETT_SECONDS', s.emmettRebuildSeconds),
};

/** The label a child benchmark puts before its progress lines ("[2/6 commands]"). */
export const stepLabel = process.env.BENCH_STEP ? `[${process.env.BENCH_STEP}] ` : '';
