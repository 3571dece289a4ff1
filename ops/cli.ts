import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AccountStore, type AccountRole } from '../platform/identity/accounts.js';
import { AssignmentDirectory } from '../commands/assignmentDirectory/assignmentDirectory.js';
import { ConfigError, loadConfig } from '../app/config.js';
import { embeddedDataDir, openInfrastructure, type Infrastructure } from '../app/infrastructure.js';
import { createLogger } from '../platform/logger.js';
import { allProjections } from '../projections/index.js';
import { ProjectionEngine } from '../projections/projectionEngine.js';
import { projectionStatuses } from '../read-api/opsRoutes.js';
import { formatEta, progressBar } from './progressBar.js';
import { seedThreads } from './seed.js';
import { isChained, verifyChain, type Verification } from '../eventstore/hashChain.js';
import { loadSealKey } from '../platform/audit/sealKey.js';
import { historyCsv, parseAsOf, threadHistory } from '../read-api/audit/threadHistory.js';
import { sealsOf } from '../read-api/audit/seals.js';
import { emailQueueStats, retryAllFailed, retryEmail } from '../workers/email/emailOps.js';
import { START } from '../eventstore/port.js';

/** Every hash-chained stream: from the stream table on Postgres, by scanning the log elsewhere. */
async function chainedStreams(infra: Infrastructure): Promise<string[]> {
  if (infra.eventStore.adapter === 'postgres') {
    const { rows } = await infra.pool.query<{ stream_name: string }>(
      'SELECT stream_name FROM es_streams ORDER BY stream_name',
    );
    return rows.map((r) => r.stream_name).filter(isChained);
  }
  const names = new Set<string>();
  let after = START;
  for (;;) {
    const batch = await infra.eventStore.readAll({ after, limit: 5000 });
    if (!batch.length) return [...names].sort();
    for (const e of batch) if (isChained(e.streamName)) names.add(e.streamName);
    after = batch[batch.length - 1]!.position;
  }
}

/**
 * `npm run ops -- <command>`: what ops need at 3 a.m. Each command has --help.
 * It works on the same database the desk uses (DATABASE_URL, or the embedded one).
 */

interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; description: string }>;
  run(
    infra: Infrastructure,
    values: Record<string, string | boolean | undefined>,
    positionals: string[],
  ): Promise<number>;
}

/** "1,200/5,000" (or "1,200" when the total is not known). */
const countOf = (processed: number, total: number | null): string =>
  `${processed.toLocaleString('en-US')}${total === null ? '' : `/${total.toLocaleString('en-US')}`}`;

const rebuildDetail = (progress: number, processed: number, total: number | null, eta: number | null): string =>
  `${(progress * 100).toFixed(0)}%, ${countOf(processed, total)} events, ${formatEta(eta)}`;

const engineOf = (infra: Infrastructure) =>
  new ProjectionEngine({ pool: infra.pool, eventStore: infra.eventStore, projections: allProjections });

