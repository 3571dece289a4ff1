import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../app/config.js';

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

describe('TRUST_PROXY', () => {
  it('when it is unset, then nobody is trusted; when it lists addresses, CIDRs or names, then it loads', () => {
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, 192.0.2.7' }).TRUST_PROXY).toBe(
      'loopback, 10.0.0.0/8, 192.0.2.7',
    );
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe('2');
  });

  it('when it names something that is no address, then the start stops naming it', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'my-balancer' })).toThrow(/TRUST_PROXY: .*my-balancer/);
  });
});
