import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    // the browser tier needs Debian's chromium (npm run test:browser); the chaos tier has its own config
    exclude: ['tests/browser/**', 'tests/chaos/**', 'node_modules/**'],
    globalSetup: ['tests/support/globalPostgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