const commands: Record<string, Command> = {
  status: {
    summary: 'Projections (position, lag, events/s, rebuilds), the event store and the database',
    usage: 'status [--json]',
    options: { json: { type: 'boolean', description: 'machine-readable output' } },
    async run(infra, values) {
      const statuses = await projectionStatuses(engineOf(infra), infra.eventStore);
      const store = await infra.eventStore.health();
      const report = { eventStore: store, projections: statuses };
      if (values.json) {
        console.log(JSON.stringify(report, null, 2));
        return 0;
      }
      console.log(
        `event store: ${store.adapter} ${store.ok ? 'ok' : `DOWN (${store.detail})`}, head ${store.head ?? '-'}`,
      );
      console.log('projection      gen  status    position              lag      events/s  note');
      for (const s of statuses) {
        const g = s.live;
        console.log(
          `${s.name.padEnd(15)} ${String(g?.generation ?? '-').padEnd(4)} ${(g ? 'live' : 'none').padEnd(9)} ${(g?.position ?? '-').padEnd(21)} ${String(s.lagEvents ?? '-').padEnd(8)} ${String(g?.eventsPerSecond ?? '-').padEnd(9)} ${g?.lastError ? `HALTED: ${g.lastError}` : s.building ? `rebuilding gen ${s.building.generation}: ${rebuildDetail(s.building.progress, s.building.eventsProcessed, s.building.eventsTotal, s.building.etaSeconds)}` : ''}`,
        );
      }
      return statuses.some((s) => !s.live || s.live.lastError) ? 1 : 0;
    },
  },
  rebuild: {
    summary: 'Rebuild a projection blue/green (the live one keeps serving), with progress and ETA',
    usage: `rebuild <projection>   (one of: ${allProjections.map((p) => p.name).join(', ')})`,
    options: {},
    async run(infra, _values, positionals) {
      const name = positionals[0];
      if (!name) throw new UsageError('name the projection to rebuild');
      const engine = engineOf(infra);
      engine.projection(name);
      const bar = progressBar(`rebuild ${name}`);
      const started = performance.now();
      const result = await engine.rebuild(name, (p) =>
        bar.update(
          p.fraction,
          `${countOf(p.processed, p.total)} events, ${Math.round(p.eventsPerSecond).toLocaleString('en-US')}/s, ${formatEta(p.etaSeconds)}`,
        ),
      );
      bar.done(`generation ${result.generation} live in ${((performance.now() - started) / 1000).toFixed(1)}s`);
      return 0;
    },
  },
  history: {
    summary: 'A thread’s history: every event with actor and time, its state as of a point, the chain verification',
    usage: 'history <threadId> [--as-of <revision|ISO time>] [--verify] [--format table|json|csv]',
    options: {
      'as-of': { type: 'string', description: 'a revision number or an ISO time: show the state as of then' },
      verify: { type: 'boolean', description: 'verify the hash chains and seals (exit 1 when broken)' },
      format: { type: 'string', description: 'table (default), json or csv' },
    },
    async run(infra, values, positionals) {
      const threadId = positionals[0];
      if (!threadId) throw new UsageError('name the thread (its id)');
      const asOf = parseAsOf(values['as-of'] as string | undefined);
      if (asOf === 'invalid') throw new UsageError('--as-of must be a revision number or an ISO time');
      const format = (values.format as string | undefined) ?? 'table';
      if (!['table', 'json', 'csv'].includes(format)) throw new UsageError('--format must be table, json or csv');
      const history = await threadHistory(infra.eventStore, infra.pool, threadId, {
        asOf,
        sealKey: await sealKeyFor(),
      });
      if (!history) {
        console.error(`no thread ${threadId}`);
        return 1;
      }
      if (format === 'json') console.log(JSON.stringify(history, null, 2));
      else if (format === 'csv') process.stdout.write(historyCsv(history));
      else {
        // thread revisions as numbers; email outcomes by their own stream's revision (email#0, …)
        console.log('rev       when                      type                 actor');
        for (const e of history.events) {
          console.log(
            `${(e.source === 'email' ? `email#${e.revision}` : String(e.revision)).padEnd(9)} ${e.occurredAt.padEnd(25)} ${e.type.padEnd(20)} ${e.actor ? `${e.actor.type}:${e.actor.id}` : '-'}`,
          );
        }
        const s = history.stateAsOf;
        console.log(`\nstate as of revision ${s.revision} (${s.at ?? '-'}): ${JSON.stringify(s.state)}`);
      }
      if (values.verify) {
        for (const v of history.verification.streams) {
          console.error(
            v.ok
              ? `verified ${v.streamName}: ${v.checked} events, ${v.sealsChecked} seals`
              : `BROKEN ${v.streamName} at revision ${v.firstBrokenRevision}: ${v.reason}`,
          );
        }
        return history.verification.ok ? 0 : 1;
      }
      return 0;
    },
  },
  verify: {
    summary: 'Verify hash chains and seals: one thread, or every chained stream with --all',
    usage: 'verify <threadId> | verify --all',
    options: { all: { type: 'boolean', description: 'every chained stream in the log, with a progress bar' } },
    async run(infra, values, positionals) {
      const key = await sealKeyFor();
      if (!values.all) {
        const threadId = positionals[0];
        if (!threadId) throw new UsageError('name a thread, or use --all');
        const history = await threadHistory(infra.eventStore, infra.pool, threadId, { sealKey: key });
        if (!history) throw new UsageError(`no thread ${threadId}`);
        for (const v of history.verification.streams)
          console.log(
            v.ok ? `ok ${v.streamName}` : `BROKEN ${v.streamName} at revision ${v.firstBrokenRevision}: ${v.reason}`,
          );
        return history.verification.ok ? 0 : 1;
      }
      const streams = await chainedStreams(infra);
      const bar = progressBar('verify');
      const broken: Verification[] = [];
      let events = 0;
      for (let i = 0; i < streams.length; i++) {
        const name = streams[i]!;
        const v = verifyChain(name, await infra.eventStore.readStream(name), await sealsOf(infra.pool, name), key);
        events += v.checked;
        if (!v.ok) broken.push(v);
        if (i % 50 === 0 || i === streams.length - 1)
          bar.update((i + 1) / streams.length, `${i + 1}/${streams.length} streams, ${broken.length} broken`);
      }
      bar.done(`${streams.length} streams, ${events} events, ${broken.length} broken`);
      for (const v of broken) console.log(`BROKEN ${v.streamName} at revision ${v.firstBrokenRevision}: ${v.reason}`);
      return broken.length ? 1 : 0;
    },
  },
  'create-account': {
    summary: 'Create a staff or partner account; prints a generated password once (or reads one with --password-stdin)',
    usage:
      'create-account --email <e> --name <n> --role <admin|agent|auditor|ops|partner> [--org <partnerOrgId>] [--password-stdin]',
    options: {
      email: { type: 'string', description: 'sign-in email' },
      name: { type: 'string', description: 'display name' },
      role: { type: 'string', description: 'admin, agent, auditor, ops or partner' },
      org: { type: 'string', description: 'the partner organisation (partners only)' },
      'password-stdin': {
        type: 'boolean',
        description: 'read the password from standard input instead of generating one',
      },
    },
    async run(infra, values) {
      const { password, generated } = await passwordFrom(Boolean(values['password-stdin']));
      const account = await new AccountStore(infra.pool).create({
        email: String(values.email ?? ''),
        name: String(values.name ?? ''),
        role: String(values.role ?? '') as AccountRole,
        ...(values.org ? { partnerOrgId: String(values.org) } : {}),
        password,
      });
      console.log(`created ${account.role} ${account.email} (${account.id})`);
      if (generated) console.log(`password (shown once): ${password}`);
      return 0;
    },
  },
  'reset-password': {
    summary: 'Set a new password for an account and sign it out everywhere',
    usage: 'reset-password --email <e> [--password-stdin]',
    options: {
      email: { type: 'string', description: 'the account' },
      'password-stdin': {
        type: 'boolean',
        description: 'read the password from standard input instead of generating one',
      },
    },
    async run(infra, values) {
      if (!values.email) throw new UsageError('--email is required');
      const { password, generated } = await passwordFrom(Boolean(values['password-stdin']));
      await new AccountStore(infra.pool).setPassword(String(values.email), password);
      console.log(`password reset for ${String(values.email)}; its sessions were ended`);
      if (generated) console.log(`password (shown once): ${password}`);
      return 0;
    },
  },
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
  email: {
    summary: 'The email queue: `email stats`, `email retry <id>`, `email retry --all-failed`',
    usage: 'email stats [--json] | email retry <id> | email retry --all-failed',
    options: {
      json: { type: 'boolean', description: 'machine-readable stats' },
      'all-failed': { type: 'boolean', description: 'with retry: every failed and dead-lettered email' },
    },
    async run(infra, values, positionals) {
      const [action, id] = positionals;
      if (action === 'stats') {
        const stats = await emailQueueStats(infra.pool);
        console.log(
          values.json
            ? JSON.stringify(stats)
            : Object.entries(stats)
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n'),
        );
        return 0;
      }
      if (action === 'retry' && values['all-failed']) {
        console.log(`${await retryAllFailed(infra.pool)} emails are due again`);
        return 0;
      }
      if (action === 'retry' && id) {
        const result = await retryEmail(infra.pool, id);
        console.log(result === 'retried' ? `email ${id} is due again` : `email ${id}: ${result.replace('_', ' ')}`);
        return result === 'retried' ? 0 : 1;
      }
      throw new UsageError('use: email stats | email retry <id> | email retry --all-failed');
    },
  },
  seed: {
    summary: 'Demo data at any size: threads with messages, through the event log',
    usage: 'seed --threads <n>',
    options: { threads: { type: 'string', description: 'how many threads (default 1000)' } },
    async run(infra, values) {
      const threads = Number(values.threads ?? 1000);
      if (!Number.isSafeInteger(threads) || threads < 1) throw new UsageError('--threads must be a positive integer');
      const directory = new AssignmentDirectory(infra.pool);
      const assignments = await directory.ensureDemoAssignments();
      const bar = progressBar('seed');
      const started = performance.now();
      const events = await seedThreads(infra.eventStore, infra.pool, {
        threads,
        assignments,
        agents: [{ id: 'seed-agent', name: 'Sam Seed' }],
        onProgress: (done, total) =>
          bar.update(done / total, `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} threads`),
      });
      bar.done(`${events.toLocaleString('en-US')} events in ${((performance.now() - started) / 1000).toFixed(1)}s`);
      console.log('projections catch up in the running desk (npm start), or run: npm run ops -- rebuild threads');
      return 0;
    },
  },
};

