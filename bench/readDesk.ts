import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HashChainedEventStore } from '../eventstore/hashChain.js';
import { PostgresEventStore } from '../eventstore/postgres/postgresEventStore.js';
import { loadConfig } from '../app/config.js';
import { migrate } from '../platform/database/migrate.js';
import { createPool } from '../platform/database/pool.js';
import { composeApi } from '../app/composeApi.js';
import { createLogger } from '../platform/logger.js';

/** The real API on a benchmark database, on a free port, with the demo accounts. */
export async function startBenchDesk(url: string) {
  const pool = createPool(url, 30, 'bench');
  await migrate(pool);
  const eventStore = new HashChainedEventStore(new PostgresEventStore(pool, { connectionString: url }));
  const desk = composeApi({
    pool,
    databaseUrl: url,
    eventStore,
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    logger: createLogger('silent'),
  });
  await desk.accounts.ensureDemoAccounts();
  const assignments = await desk.directory.ensureDemoAssignments();
  const server = createServer(desk.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  async function signIn(email: string) {
    const res = await fetch(`${base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'demo-password-1' }),
    });
    const body = (await res.json()) as { csrfToken: string; account: { id: string } };
    return {
      cookie: res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; '),
      csrf: body.csrfToken,
      id: body.account.id,
    };
  }
  return {
    pool,
    eventStore,
    desk,
    base,
    assignments,
    signIn,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await desk.close();
      await eventStore.close();
      await pool.end();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
