/** `diagnostics`: a report to attach to an incident. */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../app/config.js';
import type { Infrastructure } from '../app/infrastructure.js';
import { projectionStatuses } from '../read-api/opsRoutes.js';
import type { Command } from './commandLine.js';
import { engineOf } from './projectionCommands.js';

const SECRET_KEYS = /SECRET|PASSWORD|KEY|TOKEN|DATABASE_URL|KURRENTDB_URL/;

/** Everything ops want to attach to an incident, and nothing secret: config shows which keys are set, not their values. */
async function diagnosticsReport(infra: Infrastructure) {
  const config = loadConfig();
  const q = async <T>(sql: string): Promise<T[] | { error: string }> =>
    infra.pool
      .query(sql)
      .then((r) => r.rows as T[])
      .catch((e: unknown) => ({ error: (e as Error).message }));
  return {
    generatedAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    config: Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, SECRET_KEYS.test(k) ? (v ? 'set' : 'unset') : v]),
    ),
    eventStore: await infra.eventStore.health(),
    database: {
      version: await q('SELECT version()'),
      size: await q('SELECT pg_size_pretty(pg_database_size(current_database())) AS size'),
      connections: await q(
        'SELECT state, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() GROUP BY state',
      ),
      migrations: await q('SELECT version, name, applied_at FROM schema_migrations ORDER BY version'),
      longestTransactionSeconds: await q(
        "SELECT coalesce(max(extract(epoch FROM now() - xact_start)), 0)::int AS seconds FROM pg_stat_activity WHERE state <> 'idle'",
      ),
    },
    log: {
      events: await q('SELECT count(*)::int AS n FROM es_events'),
      streams: await q('SELECT count(*)::int AS n FROM es_streams'),
    },
    projections: await projectionStatuses(engineOf(infra), infra.eventStore).catch((e: unknown) => ({
      error: (e as Error).message,
    })),
    seals: await q('SELECT count(*)::int AS n, max(sealed_at) AS last FROM chain_seals'),
    clientErrors: await q(
      "SELECT level, count(*)::int AS n, max(received_at) AS last FROM client_logs WHERE received_at > now() - interval '1 day' GROUP BY level",
    ),
    recentClientErrors: await q(
      'SELECT received_at, level, left(message, 200) AS message FROM client_logs ORDER BY id DESC LIMIT 20',
    ),
  };
}

export const diagnosticsCommands: Record<string, Command> = {
  diagnostics: {
    summary:
      'A report to attach to an incident: versions, config (no secrets), database, log, projections, queues, errors',
    usage: 'diagnostics [--out <file>]',
    options: { out: { type: 'string', description: 'write the report to this file instead of standard output' } },
    async run(infra, values) {
      const report = await diagnosticsReport(infra);
      const text = JSON.stringify(report, null, 2);
      if (values.out) {
        await writeFile(String(values.out), `${text}\n`);
        console.log(`diagnostics written to ${String(values.out)}`);
      } else console.log(text);
      return 0;
    },
  },
};
