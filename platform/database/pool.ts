import pg from 'pg';

// bigint (int8) columns come back as strings; callers convert explicitly where needed.
export function createPool(connectionString: string, max: number, applicationName = 'support-desk'): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // ...and neither must a checked-out client's (a restarted server ends its connections): the
  // query in flight fails with the error, and the client is discarded when released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export async function databaseHealth(pool: pg.Pool): Promise<{ ok: boolean; latencyMs: number; detail?: string }> {
  const started = performance.now();
  try {
    await pool.query('SELECT 1');
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), detail: (error as Error).message };
  }
}
