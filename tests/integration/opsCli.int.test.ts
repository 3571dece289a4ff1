import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../ops/cli.js';
import { AccountStore } from '../../platform/identity/accounts.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

describe('the ops CLI: accounts and diagnostics', () => {
  let db: TestDatabase;
  let out: string[];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  async function cli(...args: string[]): Promise<number> {
    out = [];
    vi.stubEnv('DATABASE_URL', db.url);
    vi.stubEnv('AUDIT_SEAL_KEY', 'a-seal-key-for-the-cli-tests-0123456789');
    vi.stubEnv('JWT_SECRET', 'a-very-secret-host-platform-secret-1234');
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const err = vi.spyOn(console, 'error').mockImplementation((...a) => void out.push(a.join(' ')));
    try {
      return await runCli(args);
    } finally {
      log.mockRestore();
      err.mockRestore();
      vi.unstubAllEnvs();
    }
  }

  it('when an account is created, then it can sign in with the password shown once; a reset changes it', async () => {
    expect(await cli('create-account', '--email', 'nina@desk.test', '--name', 'Nina', '--role', 'agent')).toBe(0);
    const password = /password \(shown once\): (\S+)/.exec(out.join('\n'))![1]!;
    const accounts = new AccountStore(db.pool);
    expect(await accounts.authenticate('nina@desk.test', password)).toMatchObject({ role: 'agent' });
    expect(await cli('reset-password', '--email', 'nina@desk.test')).toBe(0);
    const next = /password \(shown once\): (\S+)/.exec(out.join('\n'))![1]!;
    expect(await accounts.authenticate('nina@desk.test', password)).toBeUndefined();
    expect(await accounts.authenticate('nina@desk.test', next)).toMatchObject({ email: 'nina@desk.test' });
  });

  it('when input is bad, then it says which and exits non-zero', async () => {
    await expect(cli('create-account', '--email', 'not-an-email', '--name', 'X', '--role', 'boss')).rejects.toThrow();
    await expect(cli('create-account', '--nonsense')).rejects.toThrow(/Unknown option/);
  });

  it('when ops look at and retry the email queue, then the commands answer', async () => {
    expect(await cli('email', 'stats', '--json')).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ pending: 0, failed: 0 });
    expect(await cli('email', 'retry', '--all-failed')).toBe(0);
    expect(out.join('\n')).toMatch(/0 emails are due again/);
    expect(await cli('email', 'retry', '00000000-0000-4000-8000-000000000000')).toBe(1);
    await expect(cli('email', 'resend')).rejects.toThrow(/email stats/);
  });

  it('when diagnostics run, then the report has the sections ops need and no secret', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'diag-'));
    const file = path.join(dir, 'report.json');
    expect(await cli('diagnostics', '--out', file)).toBe(0);
    const text = await readFile(file, 'utf8');
    const report = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(['config', 'eventStore', 'database', 'log', 'projections', 'seals', 'clientErrors']),
    );
    expect(report.config).toMatchObject({ JWT_SECRET: 'set', AUDIT_SEAL_KEY: 'set', DATABASE_URL: 'set' });
    expect(text).not.toContain('a-very-secret-host-platform-secret');
    expect(text).not.toContain(db.url);
    expect(await cli('diagnostics', '--help')).toBe(0);
  });
});
