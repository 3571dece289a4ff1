import { defineConfig } from 'vitest/config';

/** The browser tier: Playwright driving Debian's chromium (apt-get install chromium). */
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    globalSetup: ['tests/support/globalPostgres.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
