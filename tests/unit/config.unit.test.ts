import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/config.js';

describe('configuration', () => {
  it('when nothing is set, then it runs on the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, EVENT_STORE: 'postgres' });
    expect(config.EMBEDDED_PG_DIR).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('when values are wrong, then every wrong variable is named', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/PORT/);
    expect(error.message).toMatch(/DATABASE_URL/);
  });

  it('when the KurrentDB store is chosen without its URL, then it says what is missing', () => {
    expect(() => loadConfig({ EVENT_STORE: 'kurrentdb' })).toThrow(
      /KURRENTDB_URL: is required when EVENT_STORE=kurrentdb/,
    );
  });
});