class UsageError extends Error {}

async function passwordFrom(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: randomBytes(15).toString('base64url'), generated: true };
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return { password: Buffer.concat(chunks).toString('utf8').trim(), generated: false };
}

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

async function sealKeyFor(): Promise<string> {
  const config = loadConfig();
  return (await loadSealKey(config.AUDIT_SEAL_KEY, await embeddedDataDir(config))).key;
}

function help(): string {
  return [
    'usage: npm run ops -- <command> [options]   (npm run ops -- <command> --help for details)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`),
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command: ${name}\n\n${help()}`);
    return 2;
  }
  const parsed = parseArgs({
    args: rest,
    options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (parsed.values.help) {
    console.log(`usage: npm run ops -- ${command.usage}\n\n${command.summary}`);
    for (const [opt, o] of Object.entries(command.options)) console.log(`  --${opt.padEnd(12)} ${o.description}`);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const infra = await openInfrastructure({ ...config, LOG_LEVEL: 'warn' }, logger, `support-desk-ops-${name}`);
  try {
    return await command.run(infra, parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
  } finally {
    await infra.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      if (error instanceof UsageError || error instanceof ConfigError) console.error(error.message);
      else console.error(error instanceof Error ? error.message : error);
      process.exit(error instanceof UsageError ? 2 : 1);
    });
}
